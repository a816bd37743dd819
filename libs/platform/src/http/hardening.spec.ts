import { Body, Controller, Get, INestApplication, Module, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import http from 'node:http';
import { APP_GUARD } from '@nestjs/core';
import { IsInt, IsString } from 'class-validator';
import { createServer } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { Access } from '../auth/access-table';
import { ApiKeyRegistry, sha256Hex } from '../auth/api-keys';
import { AuthGuard, Public } from '../auth/auth.guard';
import { JsonLogger } from '../logging/json-logger';
import { createServiceApp } from './create-service-app';
import { KnownQueryParametersGuard } from './known-query-parameters.guard';

class ThingDto {
  @IsString() name!: string;
  @IsInt() count!: number;
}

@Controller()
class HardeningTestController {
  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('things')
  @Access('alerts', 'read')
  list(@Query('status') status?: string) {
    return { status: status ?? null };
  }

  @Post('things')
  @Access('alerts', 'read')
  create(@Body() body: ThingDto) {
    return body;
  }

  @Get('broken')
  @Access('alerts', 'read')
  broken(): never {
    throw new Error('connection to 10.0.0.7 refused at /srv/app/secret.ts:12');
  }

  /** A streamed download that fails after its first rows were sent (as an export whose query breaks). */
  @Get('stream-breaks')
  @Access('alerts', 'read')
  async streamBreaks(@Res() res: Response): Promise<void> {
    res.status(200).setHeader('content-type', 'text/csv');
    res.write('line_id,amount_cents\n1,1229\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw new Error('the export query failed half way');
  }

  /** What a handler meets while Postgres restarts: the driver's own error for a refused connection. */
  @Get('database-away')
  @Access('alerts', 'read')
  async databaseAway(): Promise<never> {
    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
    await new Promise((resolve) => closed.close(resolve));
    const client = new Client({ host: '127.0.0.1', port, user: 'nobody', database: 'nothing' });
    try {
      await client.connect();
    } finally {
      await client.end().catch(() => undefined);
    }
    throw new Error('connected to a closed port');
  }
}

async function appWith(limits = { publicPerMinute: 1000, authFailuresPerMinute: 1000 }, logLines: string[] = []): Promise<INestApplication> {
  @Module({
    controllers: [HardeningTestController],
    providers: [
      { provide: ApiKeyRegistry, useValue: ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'coord', sha256: sha256Hex('coord-key'), roles: ['coordination'] }]), undefined) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: KnownQueryParametersGuard },
    ],
  })
  class HardeningTestModule {}
  const app = await createServiceApp(HardeningTestModule, { service: 'test', description: 'hardening', logger: new JsonLogger('test', 'error', (l) => logLines.push(l)), rateLimits: limits });
  await app.init();
  return app;
}

const KEY = 'Bearer coord-key';

describe('HTTP hardening shared by every service', () => {
  let app: INestApplication;
  const logLines: string[] = [];
  beforeAll(async () => {
    app = await appWith(undefined, logLines);
  });
  afterAll(() => app.close());

  it('sends security headers and keeps answers out of caches', async () => {
    const res = await request(app.getHttpServer()).get('/things').set('Authorization', KEY).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the OpenAPI page with its scripts as files the CSP allows', async () => {
    const res = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(res.text).toContain('<script src="./docs/swagger-ui-init.js">');
    expect(res.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    await request(app.getHttpServer()).get('/docs/swagger-ui-init.js').expect(200);
  });

  it('refuses a body over the limit with 413, and malformed JSON with 400', async () => {
    const big = await request(app.getHttpServer()).post('/things').set('Authorization', KEY).set('content-type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(70_000), count: 1 }));
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');
    const malformed = await request(app.getHttpServer()).post('/things').set('Authorization', KEY).set('content-type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('malformed_json');
  });

  it('refuses unknown fields in the body and unknown query parameters, naming them', async () => {
    const body = await request(app.getHttpServer()).post('/things').set('Authorization', KEY).send({ name: 'a', count: 1, isAdmin: true }).expect(400);
    expect(body.body.fields).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
    const query = await request(app.getHttpServer()).get('/things?stauts=open').set('Authorization', KEY).expect(400);
    expect(query.body.fields).toEqual([expect.objectContaining({ field: 'stauts' })]);
    await request(app.getHttpServer()).get('/things?status=open').set('Authorization', KEY).expect(200, { status: 'open' });
  });

  it('answers an unexpected error with a bare 500 and the correlation id: no message, no stack', async () => {
    const res = await request(app.getHttpServer()).get('/broken').set('Authorization', KEY).set('x-correlation-id', 'hardening-1').expect(500);
    expect(res.body).toEqual({ error: 'internal_error', correlationId: 'hardening-1' });
    expect(res.text).not.toMatch(/10\.0\.0\.7|secret\.ts|at /);
    expect(logLines.some((l) => l.includes('hardening-1'))).toBe(true);
  });

  it('cuts a streamed answer that fails after it began, so the client sees a broken download and not a short one', async () => {
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const outcome = await new Promise<{ body: string; ended: boolean; error?: string }>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/stream-breaks', headers: { Authorization: KEY, 'x-correlation-id': 'hardening-3' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ body, ended: true }));
        res.on('error', (error) => resolve({ body, ended: false, error: error.message }));
      });
    });
    expect(outcome).toEqual({ body: 'line_id,amount_cents\n1,1229\n', ended: false, error: 'aborted' });
    expect(logLines.some((l) => l.includes('hardening-3') && l.includes('the export query failed half way'))).toBe(true);
    // The service goes on answering.
    await request(server).get('/things').set('Authorization', KEY).expect(200);
  });

  it('answers the database being away with 503 and Retry-After, so the caller repeats the request', async () => {
    const res = await request(app.getHttpServer()).get('/database-away').set('Authorization', KEY).set('x-correlation-id', 'hardening-2').expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ error: 'service_unavailable', correlationId: 'hardening-2' });
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|node:net|\.[jt]s:\d+/);
  });
});

describe('rate limits on public endpoints and failed authentication', () => {
  it('limits requests without a credential per address and minute', async () => {
    const app = await appWith({ publicPerMinute: 5, authFailuresPerMinute: 1000 });
    try {
      for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/open').expect(200);
      const limited = await request(app.getHttpServer()).get('/open').expect(429);
      expect(limited.body.error).toBe('rate_limited');
      // A client with a key is not held back by anonymous traffic.
      await request(app.getHttpServer()).get('/things').set('Authorization', KEY).expect(200);
    } finally {
      await app.close();
    }
  });

  it('refuses an address after too many failed authentications, but never slows a client whose key works', async () => {
    const app = await appWith({ publicPerMinute: 1000, authFailuresPerMinute: 3 });
    try {
      const good = await Promise.all(Array.from({ length: 40 }, () => request(app.getHttpServer()).get('/things').set('Authorization', KEY)));
      expect(good.map((r) => r.status)).toEqual(Array(40).fill(200));
      for (let i = 0; i < 3; i++) await request(app.getHttpServer()).get('/things').set('Authorization', `Bearer guess-${i}`).expect(401);
      const refused = await request(app.getHttpServer()).get('/things').set('Authorization', KEY).expect(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await app.close();
    }
  });
});
