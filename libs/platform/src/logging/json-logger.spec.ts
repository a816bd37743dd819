import { runWithCorrelation } from './correlation';
import { JsonLogger } from './json-logger';

describe('JsonLogger', () => {
  it('writes one JSON line with level, service, context and the correlation id of the work in progress', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('intake', 'info', (l) => lines.push(l));
    runWithCorrelation({ correlationId: 'corr-1' }, () => logger.log({ msg: 'arrival stored', groupId: 'g-1' }, 'Arrivals'));
    expect(JSON.parse(lines[0])).toEqual(
      expect.objectContaining({ level: 'info', service: 'intake', context: 'Arrivals', msg: 'arrival stored', groupId: 'g-1', correlationId: 'corr-1' }),
    );
  });

  it('drops entries below the configured level', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('intake', 'warn', (l) => lines.push(l));
    logger.log('chatty');
    logger.debug('chattier');
    logger.warn('worth seeing');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['worth seeing']);
  });

  it('logs an error with its stack', () => {
    const lines: string[] = [];
    new JsonLogger('intake', 'info', (l) => lines.push(l)).error(new Error('boom'), 'Ctx');
    const entry = JSON.parse(lines[0]);
    expect(entry).toEqual(expect.objectContaining({ level: 'error', msg: 'boom', context: 'Ctx' }));
    expect(entry.err.stack).toContain('boom');
  });
});
