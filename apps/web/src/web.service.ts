import { MailOutbox1763940000000 } from '@draaiboek/platform';
import { ServiceDefinition } from '@draaiboek/messaging';
import { WebConfig } from './config/web.config';
import { WebSignIn1764300000000 } from './migrations/1764300000000-web-sign-in';
import { WebModule } from './modules/web.module';

export const webService: ServiceDefinition<WebConfig> = {
  name: 'web',
  description: 'The web app for the coordination, practices, GPs and finance: pages, sign-in by e-mail link, live updates.',
  schema: 'web',
  defaultPort: 3000,
  configClass: WebConfig,
  entities: [],
  migrations: [MailOutbox1763940000000, WebSignIn1764300000000],
  modules: (config) => [WebModule.forConfig(config)],
};
