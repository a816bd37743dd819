'use strict';
// The four Draaiboek services as the benchmarks and the fault suite run them: each compiled
// service definition (dist/out, built by bench/run.js or tools/faults/run.js) and the registry
// topics it consumes (names without a prefix; its consumer group is the service's name).

const SERVICES = {
  intake: { modulePath: 'dist/out/apps/intake/src/intake.service.js', exportName: 'intakeService', topics: ['municipal.arrivals.v1'] },
  'practice-notification': {
    modulePath: 'dist/out/apps/practice-notification/src/practice-notification.service.js',
    exportName: 'practiceNotificationService',
    topics: ['intake.refugee-groups.v1', 'clinic-scheduling.shifts.v1'],
  },
  'clinic-scheduling': {
    modulePath: 'dist/out/apps/clinic-scheduling/src/clinic-scheduling.service.js',
    exportName: 'clinicSchedulingService',
    topics: ['intake.refugee-groups.v1', 'practice-notification.notifications.v1', 'practice-notification.directory.v1', 'practice-notification.caseload.v1'],
  },
  declarations: {
    modulePath: 'dist/out/apps/declarations/src/declarations.service.js',
    exportName: 'declarationsService',
    topics: ['clinic-scheduling.sessions.v1', 'clinic-scheduling.consultations.v1'],
  },
};

module.exports = { SERVICES };
