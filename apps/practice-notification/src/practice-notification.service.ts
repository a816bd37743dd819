import { ServiceDefinition } from '@draaiboek/messaging';
import { PracticeNotificationConfig } from './config/practice-notification.config';
import { PracticeNotificationInitial1763856200000 } from './migrations/1763856200000-practice-notification-initial';
import { ArrivedGroupRecord } from './modules/signals/database/arrived-group.orm-entity';
import { SignalsModule } from './modules/signals/signals.module';

export const practiceNotificationService: ServiceDefinition<PracticeNotificationConfig> = {
  name: 'practice-notification',
  description: 'Signals GP practices about arrivals, records their choice, and keeps the care-burden overview.',
  schema: 'practice_notification',
  defaultPort: 3002,
  configClass: PracticeNotificationConfig,
  entities: [ArrivedGroupRecord],
  migrations: [PracticeNotificationInitial1763856200000],
  modules: () => [SignalsModule],
};
