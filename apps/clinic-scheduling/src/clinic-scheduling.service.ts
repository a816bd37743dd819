import { ServiceDefinition } from '@draaiboek/messaging';
import { ClinicSchedulingConfig } from './config/clinic-scheduling.config';
import { ClinicSchedulingInitial1763856300000 } from './migrations/1763856300000-clinic-scheduling-initial';
import { CentralLocationsAndRoster1764000000000 } from './migrations/1764000000000-central-locations-and-roster';
import { CentralLocationsModule } from './modules/central-locations/central-locations.module';
import { CentralLocationRecord } from './modules/central-locations/database/central-location.orm-entity';
import { KnownGroupRecord } from './modules/central-locations/database/known-group.orm-entity';
import { SessionRecord } from './modules/central-locations/database/session.orm-entity';
import { RosterModule } from './modules/roster/roster.module';


export const clinicSchedulingService: ServiceDefinition<ClinicSchedulingConfig> = {
  name: 'clinic-scheduling',
  description: 'Central locations, consultation hours (sessions), fair GP shifts and consultations held.',
  schema: 'clinic_scheduling',
  defaultPort: 3003,
  configClass: ClinicSchedulingConfig,
  entities: [KnownGroupRecord, CentralLocationRecord, SessionRecord],
  migrations: [ClinicSchedulingInitial1763856300000, CentralLocationsAndRoster1764000000000],
  modules: () => [CentralLocationsModule, RosterModule],
};
