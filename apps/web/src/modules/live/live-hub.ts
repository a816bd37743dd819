import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { Role } from '@draaiboek/platform';

/** What changed, as the browser needs to know it: a page refetches when it shows that kind. */
export type LiveKind = 'groups' | 'notifications' | 'caseload' | 'locations' | 'shifts' | 'consultations' | 'batches' | 'directory';

/** The kinds each role's pages show; nobody is told about changes they cannot see anyway. */
const KINDS_FOR_ROLE: Record<string, readonly LiveKind[]> = {
  coordination: ['groups', 'notifications', 'caseload', 'locations', 'shifts', 'consultations', 'batches', 'directory'],
  practice: ['notifications', 'caseload', 'shifts'],
  gp: ['shifts', 'locations', 'consultations'],
  finance: ['batches', 'consultations'],
};

interface Listener {
  kinds: ReadonlySet<LiveKind>;
  res: Response;
}

/**
 * Server-Sent Events to the signed-in browsers. A message names only the kinds of change,
 * never data: the page then refetches what it shows, through the services' access rules.
 * Changes are coalesced for a moment so a burst of events is one refetch.
 */
@Injectable()
export class LiveHub implements OnModuleDestroy {
  private readonly listeners = new Set<Listener>();
  private pending = new Set<LiveKind>();
  private timer?: NodeJS.Timeout;
  private readonly heartbeat = setInterval(() => this.write(': keep-alive\n\n'), 25_000).unref();

  attach(roles: readonly Role[], res: Response): () => void {
    const kinds = new Set<LiveKind>(roles.flatMap((r) => KINDS_FOR_ROLE[r] ?? []));
    const listener: Listener = { kinds, res };
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(kind: LiveKind): void {
    this.pending.add(kind);
    this.timer ??= setTimeout(() => this.flush(), 150);
  }

  get connections(): number {
    return this.listeners.size;
  }

  private flush(): void {
    this.timer = undefined;
    const kinds = [...this.pending];
    this.pending = new Set();
    for (const listener of this.listeners) {
      const mine = kinds.filter((k) => listener.kinds.has(k));
      if (mine.length > 0) listener.res.write(`event: changed\ndata: ${JSON.stringify({ kinds: mine })}\n\n`);
    }
  }

  private write(chunk: string): void {
    for (const listener of this.listeners) listener.res.write(chunk);
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    for (const listener of this.listeners) listener.res.end();
    this.listeners.clear();
  }
}
