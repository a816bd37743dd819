import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '@draaiboek/contracts';

export class ConfigError extends Error {
  constructor(readonly service: string, readonly problems: string[]) {
    super(`${service}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The one config loader: environment variables validated by a class-validator class.
 * Fails fast at start-up with every problem listed, naming the variables.
 */
export function loadConfig<T extends object>(
  service: string,
  cls: new () => T,
  source: Record<string, string | undefined> = process.env,
): T {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== '') present[key] = value;
  }
  const instance = plainToInstance(cls, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true });
  if (errors.length > 0) {
    throw new ConfigError(
      service,
      flattenValidationErrors(errors).map((e) => `${e.field}: ${e.messages.join('; ')}`),
    );
  }
  return instance;
}
