'use strict';
// A Draaiboek service in its own Node process, as it runs in production, so the load generator
// does not share its event loop. Which service: any ServiceDefinition exported by a compiled
// module (path relative to the repository root, e.g.
// dist/out/apps/practice-notification/src/practice-notification.service.js). Driven over IPC by
// bench/lib/harness.js (startServiceProcess):
//   parent -> { type: 'start', modulePath, exportName, options, faults? }
//   child  -> { type: 'ready', url, pid } | { type: 'error', message } | { type: 'log', line }
//           | { type: 'memory-peak', usage } (process.memoryUsage() at each new highest resident
//             set, sampled every 200 ms: which part of the memory a peak was)
//   parent -> { type: 'close' }   child -> { type: 'closed' }, then exits
// The child also closes and exits when the parent goes away (IPC channel disconnects).
// faults (tools/faults): { killAfterPublishBatches: n } makes the process SIGKILL itself right
// after Kafka acknowledged the relay's n-th batch, before the rows are marked published.
// BENCH_ALLOCATION_PROFILE=<file>: a sampling profile of everything the process allocates (also
// what garbage collection has freed since, unlike --heap-prof), written to <file> when it closes.
require('reflect-metadata');
require('../../tools/run/register-paths');

const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const { startService } = require('@draaiboek/messaging');

let service = null;
let closing = null;
const allocations = allocationProfile(process.env.BENCH_ALLOCATION_PROFILE);

/** Starts the sampling heap profiler (freed objects included), or nothing without a file; stop() writes the profile. */
function allocationProfile(file) {
  if (!file) return null;
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const started = post('HeapProfiler.startSampling', { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      await started;
      const { profile } = await post('HeapProfiler.stopSampling');
      require('node:fs').writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function send(message) {
  if (process.connected) process.send(message);
}

function close(code) {
  if (!closing) {
    closing = (async () => {
      try {
        if (allocations) await allocations.stop();
        if (service) await service.close();
        send({ type: 'closed' });
      } catch (error) {
        send({ type: 'error', message: `close failed: ${error.message}` });
        code = 1;
      } finally {
        // Bounded: whatever still holds the event loop open, the process ends here, with `code`
        // also when it ends on its own first.
        process.exitCode = code;
        setTimeout(() => process.exit(code), 100).unref();
        if (process.connected) process.disconnect();
      }
    })();
  }
  return closing;
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    try {
      const definition = require(path.resolve(root, message.modulePath))[message.exportName];
      if (!definition || typeof definition.name !== 'string') {
        throw new Error(`${message.modulePath} exports no service definition named ${message.exportName}`);
      }
      const options = { ...message.options };
      const killAfter = message.faults && message.faults.killAfterPublishBatches;
      if (killAfter) {
        let batches = 0;
        options.relay = {
          ...options.relay,
          afterPublish: async () => {
            if (++batches >= killAfter) process.kill(process.pid, 'SIGKILL');
          },
        };
      }
      service = await startService(definition, {
        ...options,
        // Every log line goes to the parent, which counts errors and shows them.
        log: (line) => send({ type: 'log', line }),
      });
      send({ type: 'ready', url: service.url, pid: process.pid });
    } catch (error) {
      send({ type: 'error', message: `start-up failed: ${error.stack || error.message}` });
      await close(1);
    }
  } else if (message.type === 'close') {
    await close(0);
  }
});

let highestRss = 0;
// Diagnosis only: BENCH_HEAP_SNAPSHOT_MIB=<n> writes one V8 heap snapshot (into BENCH_PROFILE_DIR
// or the working directory) the first time the resident set passes n MiB. Writing it stops the
// process for seconds: the run's figures are then not to be reported.
const snapshotAtMiB = Number(process.env.BENCH_HEAP_SNAPSHOT_MIB || 0);
let snapshotWritten = false;
setInterval(() => {
  const usage = process.memoryUsage();
  if (usage.rss <= highestRss) return;
  highestRss = usage.rss;
  send({ type: 'memory-peak', usage });
  if (snapshotAtMiB > 0 && !snapshotWritten && usage.rss > snapshotAtMiB * 1024 * 1024) {
    snapshotWritten = true;
    const dir = process.env.BENCH_PROFILE_DIR ? path.resolve(process.env.BENCH_PROFILE_DIR) : process.cwd();
    const file = require('node:v8').writeHeapSnapshot(path.join(dir, `heap-${process.pid}-${Math.round(usage.rss / 1048576)}MiB.heapsnapshot`));
    send({ type: 'log', line: JSON.stringify({ level: 'info', msg: 'heap snapshot written', file }) });
  }
}, 200).unref();

process.on('disconnect', () => void close(0));
process.on('SIGINT', () => void close(130));
process.on('SIGTERM', () => void close(143));
