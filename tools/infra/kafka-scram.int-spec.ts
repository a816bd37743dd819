import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, kafkaSecurityFrom } from '@draaiboek/messaging';

// The suite's own broker runtime (jars from Maven Central), started here with a SCRAM listener:
// the services' SASL settings (libs/messaging kafkaSecurityFrom) against a broker that requires them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaLocal = require('./kafka-local') as {
  ensureKafkaRuntime(options?: object): Promise<{ version: string; libs: string }>;
  findFreePort(): Promise<number>;
  _internal: { serverProperties(o: { version: string; port: number; controllerPort: number; dataDir: string }): string; randomClusterId(): string };
};

jest.setTimeout(180_000);

const PASSWORD = `intake-${randomBytes(8).toString('hex')}`;

/** A single-node broker whose only client listener requires SASL/SCRAM-SHA-512. */
async function startScramBroker(): Promise<{ brokers: string; stop: () => Promise<void> }> {
  const { version, libs } = await kafkaLocal.ensureKafkaRuntime();
  const [port, controllerPort] = [await kafkaLocal.findFreePort(), await kafkaLocal.findFreePort()];
  const dir = mkdtempSync(join(tmpdir(), 'draaiboek-kafka-scram-'));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'server.properties');
  const base = kafkaLocal._internal
    .serverProperties({ version, port, controllerPort, dataDir })
    .split('\n')
    .filter((l) => !/^(listeners|advertised\.listeners|inter\.broker\.listener\.name|listener\.security\.protocol\.map)=/.test(l));
  writeFileSync(
    config,
    [
      ...base,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";',
    ].join('\n') + '\n',
  );
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const jvm = ['-Xms128m', '-Xmx384m', '-cp', join(libs, '*')];
  const format = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', kafkaLocal._internal.randomClusterId(), '-c', config,
    '--add-scram', 'SCRAM-SHA-512=[name=broker,password=broker-secret]', '--add-scram', `SCRAM-SHA-512=[name=intake,password=${PASSWORD}]`], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`formatting the SCRAM broker failed: ${format.stderr || format.stdout}`);
  const log = openSync(join(dir, 'kafka.log'), 'a');
  const broker: ChildProcess = spawn(java, [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', log, log] });
  return {
    brokers: `127.0.0.1:${port}`,
    stop: async () => {
      if (broker.exitCode === null) {
        const exited = new Promise((resolve) => broker.once('exit', resolve));
        broker.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (broker.exitCode === null) broker.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('Kafka SASL/SCRAM against a real broker that requires it', () => {
  let broker: Awaited<ReturnType<typeof startScramBroker>>;
  const clientFor = (password: string) =>
    createKafka({
      clientId: 'intake',
      brokers: [broker.brokers],
      topicPrefix: '',
      ...kafkaSecurityFrom({ KAFKA_TLS: 'false', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: password }),
    });

  beforeAll(async () => {
    broker = await startScramBroker();
    // Ready when a client with the right password is answered.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const admin = clientFor(PASSWORD).admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('connects, creates a topic and publishes with the credentials from the environment', async () => {
    const kafka = clientFor(PASSWORD);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'scram.check.v1', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'scram.check.v1', acks: -1, messages: [{ key: 'k', value: 'v' }] });
    await producer.disconnect();
    expect(sent.errorCode).toBe(0);
  });

  it('is refused with a wrong password', async () => {
    const admin = createKafka({
      clientId: 'intake',
      brokers: [broker.brokers],
      topicPrefix: '',
      ...kafkaSecurityFrom({ KAFKA_TLS: 'false', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: 'wrong' }),
    }).admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
    await admin.disconnect().catch(() => undefined);
  });
});
