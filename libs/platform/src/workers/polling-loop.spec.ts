import { PollingLoop } from './polling-loop';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PollingLoop (behind the outbox relay and the mail sender)', () => {
  it('runs the next pass at once while there is more to do, then waits the interval', async () => {
    const batches = [3, 3, 1];
    const passes: number[] = [];
    const loop = new PollingLoop(async () => {
      passes.push(Date.now());
      return batches.shift() ?? 0;
    }, { intervalMs: 10_000, moreToDo: (n) => n === 3, onError: () => undefined });
    loop.start();
    await sleep(100);
    await loop.stop();
    expect(passes).toHaveLength(3); // two full batches, then the short one; the next waits 10 s
  });

  it('does not lose a nudge that comes during a pass', async () => {
    let release!: () => void;
    let passes = 0;
    const loop = new PollingLoop(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
      return 0;
    }, { intervalMs: 10_000, moreToDo: () => false, onError: () => undefined });
    loop.start();
    await sleep(20);
    loop.nudge(); // work was committed while the first pass ran
    release();
    await sleep(50);
    await loop.stop();
    expect(passes).toBe(2);
  });

  it('reports a failed pass and tries again after the failure delay, one pass at a time', async () => {
    const errors: string[] = [];
    let passes = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const loop = new PollingLoop(async () => {
      passes++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(5);
      concurrent--;
      if (passes === 1) throw new Error('broker down');
      return 0;
    }, { intervalMs: 10_000, failureDelayMs: 30, moreToDo: () => false, onError: (e) => errors.push(e.message) });
    loop.start();
    for (let i = 0; i < 5; i++) loop.nudge();
    await sleep(120);
    await loop.stop();
    expect(errors).toEqual(['broker down']);
    expect(passes).toBe(2);
    expect(maxConcurrent).toBe(1);
  });
});
