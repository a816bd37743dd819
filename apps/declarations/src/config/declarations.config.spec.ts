import { loadConfig, ServiceConfig } from '@draaiboek/platform';
import { DeclarationsConfig } from './declarations.config';

const valid = { DATABASE_URL: 'postgres://u@localhost:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('declarations configuration: fetch and chunk size (decision 0036)', () => {
  it('fetches 4 MiB per partition in chunks of 500 unless told otherwise, where other services keep 1 MiB and 1000', () => {
    const declarations = loadConfig('declarations', DeclarationsConfig, valid);
    expect([declarations.KAFKA_FETCH_BYTES_PER_PARTITION, declarations.KAFKA_CHUNK_EVENTS]).toEqual([4194304, 500]);
    const other = loadConfig('intake', ServiceConfig, valid);
    expect([other.KAFKA_FETCH_BYTES_PER_PARTITION, other.KAFKA_CHUNK_EVENTS]).toEqual([1048576, 1000]);
  });

  it('takes both from the environment, and refuses values out of range, naming them', () => {
    const config = loadConfig('declarations', DeclarationsConfig, { ...valid, KAFKA_FETCH_BYTES_PER_PARTITION: '2097152', KAFKA_CHUNK_EVENTS: '250' });
    expect([config.KAFKA_FETCH_BYTES_PER_PARTITION, config.KAFKA_CHUNK_EVENTS]).toEqual([2097152, 250]);
    expect(() => loadConfig('declarations', DeclarationsConfig, { ...valid, KAFKA_FETCH_BYTES_PER_PARTITION: '1000', KAFKA_CHUNK_EVENTS: '0' })).toThrow(
      /KAFKA_FETCH_BYTES_PER_PARTITION[\s\S]*KAFKA_CHUNK_EVENTS|KAFKA_CHUNK_EVENTS[\s\S]*KAFKA_FETCH_BYTES_PER_PARTITION/,
    );
  });
});
