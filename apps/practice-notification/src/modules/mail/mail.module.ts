import { DynamicModule, Inject, Injectable, LoggerService, Module, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger, MailSender, registerMailMetrics, ServiceMetrics } from '@draaiboek/platform';
import { PracticeNotificationConfig } from '../../config/practice-notification.config';

export const MAIL_SENDER_LOGGER = Symbol('MAIL_SENDER_LOGGER');

@Injectable()
class MailSenderLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MailSender) private readonly sender: MailSender,
    private readonly metrics: ServiceMetrics,
    private readonly dataSource: DataSource,
  ) {}
  onApplicationBootstrap(): void {
    registerMailMetrics(this.metrics, this.dataSource);
    this.sender.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.sender.stop();
  }
}

/** Sends the service's mail outbox over SMTP, after the transactions that queued the mail. */
@Module({})
export class MailModule {
  static forConfig(config: PracticeNotificationConfig): DynamicModule {
    return {
      module: MailModule,
      global: true,
      providers: [
        { provide: MAIL_SENDER_LOGGER, useValue: new JsonLogger('practice-notification', config.LOG_LEVEL) },
        {
          provide: MailSender,
          inject: [DataSource, MAIL_SENDER_LOGGER],
          useFactory: (db: DataSource, logger: LoggerService) =>
            new MailSender(db, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, pollIntervalMs: 200, initialBackoffMs: 500 }, logger),
        },
        MailSenderLifecycle,
      ],
      exports: [MailSender, MAIL_SENDER_LOGGER],
    };
  }
}
