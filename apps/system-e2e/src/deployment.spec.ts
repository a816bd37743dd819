import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import * as ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { ServiceDefinition, SERVICE_COMMANDS } from '@draaiboek/messaging';
import { loadConfig, ServiceConfig } from '@draaiboek/platform';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

/**
 * The compose file, the Dockerfile and the Kubernetes manifests are checked against the code
 * they deploy: every service, port and variable. There is no Docker engine or cluster here, so
 * the files are parsed; Kubernetes objects are validated with the schemas kubernetes-models ships.
 */
const root = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serviceNodeFlags, semiSpaceMib, DEFAULT_SEMI_SPACE_MIB } = require(join(root, 'tools/run/service-node-flags.js')) as {
  serviceNodeFlags: (service: string) => string[];
  semiSpaceMib: (service: string) => number;
  DEFAULT_SEMI_SPACE_MIB: number;
};

interface Deployable {
  name: string;
  port: number;
  /** The service's configuration class; undefined while the app is not on this branch. */
  configClass?: new () => ServiceConfig;
}

function fromDefinition(definition: ServiceDefinition<ServiceConfig>): Deployable {
  return { name: definition.name, port: definition.defaultPort, configClass: definition.configClass };
}

/** apps/web is built on another branch; once it is here, its block is checked like the others'. */
function webApp(): Deployable {
  const file = join(root, 'apps/web/src/config/web.config.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const configClass = existsSync(file) ? (require(file).WebConfig as new () => ServiceConfig) : undefined;
  return { name: 'web', port: 3000, configClass };
}

const SERVICES: Deployable[] = [intakeService, practiceNotificationService, clinicSchedulingService, declarationsService].map((d) =>
  fromDefinition(d as unknown as ServiceDefinition<ServiceConfig>),
);
const DEPLOYABLES = [...SERVICES, webApp()];

/** The variables a configuration class reads (each has at least one validation decorator). */
function variablesOf(configClass: new () => ServiceConfig): Set<string> {
  return new Set(getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false).map((m) => m.propertyName));
}

/** A deployment's environment must load in the service, and name no variable the service does not read. */
function expectValidEnvironment(service: Deployable, env: Record<string, string>): void {
  expect(env.HTTP_PORT).toBe(String(service.port));
  const configClass = service.configClass ?? ServiceConfig;
  expect(() => loadConfig(service.name, configClass, env)).not.toThrow();
  if (service.configClass) {
    const known = variablesOf(service.configClass);
    expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
  }
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });
  const services: Record<string, any> = compose.services;

  it.each(DEPLOYABLES.map((d) => [d.name, d]))('%s: image from the service Dockerfile, port, variables the service reads, health check', (_name, service) => {
    const block = services[service.name];
    expect(block).toBeDefined();
    // The service's young generation, as every other way of starting it sets it (decision 0032).
    const semiSpace = semiSpaceMib(service.name) === DEFAULT_SEMI_SPACE_MIB ? {} : { SEMI_SPACE_MIB: String(semiSpaceMib(service.name)) };
    expect(block.build).toEqual({ context: '.', dockerfile: 'deploy/docker/service.Dockerfile', args: { SERVICE: service.name, PORT: String(service.port), ...semiSpace } });
    expect(block.ports).toEqual([`${service.port}:${service.port}`]);
    expectValidEnvironment(service, block.environment);
    expect(block.healthcheck.test).toEqual(['CMD', 'wget', '-qO-', `http://127.0.0.1:${service.port}/health/ready`]);
  });

  it('starts every service after Kafka and Postgres answer and the topics exist; the web app after the services', () => {
    for (const service of DEPLOYABLES) {
      expect(services[service.name].depends_on).toMatchObject({
        kafka: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        topics: { condition: 'service_completed_successfully' },
      });
    }
    for (const service of SERVICES) expect(services.web.depends_on[service.name]).toEqual({ condition: 'service_healthy' });
    for (const infra of ['kafka', 'postgres', 'mailcatcher']) expect(services[infra].healthcheck).toBeDefined();
    expect(services.topics.command).toEqual(['provision-topics']);
    expect(Object.keys(SERVICE_COMMANDS)).toContain('provision-topics');
  });

  it('points every service at hosts that exist on the compose network, with their ports', () => {
    const kafka = services.kafka.environment;
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    for (const service of DEPLOYABLES) {
      const env = services[service.name].environment;
      for (const broker of env.KAFKA_BROKERS.split(',')) expect(kafka.KAFKA_ADVERTISED_LISTENERS).toContain(`PLAINTEXT://${broker}`);
      const database = new URL(env.DATABASE_URL);
      expect(database.hostname).toBe('postgres');
      expect(`${database.username}:${decodeURIComponent(database.password)}`).toBe(`${services.postgres.environment.POSTGRES_USER}:${services.postgres.environment.POSTGRES_PASSWORD}`);
      if (env.SMTP_URL) expect(services[new URL(env.SMTP_URL).hostname]).toBeDefined();
      for (const [key, value] of Object.entries<string>(env)) {
        const target = /^http:\/\/([a-z-]+):(\d+)$/.exec(value);
        if (key.endsWith('_URL') && target && target[1] !== '127.0.0.1') {
          expect(DEPLOYABLES.find((d) => d.name === target[1])?.port).toBe(Number(target[2]));
        }
      }
      // The mounted API key file is where API_KEYS_FILE says.
      expect(services[service.name].volumes.map((v: string) => v.split(':')[1])).toContain(env.API_KEYS_FILE);
    }
  });
});

describe('deploy/docker/service.Dockerfile', () => {
  const dockerfile = read('deploy/docker/service.Dockerfile').replace(/\\\n/g, ' ');
  const instructions = dockerfile
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [instruction, ...rest] = l.split(/\s+/);
      return { instruction: instruction.toUpperCase(), args: rest.join(' ') };
    });
  // Each FROM opens a stage; ARGs before the first FROM are global.
  const stages: Array<typeof instructions> = [];
  for (const i of instructions) {
    if (i.instruction === 'FROM') stages.push([i]);
    else stages[stages.length - 1]?.push(i);
  }
  const runtime = stages[stages.length - 1];

  it('is multi-stage: the runtime stage copies the compiled output and production dependencies from the build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0][0].args).toMatch(/ AS build$/);
    expect(runtime.filter((i) => i.instruction === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args)).toEqual([
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
    expect(stages[0].find((i) => i.instruction === 'RUN' && i.args.includes('npm prune --omit=dev'))).toBeDefined();
    // Only the one service's sources go into its image.
    expect(stages[0].filter((i) => i.instruction === 'COPY').map((i) => i.args)).toContain('apps/${SERVICE} ./apps/${SERVICE}');
  });

  it('runs as a non-root user, exposes the service port and checks liveness on it', () => {
    const users = runtime.filter((i) => i.instruction === 'USER').map((i) => i.args);
    expect(users).toEqual(['node']);
    expect(runtime.find((i) => i.instruction === 'EXPOSE')?.args).toBe('${PORT}');
    expect(runtime.find((i) => i.instruction === 'ENV')?.args).toContain('HTTP_PORT=${PORT}');
    expect(runtime.find((i) => i.instruction === 'HEALTHCHECK')?.args).toContain('http://127.0.0.1:${HTTP_PORT}/health/live');
  });

  it("starts the service's compiled main.ts, and passes a command (migrate, provision-topics) through", () => {
    const entrypoint = JSON.parse(runtime.find((i) => i.instruction === 'ENTRYPOINT')!.args);
    expect(entrypoint).toEqual(['node', '-r', './tools/run/register-paths.js', 'dist/out/main.js']);
    // The same V8 flags as every other way of starting a service (decision 0032), with the build
    // argument SEMI_SPACE_MIB (the compose test checks each service's) in its place.
    expect(runtime.find((i) => i.instruction === 'ARG' && i.args.startsWith('SEMI_SPACE_MIB='))?.args).toBe(`SEMI_SPACE_MIB=${DEFAULT_SEMI_SPACE_MIB}`);
    const options = /NODE_OPTIONS="([^"]*)"/.exec(runtime.find((i) => i.instruction === 'ENV' && i.args.includes('NODE_OPTIONS'))?.args ?? '')?.[1];
    for (const service of DEPLOYABLES) {
      expect(options?.replace('${SEMI_SPACE_MIB}', String(semiSpaceMib(service.name))).split(' ')).toEqual(serviceNodeFlags(service.name));
    }
    expect(dockerfile).toContain(`printf "require('./apps/%s/src/main.js');\\n" "\${SERVICE}" > dist/out/main.js`);
    for (const service of SERVICES) expect(existsSync(join(root, `apps/${service.name}/src/main.ts`))).toBe(true);
    expect(existsSync(join(root, 'tools/run/register-paths.js'))).toBe(true);
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', 'tmp']));
  });
});

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

/** The kubernetes-models class for an object: `apps/v1` -> kubernetes-models/apps/v1, `v1` -> kubernetes-models/v1. */
function modelOf(object: K8sObject): new (data: object) => { validate(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(`kubernetes-models/${object.apiVersion}`);
  const model = models[object.kind];
  if (!model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

/**
 * The schema validation accepts fields it does not know, and so does the API server (kubectl
 * only warns): a misspelt `readinesProbe` would be dropped without a word. The typed models of
 * kubernetes-models have no such gap, so each object is type-checked against its interface.
 */
function unknownOrMistypedFields(objects: K8sObject[]): string[] {
  const file = join(root, 'tmp/k8s-manifests.typecheck.ts');
  const source = objects
    .map((o, i) => `import { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}';\nexport const o${i}: T${i} = ${JSON.stringify(o)};`)
    .join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10 };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest));
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? source : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const index = d.file && d.start !== undefined ? Number(/^export const o(\d+)/.exec(source.slice(source.lastIndexOf('\nexport const o', d.start) + 1))?.[1]) : NaN;
    const object = objects[index];
    return `${object ? `${object.kind} ${object.metadata.name}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('deploy/k8s', () => {
  const folder = 'deploy/k8s';
  const files = readdirSync(join(root, folder)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const objects: K8sObject[] = files.flatMap((file) =>
    parseAllDocuments(read(`${folder}/${file}`)).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject;
    }),
  );
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('every object is valid against the Kubernetes schemas, and kustomization.yaml applies every file', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const Model = modelOf(object);
      expect(() => new Model(object).validate()).not.toThrow();
    }
    expect(parse(read(`${folder}/kustomization.yaml`)).resources.sort()).toEqual([...files].sort());
  });

  it('no object has a field Kubernetes does not know, or a value of the wrong type', () => {
    expect(unknownOrMistypedFields(objects)).toEqual([]);
    // The check itself sees a misspelt field.
    const [deployment] = objects.filter((o) => o.kind === 'Deployment');
    const misspelt = JSON.parse(JSON.stringify(deployment));
    misspelt.spec.template.spec.containers[0].readinesProbe = misspelt.spec.template.spec.containers[0].readinessProbe;
    expect(unknownOrMistypedFields([misspelt]).join('\n')).toContain('readinesProbe');
  });

  /** The environment a container gets: its envFrom ConfigMaps and Secrets (which must exist) and its env. */
  function environmentOf(container: any): Record<string, string> {
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      const ref = source.configMapRef ?? source.secretRef;
      const object = find(source.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
      expect(object).toBeDefined();
      Object.assign(env, object!.data ?? object!.stringData);
    }
    for (const entry of container.env ?? []) env[entry.name] = entry.value;
    return env;
  }

  it.each(DEPLOYABLES.map((d) => [d.name, d]))('%s: Deployment with probes on its port, variables the service reads, a Service', (_name, service) => {
    const deployment = find('Deployment', service.name)!;
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.containers).toHaveLength(1);
    const [container] = pod.containers;
    expect(container.image).toMatch(new RegExp(`^draaiboek/${service.name}:`));
    expect(container.ports).toEqual([{ name: 'http', containerPort: service.port, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    const env = environmentOf(container);
    expectValidEnvironment(service, env);
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(env.API_KEYS_FILE.replace(/\/[^/]+$/, ''));
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': String(service.port), 'prometheus.io/path': '/metrics' });

    const svc = find('Service', service.name)!;
    expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: service.port, targetPort: 'http', protocol: 'TCP' }]);
  });

  it("each service's memory limit holds its largest V8 heap (old generation and 3 semi-spaces, decision 0032) and 128 MiB besides", () => {
    const mib = (quantity: string) => {
      const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity) ?? [];
      if (!n) throw new Error(`memory quantity ${quantity} is not in Mi or Gi`);
      return Number(n) * (unit === 'Gi' ? 1024 : 1);
    };
    for (const service of SERVICES) {
      const flag = (name: string) => Number(serviceNodeFlags(service.name).find((f) => f.startsWith(`--${name}=`))?.split('=')[1]);
      const heap = flag('max-old-space-size') + 3 * flag('max-semi-space-size');
      const limit = mib(find('Deployment', service.name)!.spec.template.spec.containers[0].resources.limits.memory);
      expect({ service: service.name, room: limit - heap >= 128 }).toEqual({ service: service.name, room: true });
    }
  });

  it('an autoscaler for each consuming service scales its Deployment', () => {
    for (const service of SERVICES) {
      const hpa = find('HorizontalPodAutoscaler', service.name)!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service.name });
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
  });

  it("a migration Job runs each service's `migrate` with the service's own image and environment", () => {
    const job = find('Job', 'draaiboek-migrate')!;
    const containers = job.spec.template.spec.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(SERVICES.map((s) => s.name));
    for (const service of SERVICES) {
      const container = containers.find((c: { name: string }) => c.name === service.name);
      const deployed = find('Deployment', service.name)!.spec.template.spec.containers[0];
      expect(container.image).toBe(deployed.image);
      expect(container.args).toEqual(['migrate']);
      expect(container.envFrom).toEqual(deployed.envFrom);
    }
    expect(Object.keys(SERVICE_COMMANDS)).toContain('migrate');
  });

  it('a topic Job runs `provision-topics` with a service image and environment', () => {
    const [container] = find('Job', 'draaiboek-topics')!.spec.template.spec.containers;
    expect(container.args).toEqual(['provision-topics']);
    const intake = find('Deployment', 'intake')!.spec.template.spec.containers[0];
    expect(container.image).toBe(intake.image);
    expect(() => loadConfig('intake', intakeService.configClass, environmentOf(container))).not.toThrow();
  });
});
