import { ServiceDefinition } from '@draaiboek/messaging';
import { ClinicSchedulingConfig } from './config/clinic-scheduling.config';
import { ClinicSchedulingInitial1763856300000 } from './migrations/1763856300000-clinic-scheduling-initial';
import { CentralLocationsAndRoster1764000000000 } from './migrations/1764000000000-central-locations-and-roster';
import { CentralLocationsModule } from './modules/central-locations/central-locations.module';
import { CentralLocationRecord } from './modules/central-locations/database/central-location.orm-entity';
import { KnownGroupRecord } from './modules/central-locations/database/known-group.orm-entity';
import { SessionRecord } from './modules/central-locations/database/session.orm-entity';
import { RosterModule } from './modules/roster/roster.module';
import { CadenceModule } from './modules/cadence/cadence.module';
import { CadenceRecommendations1764000200000 } from './migrations/1764000200000-cadence-recommendations';
import { Consultations1764000100000 } from './migrations/1764000100000-consultations';
import { ConsultationsModule } from './modules/consultations/consultations.module';
import { ConsultationRecord } from './modules/consultations/database/consultation.orm-entity';
import { SessionAttendanceRecord } from './modules/consultations/database/session-attendance.orm-entity';


export const clinicSchedulingService: ServiceDefinition<ClinicSchedulingConfig> = {
  name: 'clinic-scheduling',
  description: 'Central locations, consultation hours (sessions), fair GP shifts and consultations held.',
  schema: 'clinic_scheduling',
  defaultPort: 3003,
  configClass: ClinicSchedulingConfig,
  entities: [KnownGroupRecord, CentralLocationRecord, SessionRecord, ConsultationRecord, SessionAttendanceRecord],
  migrations: [ClinicSchedulingInitial1763856300000, CentralLocationsAndRoster1764000000000, Consultations1764000100000, CadenceRecommendations1764000200000],
  modules: () => [CentralLocationsModule, RosterModule, ConsultationsModule, CadenceModule],
};
