import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import request from 'supertest';
import { parseAllDocuments, stringify } from 'yaml';
import { ALL_TOPICS } from '@draaiboek/contracts';
import { RunningService, ServiceDefinition } from '@draaiboek/messaging';
import { createTestSystem, TestSystem } from '@draaiboek/messaging/testing';
import { ServiceConfig } from '@draaiboek/platform';
import { asyncApiDocument, Subscriptions } from '../../../tools/docs/asyncapi';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

jest.setTimeout(120_000);

/**
 * docs/asyncapi.yaml and docs/openapi/<service>.json are what the code generates: the running
 * services' OpenAPI, their subscriptions and the contracts library. `npm run docs` writes them
 * (DRAAIBOEK_WRITE_DOCS=1); otherwise this test fails on any difference.
 */
const root = join(__dirname, '../../..');
const writing = process.env.DRAAIBOEK_WRITE_DOCS === '1';

function expectCommitted(path: string, generated: string): void {
  const file = join(root, path);
  if (writing) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generated);
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${path} is missing: run \`npm run docs\` and commit it`);
  }
  if (committed !== generated) throw new Error(`${path} differs from what the code generates: run \`npm run docs\` and commit the result`);
}

describe('contracts as documents, and the autoscalers, match the running services', () => {
  let system: TestSystem;
  let services: Array<RunningService<ServiceConfig>>;

  beforeAll(async () => {
    system = await createTestSystem();
    services = [];
    const definitions = [intakeService, practiceNotificationService, clinicSchedulingService, declarationsService] as unknown as Array<ServiceDefinition<ServiceConfig>>;
    for (const definition of definitions) services.push(await system.start(definition));
  });

  afterAll(async () => {
    await system?.stop();
  });

  const subscriptions = (): Subscriptions => Object.fromEntries(services.map((s) => [s.name, s.subscriptions.eventTypes]));

  it('docs/openapi/<service>.json is the OpenAPI document each service serves', async () => {
    for (const service of services) {
      const { body } = await request(service.url).get('/docs-json').expect(200);
      expect(body.info.title).toBe(`Draaiboek ${service.name}`);
      expectCommitted(`docs/openapi/${service.name}.json`, `${JSON.stringify(body, null, 2)}\n`);
    }
  });

  it('docs/asyncapi.yaml is valid AsyncAPI, generated from the contracts and the services that consume each topic', async () => {
    const document = asyncApiDocument(subscriptions());
    const text = stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    // Severity 0 is an error, 1 a warning; information and hints may stay.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(parsed?.channels().all().map((c) => c.address())).toEqual(ALL_TOPICS.map((t) => t.name));
    // What the document says follows the code: every handled event is a receive operation of its service.
    for (const service of services) {
      expect(service.subscriptions.eventTypes.length).toBeGreaterThan(0);
      const received = Object.entries<any>(document.operations)
        .filter(([id, op]) => id.startsWith(`${service.name}.receive.`) && op.action === 'receive')
        .flatMap(([, op]) => op.messages.map((m: { $ref: string }) => m.$ref));
      expect(received).toHaveLength(service.subscriptions.eventTypes.length);
    }
    expect(document.operations['declarations.receive.consultations']).toBeDefined();
    expect(document.components.schemas.RefugeeGroupArrivedV1.properties.headcount).toMatchObject({ type: 'integer' });
    expectCommitted('docs/asyncapi.yaml', text);
  });

  it("each consuming service's autoscaler stops at the partition count of the topics it consumes", () => {
    const manifests = services.map((s) => s.name).map((name) => {
      const objects = parseAllDocuments(readFileSync(join(root, `deploy/k8s/${name}.yaml`), 'utf8')).map((d) => d.toJS());
      return { name, hpa: objects.find((o) => o.kind === 'HorizontalPodAutoscaler') };
    });
    for (const service of services) {
      const partitions = Math.max(...service.subscriptions.topics.map((t) => t.partitions));
      expect({ service: service.name, maxReplicas: manifests.find((m) => m.name === service.name)!.hpa.spec.maxReplicas }).toEqual({
        service: service.name,
        maxReplicas: partitions,
      });
    }
  });
});
