import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { LiveHub } from './live-hub';

function fakeResponse() {
  const chunks: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => chunks.push(chunk) > 0,
    end: () => undefined,
  });
  return { res: res as unknown as Response, chunks };
}

describe('live updates: each browser hears of the changes its pages show', () => {
  it('coalesces a burst into one message, and tells a role only the kinds it can see', async () => {
    const hub = new LiveHub();
    const coordination = fakeResponse();
    const finance = fakeResponse();
    hub.attach(['coordination'], coordination.res);
    hub.attach(['finance'], finance.res);
    hub.changed('groups');
    hub.changed('notifications');
    hub.changed('groups');
    await new Promise((r) => setTimeout(r, 250));
    expect(coordination.chunks.filter((c) => c.startsWith('event:'))).toEqual(['event: changed\ndata: {"kinds":["groups","notifications"]}\n\n']);
    expect(finance.chunks.filter((c) => c.startsWith('event:'))).toEqual([]);
    hub.changed('batches');
    await new Promise((r) => setTimeout(r, 250));
    expect(finance.chunks.filter((c) => c.startsWith('event:'))).toEqual(['event: changed\ndata: {"kinds":["batches"]}\n\n']);
    hub.onModuleDestroy();
  });

  it('stops writing to a browser that went away', async () => {
    const hub = new LiveHub();
    const gone = fakeResponse();
    const detach = hub.attach(['coordination'], gone.res);
    detach();
    hub.changed('groups');
    await new Promise((r) => setTimeout(r, 250));
    expect(gone.chunks.filter((c) => c.startsWith('event:'))).toEqual([]);
    expect(hub.connections).toBe(0);
    hub.onModuleDestroy();
  });
});
