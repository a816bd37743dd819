import { join } from 'node:path';

export interface CaughtMail {
  receivedAt: string;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface MailCatcher {
  smtpUrl: string;
  messages: CaughtMail[];
  setFailing(value: boolean): void;
  stop(): Promise<void>;
}

/** A real SMTP server for tests (the same one `npm start` runs as the mail catcher). */
export function startMailCatcher(): Promise<MailCatcher> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startMailCatcher: start } = require(join(__dirname, '../../../../tools/infra/mail-catcher.js'));
  return start({});
}
