import request from 'supertest';
import { Client } from 'pg';
import {
  CareArrangementChosen,
  CaseloadReported,
  PracticeNotified,
  RefugeeGroupHeadcountChanged,
  ShiftReleased,
  createEnvelope,
  RefugeeGroupRelocated,
  shapeOf,
  Topics,
} from '@draaiboek/contracts';
import {
  createTestSystem,
  eventually,
  KafkaProbe,
  loadContractFixture,
  MailCatcher,
  TEST_KEYS,
  TestSystem,
} from '@draaiboek/messaging/testing';
import { practiceNotificationService } from './practice-notification.service';
import { arrival, GPS_CSV, intakeEvent, KEYS, PRACTICE_API_KEYS, PRACTICES_CSV, publish } from './test-support';

jest.setTimeout(120_000);

describe('the signal, the choice and the care burden (rules 1, 2, 3, 5, 6) on real Kafka, Postgres and SMTP', () => {
  let system: TestSystem;
  let smtp: MailCatcher;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let groupsTopic: string;

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: PRACTICE_API_KEYS });
    smtp = system.mail;
    url = (
      await system.start(practiceNotificationService, {
        env: { REMINDER_AFTER_SECONDS: '3', ESCALATION_AFTER_SECONDS: '6', DEADLINE_CHECK_INTERVAL_SECONDS: '1' },
      })
    ).url;
    const as = (csv: string, path: string) =>
      request(url).post(path).set('Authorization', `Bearer ${TEST_KEYS.coordination}`).set('content-type', 'text/csv').send(csv).expect(200);
    await as(PRACTICES_CSV, '/v1/directory/practices');
    await as(GPS_CSV, '/v1/directory/gps');
    groupsTopic = system.topic(Topics.refugeeGroups.name);
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.practiceNotifications.name), system.topic(Topics.practiceCaseload.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const get = (path: string, key: string) => request(url).get(path).set('Authorization', `Bearer ${key}`);
  const post = (path: string, key: string, body: object) => request(url).post(path).set('Authorization', `Bearer ${key}`).send(body);
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
  const events = (type: string) =>
    probe.records.map((r) => JSON.parse(r.value!)).filter((e) => e.type === type);
  const notificationsOf = async (groupId: string) =>
    (await db.query('SELECT id, practice_agb, reason, needs_decision FROM practice_notification.notifications WHERE group_id = $1 ORDER BY practice_agb, created_at', [groupId])).rows;

  it('rule 1 and 2: every practice covering the location gets an e-mail and an inbox entry with the advice; others get nothing', async () => {
    const event = arrival('7811', 140);
    await publish(probe, groupsTopic, event);
    const notified = await eventually(async () => ((await notificationsOf(event.subject)).length === 2 ? notificationsOf(event.subject) : undefined), {
      what: 'two notifications',
    });
    expect(notified.map((n) => n.practice_agb)).toEqual(['99000001', '99000002']);
    const [mailA] = await eventually(async () => (mailsTo('a@example.org').length ? mailsTo('a@example.org') : undefined), { what: "A's mail" });
    expect(mailA.subject).toBe('Nieuwe groep vluchtelingen in uw werkgebied: Opvang 7811 (140 personen)');
    expect(mailA.text).toContain('Aantal personen: 140');
    expect(mailA.text).toContain('Aankomstdatum: 2026-11-20');
    expect(mailA.text).toContain('Advies: een centraal spreekuur op de opvanglocatie (de groep is groter dan 100 personen).');
    expect(mailA.text).toContain('in overleg met uw hagro (of wagro)');
    await eventually(async () => mailsTo('b@example.org').length === 1, { what: "B's mail" });
    expect(mailsTo('c@example.org')).toHaveLength(0);

    const inboxA = await get('/v1/notifications', KEYS.practiceA).expect(200);
    expect(inboxA.body).toEqual([expect.objectContaining({ groupId: event.subject, practiceAgb: '99000001', advice: 'central-location', needsDecision: true, decision: null })]);
    expect((await get('/v1/notifications', KEYS.practiceC).expect(200)).body).toEqual([]);

    const published = await eventually(async () => (events(PracticeNotified.v1.type).length >= 2 ? events(PracticeNotified.v1.type) : undefined));
    expect(published.filter((e) => e.data.groupId === event.subject).map((e) => e.data.practiceAgb).sort()).toEqual(['99000001', '99000002']);
    expect(shapeOf(published[0])).toEqual(shapeOf(loadContractFixture(PracticeNotified.v1)));
    // The correlation id travels on: events a handler publishes carry the incoming event's
    // correlation id, and name that event as their cause.
    const caused = published.filter((e) => e.data.groupId === event.subject);
    expect(caused.map((e) => [e.correlationid, e.causationid])).toEqual([
      [event.correlationid, event.id],
      [event.correlationid, event.id],
    ]);
  });

  it('a small group gets the advice to care from the own practice', async () => {
    const event = arrival('9401', 12);
    await publish(probe, groupsTopic, event);
    const [mail] = await eventually(async () => (mailsTo('c@example.org').length ? mailsTo('c@example.org') : undefined));
    expect(mail.text).toContain('Advies: zorg vanuit de eigen praktijk (de groep is 100 personen of kleiner).');
  });

  it('alerts the coordination when no practice covers the location', async () => {
    const event = arrival('7761', 30);
    await publish(probe, groupsTopic, event);
    const [alert] = await eventually(async () => {
      const { body } = await get('/v1/alerts', TEST_KEYS.coordination).expect(200);
      return body.filter((a: { groupId: string }) => a.groupId === event.subject).length ? body.filter((a: { groupId: string }) => a.groupId === event.subject) : undefined;
    }, { what: 'the alert' });
    expect(alert).toMatchObject({ kind: 'no-practice-covers-location', message: expect.stringContaining('7761') });
    await eventually(async () => mailsTo('coordinatie-drenthe@example.org').some((m) => m.text.includes('7761')), { what: 'the mail to the coordination' });
    expect(await notificationsOf(event.subject)).toEqual([]);
    await get('/v1/alerts', KEYS.practiceA).expect(403);
  });

  it('sends each e-mail exactly once, even when the event is delivered twice', async () => {
    const event = arrival('7812', 20);
    await publish(probe, groupsTopic, event);
    await eventually(async () => mailsTo('a@example.org').some((m) => m.subject.includes('Opvang 7812')));
    await publish(probe, groupsTopic, event); // the same event again, as a redelivery or replay would bring it
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo('a@example.org').filter((m) => m.subject.includes('Opvang 7812'))).toHaveLength(1);
    expect(await notificationsOf(event.subject)).toHaveLength(1);
  });

  it('retries an e-mail the SMTP server refuses, and shows it as sent once it went through', async () => {
    smtp.setFailing(true);
    const event = arrival('9401', 15, { location: { locationId: '3f0b1d3e-0000-4000-8000-000000000001', name: 'Opvang Retry', postcode: '9401 ZZ', pc4: '9401', kind: 'reception-centre' } });
    await publish(probe, groupsTopic, event);
    const [pending] = await eventually(async () => {
      const { body } = await get('/v1/mail?status=pending', TEST_KEYS.coordination).expect(200);
      const retrying = body.filter((m: { subject: string; attempts: number }) => m.subject.includes('Opvang Retry') && m.attempts >= 1);
      return retrying.length ? retrying : undefined;
    }, { what: 'a failed attempt' });
    expect(pending.lastError).toContain('451');
    smtp.setFailing(false);
    await eventually(async () => mailsTo('c@example.org').some((m) => m.subject.includes('Opvang Retry')), { what: 'the retried mail' });
    // SMTP accepts before the outbox row commits as sent: wait for the commit.
    const sent = await eventually(async () => {
      const { body } = await get('/v1/mail?status=sent', TEST_KEYS.coordination).expect(200);
      return body.find((m: { mailId: string }) => m.mailId === pending.mailId);
    }, { what: 'the mail to show as sent' });
    expect(sent).toMatchObject({ status: 'sent', attempts: expect.any(Number) });
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(mailsTo('c@example.org').filter((m) => m.subject.includes('Opvang Retry'))).toHaveLength(1);
  });

  it('rule 3 and 5: a practice chooses once, who and when is kept, CareArrangementChosen is published and the instances are told', async () => {
    const event = arrival('7811', 60);
    await publish(probe, groupsTopic, event);
    const [a, b] = await eventually(async () => ((await notificationsOf(event.subject)).length === 2 ? notificationsOf(event.subject) : undefined));

    await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceC, { arrangement: 'own-practice' }).expect(403);
    await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceA, { arrangement: 'own-practice', decidedFor: 'hagro' }).expect(403);
    await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceA, { arrangement: 'somewhere' }).expect(400);
    const decided = await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceA, { arrangement: 'own-practice' }).expect(201);
    expect(decided.body).toEqual({ groupId: event.subject, arrangement: 'own-practice', decidedFor: 'practice', notificationIds: [a.id] });
    const second = await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceA, { arrangement: 'central-location' }).expect(409);
    expect(second.body).toMatchObject({ error: 'already_decided', arrangement: 'own-practice', decidedBy: 'practice-99000001' });

    const { body: seen } = await get(`/v1/notifications/${a.id}`, KEYS.practiceA).expect(200);
    expect(seen.decision).toMatchObject({ arrangement: 'own-practice', decidedFor: 'practice', decidedBy: 'practice-99000001', decidedAt: expect.any(String) });
    await get(`/v1/notifications/${a.id}`, KEYS.practiceB).expect(404);

    const chosen = await eventually(async () => events(CareArrangementChosen.v1.type).find((e) => e.data.notificationId === a.id));
    expect(chosen.data).toMatchObject({ groupId: event.subject, practiceAgb: '99000001', arrangement: 'own-practice', decidedBy: 'practice-99000001' });
    expect(shapeOf(chosen)).toEqual(shapeOf(loadContractFixture(CareArrangementChosen.v1)));
    for (const instance of ['ggd-drenthe@example.org', 'ghor-drenthe@example.org', 'vrd@example.org', 'vluchtelingen-gm0114@example.org']) {
      await eventually(async () => mailsTo(instance).some((m) => m.text.includes('praktijk 99000001') && m.text.includes('zorg vanuit de eigen praktijk')), {
        what: `the mail to ${instance}`,
      });
    }
    expect(mailsTo('vluchtelingen-gm0106@example.org')).toHaveLength(0);
    void b;
  });

  it("the hagro's coordinator decides for all its practices at once", async () => {
    const event = arrival('7811', 150);
    await publish(probe, groupsTopic, event);
    const [a, b] = await eventually(async () => ((await notificationsOf(event.subject)).length === 2 ? notificationsOf(event.subject) : undefined));
    const decided = await post(`/v1/notifications/${b.id}/decision`, KEYS.hagroEmmenZuid, { arrangement: 'central-location', decidedFor: 'hagro' }).expect(201);
    expect(decided.body.notificationIds.sort()).toEqual([a.id, b.id].sort());
    await post(`/v1/notifications/${a.id}/decision`, KEYS.practiceA, { arrangement: 'own-practice' }).expect(409);
    const { body } = await get('/v1/caseload/overview?by=central-location', KEYS.practiceC).expect(200);
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Opvang 7811', refugees: expect.any(Number) })]));
  });

  it('without an answer: a reminder after the first period, an escalation to the coordination after the second', async () => {
    const event = arrival('9401', 40, { location: { locationId: '3f0b1d3e-0000-4000-8000-000000000002', name: 'Opvang Stil', postcode: '9401 YY', pc4: '9401', kind: 'reception-centre' } });
    await publish(probe, groupsTopic, event);
    await eventually(async () => mailsTo('c@example.org').some((m) => m.subject.startsWith('Herinnering') && m.subject.includes('Opvang Stil')), {
      what: 'the reminder',
      timeoutMs: 20_000,
    });
    await eventually(async () => mailsTo('coordinatie-drenthe@example.org').some((m) => m.text.includes('nog niet gekozen') && m.text.includes('Opvang Stil')), {
      what: 'the escalation',
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect(mailsTo('c@example.org').filter((m) => m.subject.startsWith('Herinnering') && m.subject.includes('Opvang Stil'))).toHaveLength(1);
  });

  it('a headcount change updates the signalled practices; a relocation tells the old area and asks the new one', async () => {
    const event = arrival('7811', 50);
    await publish(probe, groupsTopic, event);
    await eventually(async () => (await notificationsOf(event.subject)).length === 2);
    const group = event.data;
    await publish(
      probe,
      groupsTopic,
      intakeEvent(RefugeeGroupHeadcountChanged.v1, {
        groupId: group.groupId,
        municipalityCode: group.municipalityCode,
        locationId: group.location.locationId,
        previousHeadcount: 50,
        headcount: 58,
        effectiveDate: '2026-11-25',
      }),
      intakeEvent(RefugeeGroupRelocated.v1, {
        groupId: group.groupId,
        municipalityCode: group.municipalityCode,
        from: group.location,
        to: { locationId: '3f0b1d3e-0000-4000-8000-000000000003', name: 'Opvang Assen-Noord', postcode: '9401 XY', pc4: '9401', kind: 'reception-centre' as const },
        headcount: 58,
        relocationDate: '2026-12-01',
      }),
    );
    const all = await eventually(async () => ((await notificationsOf(event.subject)).length === 7 ? notificationsOf(event.subject) : undefined), {
      what: 'the update, relocation-away and relocation-here notifications',
    });
    const reasonsOf = (agb: string) => all.filter((n) => n.practice_agb === agb).map((n) => n.reason).sort();
    expect(reasonsOf('99000001')).toEqual(['arrival', 'headcount-changed', 'relocated-away']);
    expect(reasonsOf('99000002')).toEqual(['arrival', 'headcount-changed', 'relocated-away']);
    expect(all.filter((n) => n.practice_agb === '99000003')).toEqual([expect.objectContaining({ reason: 'relocated-here', needs_decision: true })]);
    await eventually(async () => mailsTo('b@example.org').some((m) => m.subject.startsWith('Gewijzigde groepsgrootte') && m.subject.includes('58 personen')));
    await eventually(async () => mailsTo('c@example.org').some((m) => m.subject.startsWith('Groep verhuisd naar uw werkgebied: Opvang Assen-Noord')));
  });

  it('rule 8: a GP whose shift goes because the cadence was reduced is told by e-mail', async () => {
    const shiftId = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    await publish(probe, system.topic(Topics.clinicShifts.name), {
      ...createEnvelope({
        type: ShiftReleased.v1.type,
        source: '/draaiboek/clinic-scheduling',
        subject: shiftId,
        data: { shiftId, sessionId: '8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e', gpAgb: '88000012', startsAt: '2026-12-02T08:00:00.000Z', reason: 'cadence-reduced' as const },
      }),
    });
    const [mail] = await eventually(async () => (mailsTo('a2@example.org').length ? mailsTo('a2@example.org') : undefined), { what: 'the notice' });
    expect(mail.subject).toContain('Dienst vervallen');
    expect(mail.text).toContain('minder dagen per week');
  });

  it('rule 6: practices report their caseload; the overview per practice, hagro and municipality gives absolute and per-FTE figures and who has not reported', async () => {
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' });
    await post('/v1/practices/99000001/caseload', KEYS.practiceA, { refugeeCount: 32 }).expect(201);
    await post('/v1/practices/99000002/caseload', KEYS.practiceB, { refugeeCount: 8 }).expect(201);
    await post('/v1/practices/99000001/caseload', KEYS.practiceB, { refugeeCount: 1 }).expect(404);
    await post('/v1/practices/99000001/caseload', KEYS.practiceA, { refugeeCount: -1 }).expect(400);
    await post('/v1/practices/99000001/caseload', KEYS.practiceA, { refugeeCount: 3, reportedOn: '2999-01-01' }).expect(400);

    const byPractice = await get(`/v1/caseload/overview?by=practice&date=${today}`, KEYS.practiceC).expect(200);
    expect(byPractice.body.items.find((i: { key: string }) => i.key === '99000001')).toMatchObject({ refugees: 32, gpFte: 1.6, refugeesPerGpFte: 20, completeness: 1 });
    expect(byPractice.body.items.find((i: { key: string }) => i.key === '99000003')).toMatchObject({ refugees: 0, reportedThisWeek: 0, notReportedThisWeek: ['99000003'] });
    const byHagro = await get(`/v1/caseload/overview?by=hagro&date=${today}`, KEYS.practiceC).expect(200);
    expect(byHagro.body.items.find((i: { key: string }) => i.key === 'EMMEN-ZUID')).toMatchObject({
      name: 'Hagro Emmen-Zuid',
      refugees: 40,
      gpFte: 2.4,
      refugeesPerGpFte: 16.67,
      practices: 2,
      reportedThisWeek: 2,
      completeness: 1,
    });
    const byMunicipality = await get(`/v1/caseload/overview?by=municipality&date=${today}`, TEST_KEYS.coordination).expect(200);
    expect(byMunicipality.body.items.map((i: { key: string; name: string }) => [i.key, i.name])).toEqual(
      expect.arrayContaining([['GM0114', 'Emmen'], ['GM0106', 'Assen']]),
    );
    await get('/v1/caseload/overview?by=galaxy', TEST_KEYS.coordination).expect(400);

    const reported = await eventually(async () => events(CaseloadReported.v1.type).find((e) => e.data.practiceAgb === '99000002'));
    expect(reported.data).toMatchObject({ hagroCode: 'EMMEN-ZUID', municipalityCode: 'GM0114', refugeeCount: 8, gpFte: 0.8, reportedOn: today });
    expect(shapeOf(reported)).toEqual(shapeOf(loadContractFixture(CaseloadReported.v1)));
  });
});
