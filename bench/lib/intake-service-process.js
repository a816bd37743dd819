'use strict';
// The intake service in its own Node process, as it runs in production, so the load generator
// does not share its event loop. Driven over IPC by bench/intake-arrivals.js:
//   parent -> { type: 'start', options }   child -> { type: 'ready', url } | { type: 'error', message }
//   parent -> { type: 'close' }            child -> { type: 'closed' }, then exits
// The child also closes and exits when the parent goes away (IPC channel disconnects).
require('reflect-metadata');
require('../../tools/run/register-paths');

const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const { startService } = require('@draaiboek/messaging');
const { intakeService } = require(path.join(root, 'dist/out/apps/intake/src/intake.service.js'));

let service = null;
let closing = null;

function send(message) {
  if (process.connected) process.send(message);
}

function close(code) {
  if (!closing) {
    closing = (async () => {
      try {
        if (service) await service.close();
        send({ type: 'closed' });
      } catch (error) {
        send({ type: 'error', message: `close failed: ${error.message}` });
        code = 1;
      } finally {
        // Bounded: whatever still holds the event loop open, the process ends here.
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
      service = await startService(intakeService, {
        ...message.options,
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

process.on('disconnect', () => void close(0));
process.on('SIGINT', () => void close(130));
process.on('SIGTERM', () => void close(143));
