import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, LoggerService, MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap } from '@nestjs/common';
import { urlencoded } from 'express';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { JsonLogger, MailSender, PersonTokenSigner } from '@draaiboek/platform';
import { WebConfig } from '../config/web.config';
import { TellBrowsersWhenSomethingChangedHandlers } from './live/changes.handlers';
import { LiveHub } from './live/live-hub';
import { CalendarFeeds } from './pages/calendar-feeds';
import { CoordinationHttpController } from './pages/coordination.http.controller';
import { PeoplePagesHttpController } from './pages/people.http.controller';
import { WEB_LOGGER, WebPagesFilter } from './pages/render';
import { SiteHttpController } from './pages/site.http.controller';
import { WebRequestMiddleware } from './pages/web-request';
import { PeopleDirectory } from './sign-in/people-directory';
import { ServicesClient } from './sign-in/services-client';
import { SessionStore } from './sign-in/session-store';
import { SignInHttpController } from './sign-in/sign-in.http.controller';

@Injectable()
class MailSenderLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MailSender) private readonly sender: MailSender) {}
  onApplicationBootstrap(): void {
    this.sender.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.sender.stop();
  }
}

const PAGES = [SignInHttpController, CoordinationHttpController, PeoplePagesHttpController, SiteHttpController];

export function signingKeyOf(config: WebConfig): string {
  const pem = config.PERSON_TOKEN_PRIVATE_KEY ?? (config.PERSON_TOKEN_PRIVATE_KEY_FILE ? readFileSync(config.PERSON_TOKEN_PRIVATE_KEY_FILE, 'utf8') : undefined);
  if (!pem) throw new Error('web: invalid configuration\n  - PERSON_TOKEN_PRIVATE_KEY or PERSON_TOKEN_PRIVATE_KEY_FILE is required (the Ed25519 key person tokens are signed with)');
  return pem;
}

/** The web app: pages for people, sign-in, live updates; every query and command goes to the services. */
@Module({})
export class WebModule implements NestModule {
  static forConfig(config: WebConfig): DynamicModule {
    const pem = signingKeyOf(config);
    return {
      module: WebModule,
      controllers: [...PAGES, TellBrowsersWhenSomethingChangedHandlers],
      providers: [
        { provide: PersonTokenSigner, useValue: new PersonTokenSigner(pem, config.PERSON_TOKEN_KEY_ID, 120) },
        { provide: CalendarFeeds, useValue: new CalendarFeeds(pem) },
        { provide: WEB_LOGGER, useValue: new JsonLogger('web', config.LOG_LEVEL) },
        {
          provide: MailSender,
          inject: [DataSource, WEB_LOGGER],
          useFactory: (db: DataSource, logger: LoggerService) =>
            new MailSender(db, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, pollIntervalMs: 500, initialBackoffMs: 500, maxAttempts: 5 }, logger),
        },
        MailSenderLifecycle,
        ServicesClient,
        PeopleDirectory,
        SessionStore,
        LiveHub,
        WebRequestMiddleware,
        WebPagesFilter,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(urlencoded({ extended: false, limit: '256kb', parameterLimit: 20000 }), WebRequestMiddleware).forRoutes(...PAGES);
  }
}
