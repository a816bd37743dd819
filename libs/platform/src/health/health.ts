import { Controller, Get, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/auth.guard';

export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Components register what readiness depends on (Postgres, Kafka) at start-up. */
@Injectable()
export class HealthService {
  private readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  async readiness(): Promise<{ status: 'ok' | 'unavailable'; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 3000);
          results[c.name] = 'ok';
        } catch (error) {
          results[c.name] = `failed: ${(error as Error).message}`;
        }
      }),
    );
    const ok = Object.values(results).every((r) => r === 'ok');
    return { status: ok ? 'ok' : 'unavailable', checks: results };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process runs and answers. */
  @Public()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Postgres and Kafka answer: send traffic here. */
  @Public()
  @Get('ready')
  async ready(): Promise<unknown> {
    const result = await this.health.readiness();
    if (result.status !== 'ok') throw new ServiceUnavailableException(result);
    return result;
  }
}
