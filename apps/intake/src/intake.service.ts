import { ServiceDefinition } from '@draaiboek/messaging';
import { IntakeConfig } from './config/intake.config';
import { IntakeInitial1763856100000 } from './migrations/1763856100000-intake-initial';
import { GroupLifecycle1763900000000 } from './migrations/1763900000000-group-lifecycle';
import { ArrivalsModule } from './modules/arrivals/arrivals.module';
import { GroupChangeRecord } from './modules/arrivals/database/group-change.orm-entity';
import { PopulationEntryRecord } from './modules/arrivals/database/population-entry.orm-entity';
import { ReceptionLocationRecord } from './modules/arrivals/database/reception-location.orm-entity';
import { RefugeeGroupRecord } from './modules/arrivals/database/refugee-group.orm-entity';

export const intakeService: ServiceDefinition<IntakeConfig> = {
  name: 'intake',
  description: 'Arrivals of refugee groups from municipal systems: the coordination\'s only door for municipalities.',
  schema: 'intake',
  defaultPort: 3001,
  configClass: IntakeConfig,
  entities: [RefugeeGroupRecord, ReceptionLocationRecord, GroupChangeRecord, PopulationEntryRecord],
  migrations: [IntakeInitial1763856100000, GroupLifecycle1763900000000],
  modules: (config) => [ArrivalsModule.forConfig(config)],
};
