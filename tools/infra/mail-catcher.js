'use strict';
/**
 * A real SMTP server that keeps what it receives, with a small web page to read it: the mail
 * catcher of `npm start` (SMTP 127.0.0.1:1025, web http://127.0.0.1:1080) and the SMTP server
 * the tests start. `setFailing(true)` makes it refuse mail with a temporary error (451), to
 * prove that senders retry.
 */
const http = require('node:http');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

async function startMailCatcher({ host = '127.0.0.1', smtpPort = 0, httpPort, log = () => {} } = {}) {
  const messages = [];
  let failing = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        if (failing) {
          const error = new Error('temporarily refusing mail');
          error.responseCode = 451;
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        try {
          const parsed = await simpleParser(raw);
          messages.push({
            receivedAt: new Date().toISOString(),
            messageId: parsed.messageId,
            from: parsed.from ? parsed.from.text : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          log(`mail: ${parsed.subject}`);
          callback();
        } catch (error) {
          callback(error);
        }
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(smtpPort, host, resolve);
  });
  const smtpAddress = server.server.address();

  let web;
  let httpUrl;
  if (httpPort !== undefined) {
    web = http.createServer((req, res) => {
      if (req.url === '/messages.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(messages));
      }
      const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
      const rows = [...messages]
        .reverse()
        .map((m) => `<article><h2>${escape(m.subject)}</h2><p><b>To:</b> ${escape(m.to.join(', '))} &middot; ${escape(m.receivedAt)}</p><pre>${escape(m.text)}</pre></article>`)
        .join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Draaiboek mail catcher</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}article{border-bottom:1px solid #ccc}pre{white-space:pre-wrap}</style><h1>Mail sent by Draaiboek (${messages.length})</h1>${rows || '<p>No mail yet.</p>'}`);
    });
    await new Promise((resolve, reject) => {
      web.once('error', reject);
      web.listen(httpPort, host, resolve);
    });
    httpUrl = `http://${host}:${web.address().port}`;
  }

  return {
    smtpUrl: `smtp://${host}:${smtpAddress.port}`,
    httpUrl,
    messages,
    setFailing(value) {
      failing = value;
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      if (web) await new Promise((resolve) => web.close(resolve));
    },
  };
}

module.exports = { startMailCatcher };

if (require.main === module) {
  startMailCatcher({ smtpPort: Number(process.env.SMTP_PORT ?? 1025), httpPort: Number(process.env.HTTP_PORT ?? 1080) }).then((c) => {
    process.stdout.write(`mail catcher: SMTP ${c.smtpUrl}, web ${c.httpUrl}\n`);
  });
}
