import { ServiceDefinition } from '@draaiboek/messaging';
import { MailOutbox1763940000000 } from '@draaiboek/platform';
import { PracticeNotificationConfig } from './config/practice-notification.config';
import { PracticeNotificationInitial1763856200000 } from './migrations/1763856200000-practice-notification-initial';
import { DirectoryAndSignals1763950000000 } from './migrations/1763950000000-directory-and-signals';
import { CaseloadModule } from './modules/caseload/caseload.module';
import { DirectoryModule } from './modules/directory/directory.module';
import { MailModule } from './modules/mail/mail.module';
import { ArrivedGroupRecord } from './modules/signals/database/arrived-group.orm-entity';
import { SignalsModule } from './modules/signals/signals.module';

export const practiceNotificationService: ServiceDefinition<PracticeNotificationConfig> = {
  name: 'practice-notification',
  description: 'Signals GP practices about arrivals, records their choice, and keeps the care-burden overview.',
  schema: 'practice_notification',
  defaultPort: 3002,
  configClass: PracticeNotificationConfig,
  entities: [ArrivedGroupRecord],
  migrations: [PracticeNotificationInitial1763856200000, MailOutbox1763940000000, DirectoryAndSignals1763950000000],
  modules: (config) => [DirectoryModule.forConfig(config), MailModule.forConfig(config), SignalsModule, CaseloadModule],
};
