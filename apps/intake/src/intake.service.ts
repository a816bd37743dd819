import { ServiceDefinition } from '@draaiboek/messaging';
import { IntakeConfig } from './config/intake.config';
import { IntakeInitial1763856100000 } from './migrations/1763856100000-intake-initial';
import { ArrivalsModule } from './modules/arrivals/arrivals.module';
import { ReceptionLocationRecord } from './modules/arrivals/database/reception-location.orm-entity';
import { RefugeeGroupRecord } from './modules/arrivals/database/refugee-group.orm-entity';

export const intakeService: ServiceDefinition<IntakeConfig> = {
  name: 'intake',
  description: 'Arrivals of refugee groups from municipal systems: the coordination\'s only door for municipalities.',
  schema: 'intake',
  defaultPort: 3001,
  configClass: IntakeConfig,
  entities: [RefugeeGroupRecord, ReceptionLocationRecord],
  migrations: [IntakeInitial1763856100000],
  modules: () => [ArrivalsModule],
};
