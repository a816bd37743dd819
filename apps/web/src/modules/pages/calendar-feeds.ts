import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * A GP's calendar app fetches the feed without a session, so the feed address carries a secret:
 * an HMAC of the GP's AGB code under a key derived from the web app's signing key.
 */
@Injectable()
export class CalendarFeeds {
  private readonly key: Buffer;

  constructor(signingKeyPem: string) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(signingKeyPem, 'utf8'), 'draaiboek-web', 'calendar-feed-v1', 32));
  }

  tokenFor(gpAgb: string): string {
    return createHmac('sha256', this.key).update(`gp:${gpAgb}`).digest('base64url');
  }

  verify(gpAgb: string, token: string): boolean {
    const expected = Buffer.from(this.tokenFor(gpAgb));
    const presented = Buffer.from(token);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  }
}
