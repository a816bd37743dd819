import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';

const root = path.resolve(__dirname, '../..');

/**
 * The boundaries are a promise of the architecture: these tests break when a rule is
 * loosened, or when the Nx rule silently skips (it does when no project graph exists).
 */
describe('module boundaries (Nx tags)', () => {
  beforeAll(async () => {
    process.env.NX_DAEMON = 'false';
    await createProjectGraphAsync({ exitOnError: false });
  }, 120_000);

  // ESLint loads its flat config with a dynamic import, which jest's VM cannot do: run the CLI.
  function eslint(args: string[], input?: string): Array<{ filePath: string; messages: Array<{ ruleId: string | null; severity: number; line: number; message: string }> }> {
    const run = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...args], {
      cwd: root,
      input,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const [result] = eslint(['--stdin', '--stdin-filename', path.join(root, file)], code);
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  }

  it('an app may not import another app', async () => {
    const errors = await boundaryErrors(
      'apps/intake/src/boundary-probe.ts',
      "import { declarationsService } from '../../declarations/src/declarations.service';\nexport const x = declarationsService;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
    const byAlias = await boundaryErrors('apps/intake/src/boundary-probe.ts', "import { declarationsService } from '@draaiboek/declarations';\nexport const x = declarationsService;\n");
    expect(byAlias).toEqual([expect.stringContaining('apps are forbidden')]);
  });

  it('the contracts library may not import a framework, broker client or ORM', async () => {
    for (const pkg of ['@nestjs/common', 'kafkajs', 'typeorm']) {
      const errors = await boundaryErrors('libs/contracts/src/boundary-probe.ts', `import * as m from '${pkg}';\nexport const x = m;\n`);
      expect(errors).toEqual([expect.stringContaining(pkg)]);
    }
  });

  it('the contracts library may not import another library', async () => {
    const errors = await boundaryErrors('libs/contracts/src/boundary-probe.ts', "import { loadConfig } from '@draaiboek/platform';\nexport const x = loadConfig;\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('only the messaging library imports kafkajs', async () => {
    expect(await boundaryErrors('apps/intake/src/boundary-probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toHaveLength(1);
    expect(await boundaryErrors('libs/platform/src/boundary-probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toHaveLength(1);
    expect(await boundaryErrors('libs/messaging/src/boundary-probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toHaveLength(0);
  });

  it('platform may not depend on messaging (messaging builds on platform)', async () => {
    const errors = await boundaryErrors('libs/platform/src/boundary-probe.ts', "import { OutboxRelay } from '@draaiboek/messaging';\nexport const x = OutboxRelay;\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('the whole workspace lints without errors', async () => {
    const results = eslint(['apps', 'libs', 'tools/architecture']);
    const errors = results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`),
    );
    expect(errors).toEqual([]);
  }, 120_000);
});
