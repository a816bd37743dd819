import { ConfigError, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

const valid = { DATABASE_URL: 'postgres://u@localhost:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('loadConfig (the one config loader)', () => {
  it('fails fast, naming every variable that is missing or wrong', () => {
    try {
      loadConfig('intake', ServiceConfig, { KAFKA_BROKERS: 'a b', HTTP_PORT: '70000' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('intake: invalid configuration');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('KAFKA_BROKERS');
      expect(message).toContain('HTTP_PORT');
    }
  });

  it('converts numbers and keeps defaults for what is not set', () => {
    const config = loadConfig('intake', ServiceConfig, { ...valid, HTTP_PORT: '3005' });
    expect(config.HTTP_PORT).toBe(3005);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.KAFKA_TOPIC_PREFIX).toBeUndefined();
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig('intake', ServiceConfig, { ...valid, KAFKA_TOPIC_PREFIX: '' }).KAFKA_TOPIC_PREFIX).toBeUndefined();
  });

  it('rejects a topic prefix that would glue onto the topic name', () => {
    expect(() => loadConfig('intake', ServiceConfig, { ...valid, KAFKA_TOPIC_PREFIX: 'drenthe' })).toThrow(/KAFKA_TOPIC_PREFIX/);
    expect(loadConfig('intake', ServiceConfig, { ...valid, KAFKA_TOPIC_PREFIX: 'drenthe.' }).KAFKA_TOPIC_PREFIX).toBe('drenthe.');
  });
});

describe('numbers in a service config', () => {
  it('are converted from text whatever way the code was compiled', () => {
    class WithDefaults extends ServiceConfig {}
    const config = loadConfig('x', WithDefaults, { ...valid, HTTP_PORT: '8080' });
    expect(config.HTTP_PORT).toBe(8080);
  });
});
