// The e2e project is the one place that starts every service together.
export { intakeService } from '@draaiboek/intake';
export { practiceNotificationService } from '@draaiboek/practice-notification';
export { clinicSchedulingService } from '@draaiboek/clinic-scheduling';
export { declarationsService } from '@draaiboek/declarations';
export { webService } from '@draaiboek/web';
