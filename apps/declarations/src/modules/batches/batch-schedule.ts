import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger, SERVICE_CONFIG } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../config/declarations.config';
import { BatchService } from './batch.service';

/** Closes the batches of finished weeks on schedule (finance can also close by hand). */
@Injectable()
export class BatchSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly logger: JsonLogger;

  constructor(
    private readonly batches: BatchService,
    @Inject(SERVICE_CONFIG) private readonly config: DeclarationsConfig,
  ) {
    this.logger = new JsonLogger('declarations', config.LOG_LEVEL);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.batches
        .close('schedule')
        .then((r) => r.closed.length && this.logger.log({ msg: 'batches closed on schedule', batches: r.closed.length }, 'BatchSchedule'))
        .catch((error) => this.logger.error({ msg: 'scheduled batch close failed', error: (error as Error).message }, 'BatchSchedule'))
        .finally(() => (this.running = undefined));
    }, this.config.BATCH_CLOSE_INTERVAL_SECONDS * 1000);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
