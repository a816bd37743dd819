'use strict';
// tools/infra/mail-catcher.js (a real SMTP server, smtp-server + mailparser) in its own Node
// process, so the CPU it spends receiving and parsing mail is counted apart from the load
// generator. Driven over IPC by bench/lib/harness.js (startMailCatcherProcess):
//   parent -> { type: 'start' }   child -> { type: 'ready', smtpUrl, pid } | { type: 'error', message }
//   child  -> { type: 'mail', mail: { acceptedAt, messageId, to, subject, text } } for every mail accepted
//   parent -> { type: 'close' }   child -> { type: 'closed' }, then exits
// acceptedAt is the catcher's receivedAt (set just before it answers 250 to the DATA command),
// in milliseconds since the epoch.
const path = require('node:path');

const { startMailCatcher } = require(path.resolve(__dirname, '..', '..', 'tools', 'infra', 'mail-catcher.js'));

let catcher = null;
let forwarded = 0;
let closing = null;

function send(message) {
  if (process.connected) process.send(message);
}

/** Forwards every message the catcher recorded since the last call, in order. */
function forward() {
  if (!catcher) return;
  while (forwarded < catcher.messages.length) {
    const m = catcher.messages[forwarded];
    forwarded += 1;
    send({ type: 'mail', mail: { acceptedAt: Date.parse(m.receivedAt), messageId: m.messageId, to: m.to, subject: m.subject, text: m.text } });
  }
}

function close(code) {
  if (!closing) {
    closing = (async () => {
      try {
        if (catcher) await catcher.stop();
        send({ type: 'closed' });
      } catch (error) {
        send({ type: 'error', message: `close failed: ${error.message}` });
        code = 1;
      } finally {
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
      // The catcher calls `log` right after it recorded a mail and before it answers SMTP: the hook
      // to forward it at once, without changing tools/infra.
      catcher = await startMailCatcher({ host: '127.0.0.1', smtpPort: 0, log: () => forward() });
      send({ type: 'ready', smtpUrl: catcher.smtpUrl, pid: process.pid });
    } catch (error) {
      send({ type: 'error', message: `start-up failed: ${error.stack || error.message}` });
      await close(1);
    }
  } else if (message.type === 'close') {
    forward();
    await close(0);
  }
});

process.on('disconnect', () => void close(0));
process.on('SIGINT', () => void close(130));
process.on('SIGTERM', () => void close(143));
