import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The short profile of the fault suite (tools/faults/run.js): its own Postgres and Kafka, the four
// services as OS processes, every fault once, then the independent checker. `npm run faults --
// --long` is the long profile (docs/reliability.md).
const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'tmp', 'faults', 'short-ci.json');

jest.setTimeout(30 * 60_000);

interface FaultRecord {
  name: string;
  lagZeroSeconds: number | null;
  readiness?: Record<string, { notReadyDuringOutage: boolean; readyAgainAfterMs: number | null }>;
  exitCode?: number;
  crashedBy?: string;
  replaySeconds?: number | null;
}

describe('the fault suite, short profile', () => {
  let results: {
    ok: boolean;
    faults: FaultRecord[];
    check: { lost: number; duplicated: number; orderViolations: number; poisonProblems: number; arrivals: number; republishedCopies: number; sessions: number; poison: unknown[]; problems: unknown[] };
    recoveryProblems: string[];
  };
  let output = '';

  beforeAll(async () => {
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['tools/faults/run.js', '--json', RESULTS], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', done);
    });
    try {
      results = JSON.parse(readFileSync(RESULTS, 'utf8'));
    } catch {
      throw new Error(`the fault suite wrote no results (exit ${code}):\n${output.slice(-6000)}`);
    }
  });

  it('loses nothing and does nothing twice, keeping the order per group, across every fault', () => {
    expect(results.check.problems).toEqual([]);
    expect(results.check).toMatchObject({ lost: 0, duplicated: 0, orderViolations: 0 });
    expect(results.check.arrivals).toBeGreaterThanOrEqual(300);
    expect(results.check.sessions).toBeGreaterThan(0);
    // The relay crash window was really hit: Kafka holds copies of events, applied once each.
    expect(results.check.republishedCopies).toBeGreaterThan(0);
  });

  it('ran every fault of the issue', () => {
    const names = results.faults.map((f) => f.name).join('\n');
    for (const fault of [/consumer SIGKILL/, /SIGTERM under load/, /outbox relay killed between Kafka ack/, /rebalanced over 3 instances/, /broker stopped/, /broker killed/, /Postgres restarted/, /poison/, /full replay/]) {
      expect(names).toMatch(fault);
    }
  });

  it('dead-letters every poison message within 3 attempts, per consumer group', () => {
    expect(results.check.poisonProblems).toBe(0);
    expect(results.check.poison).toHaveLength(3);
  });

  it('catches up within 30 s of each fault, and readiness follows Postgres and Kafka without a restart', () => {
    expect(results.recoveryProblems).toEqual([]);
    const outages = results.faults.filter((f) => f.readiness);
    expect(outages).toHaveLength(3);
    for (const f of outages) {
      expect(Object.keys(f.readiness!).length).toBeGreaterThanOrEqual(4);
      for (const r of Object.values(f.readiness!)) expect(r).toMatchObject({ notReadyDuringOutage: true, readyAgainAfterMs: expect.any(Number) });
    }
    expect(results.ok).toBe(true);
  });
});
