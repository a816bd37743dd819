import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventContract, EventEnvelope, fixtureFileName } from '@draaiboek/contracts';

/** The committed example of an event version (libs/contracts/fixtures). */
export function loadContractFixture<T>(contract: EventContract<T & object>): EventEnvelope<T> {
  return JSON.parse(readFileSync(join(__dirname, '../../../contracts/fixtures', fixtureFileName(contract)), 'utf8'));
}
