'use strict';
// The independent checker: compares what the load had acknowledged (the ledger) and the poison
// messages the suite produced with what is in the databases and on the topics. It uses no
// service code: SQL on each service's schema, and the topics read from offset 0.

const DLQ = { reason: 'dlq-reason', group: 'dlq-consumer-group', attempts: 'dlq-attempts', partition: 'dlq-original-partition', offset: 'dlq-original-offset' };

function parse(value) {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/**
 * @param {object} o
 * @param {import('pg').Pool} o.pool     the suite's database
 * @param {object} o.topics              the records of every topic it reads (readTopics)
 * @param {object} o.names               { groups, sessions } physical topic names
 * @param {object} o.ledger              { groups: [{ reference, groupId, headcounts }], sessions: [id] }
 * @param {object[]} o.poison            [{ kind, partition, offset, eventId? }] on the groups topic
 * @param {object} o.consumerGroups      { practiceNotification, clinicScheduling, declarations }
 * @param {string} o.referencePrefix     the run's arrival references start with it
 * @param {number} o.maxAttempts         a poison message must be dead-lettered within this many attempts
 */
async function check({ pool, topics, names, ledger, poison, consumerGroups, referencePrefix, maxAttempts }) {
  const problems = [];
  const problem = (kind, detail) => {
    if (problems.filter((p) => p.kind === kind).length < 20) problems.push({ kind, detail });
    counts[kind] = (counts[kind] || 0) + 1;
  };
  const counts = {};
  const q = async (sql, args = []) => (await pool.query(sql, args)).rows;
  const expected = new Map(ledger.groups.map((g) => [g.groupId, g]));
  const poisonAt = new Set(poison.map((p) => `${p.partition}:${p.offset}`));

  // --- intake: one group per acknowledged reference, at its last headcount -------------------
  const groups = await q(`SELECT id, reference, headcount FROM intake.refugee_groups WHERE reference LIKE $1`, [`${referencePrefix}%`]);
  const byReference = new Map();
  for (const row of groups) byReference.set(row.reference, (byReference.get(row.reference) ?? []).concat(row));
  for (const g of ledger.groups) {
    const rows = byReference.get(g.reference) ?? [];
    if (rows.length === 0) problem('lost', `intake has no group for ${g.reference}`);
    else if (rows.length > 1) problem('duplicated', `intake has ${rows.length} groups for ${g.reference}`);
    else if (rows[0].headcount !== g.headcounts.at(-1)) problem('order', `intake: ${g.reference} headcount ${rows[0].headcount}, expected ${g.headcounts.at(-1)}`);
  }
  if (groups.length > ledger.groups.length) problem('duplicated', `intake has ${groups.length} groups for ${ledger.groups.length} acknowledged arrivals`);

  // --- the groups topic: each expected event once (by id), in the order of the commands ------
  const perGroup = new Map();
  const distinctIds = new Set();
  let records = 0;
  for (const r of topics[names.groups]) {
    if (poisonAt.has(`${r.partition}:${r.offset}`)) continue;
    records += 1;
    const envelope = parse(r.value);
    if (!envelope || !expected.has(envelope.subject)) continue; // e.g. groups of another run
    const list = perGroup.get(envelope.subject) ?? [];
    if (!list.some((e) => e.id === envelope.id)) list.push({ id: envelope.id, type: envelope.type, headcount: envelope.data.headcount });
    perGroup.set(envelope.subject, list);
    distinctIds.add(envelope.id);
  }
  let expectedEvents = 0;
  for (const g of ledger.groups) {
    const events = perGroup.get(g.groupId) ?? [];
    expectedEvents += g.headcounts.length;
    const headcounts = events.map((e) => e.headcount);
    if (events.length < g.headcounts.length) problem('lost', `${g.groupId}: ${events.length} of ${g.headcounts.length} events on ${names.groups}`);
    else if (events.length > g.headcounts.length) problem('duplicated', `${g.groupId}: ${events.length} distinct events for ${g.headcounts.length} commands`);
    else if (headcounts.join() !== g.headcounts.join() || !/RefugeeGroupArrived/.test(events[0].type)) {
      problem('order', `${g.groupId}: events carry ${headcounts.join(' -> ')}, commands were ${g.headcounts.join(' -> ')}`);
    }
  }

  // --- the consumers: each event applied once (inbox), each group at its last headcount ------
  const eventIds = [...distinctIds];
  for (const [label, schema, table, groupId] of [
    ['practice-notification', 'practice_notification', 'arrived_groups', consumerGroups.practiceNotification],
    ['clinic-scheduling', 'clinic_scheduling', 'known_groups', consumerGroups.clinicScheduling],
  ]) {
    const inbox = await q(`SELECT event_id, count(*)::int AS n FROM ${schema}.inbox WHERE consumer_group = $1 AND event_id = ANY($2) GROUP BY event_id`, [groupId, eventIds]);
    const applied = new Map(inbox.map((r) => [r.event_id, r.n]));
    for (const id of eventIds) {
      if (!applied.has(id)) problem('lost', `${label} never applied event ${id}`);
      else if (applied.get(id) > 1) problem('duplicated', `${label} applied event ${id} ${applied.get(id)} times`);
    }
    const rows = await q(`SELECT group_id, count(*) OVER (PARTITION BY group_id)::int AS n, headcount FROM ${schema}.${table} WHERE group_id = ANY($1)`, [[...expected.keys()]]);
    const seen = new Map(rows.map((r) => [r.group_id, r]));
    for (const g of ledger.groups) {
      const row = seen.get(g.groupId);
      if (!row) problem('lost', `${label} has no ${table} row for ${g.groupId}`);
      else if (row.n > 1) problem('duplicated', `${label} has ${row.n} ${table} rows for ${g.groupId}`);
      else if (row.headcount !== g.headcounts.at(-1)) problem('order', `${label}: ${g.groupId} at headcount ${row.headcount}, last command said ${g.headcounts.at(-1)}`);
    }
  }

  // --- consultation hours: clinic-scheduling -> declarations, once each ----------------------
  const sessions = (await q('SELECT id FROM clinic_scheduling.sessions')).map((r) => r.id);
  const sessionSet = new Set(sessions);
  for (const id of ledger.sessions) if (!sessionSet.has(id)) problem('lost', `clinic-scheduling has no session ${id} it acknowledged`);
  const declared = new Map((await q('SELECT session_id, count(*)::int AS n FROM declarations.declarable_sessions GROUP BY session_id')).map((r) => [r.session_id, r.n]));
  for (const id of sessions) {
    if (!declared.has(id)) problem('lost', `declarations never recorded session ${id}`);
    else if (declared.get(id) > 1) problem('duplicated', `declarations recorded session ${id} ${declared.get(id)} times`);
  }
  for (const id of declared.keys()) if (!sessionSet.has(id)) problem('duplicated', `declarations holds session ${id} that clinic-scheduling does not`);
  const sessionEvents = new Set();
  for (const r of topics[names.sessions]) {
    const e = parse(r.value);
    if (e && /SessionScheduled/.test(e.type)) sessionEvents.add(e.data.sessionId);
  }
  for (const id of sessions) if (!sessionEvents.has(id)) problem('lost', `no SessionScheduled on ${names.sessions} for session ${id}`);

  // --- outboxes drained -----------------------------------------------------------------------
  for (const schema of ['intake', 'practice_notification', 'clinic_scheduling', 'declarations']) {
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`);
    if (n > 0) problem('lost', `${schema}.outbox holds ${n} unpublished rows`);
  }

  // --- dead letters: every poison message, per consumer group, within maxAttempts; nothing else
  const dlq = topics[`${names.groups}.dlq`] ?? [];
  const poisonReport = [];
  for (const p of poison) {
    const entry = { kind: p.kind, partition: p.partition, offset: p.offset, deadLettered: {} };
    for (const groupId of [consumerGroups.practiceNotification, consumerGroups.clinicScheduling]) {
      const hits = dlq.filter((r) => r.headers[DLQ.group] === groupId && Number(r.headers[DLQ.partition]) === p.partition && Number(r.headers[DLQ.offset]) === p.offset);
      if (hits.length === 0) problem('poison', `${p.kind} poison at ${p.partition}:${p.offset} is not in ${names.groups}.dlq for ${groupId}`);
      const attempts = Math.max(0, ...hits.map((h) => Number(h.headers[DLQ.attempts])));
      if (attempts > maxAttempts) problem('poison', `${p.kind} poison dead-lettered by ${groupId} after ${attempts} attempts (> ${maxAttempts})`);
      entry.deadLettered[groupId] = { records: hits.length, attempts, reason: hits[0]?.headers[DLQ.reason] };
    }
    poisonReport.push(entry);
  }
  for (const r of dlq) {
    const at = `${r.headers[DLQ.partition]}:${r.headers[DLQ.offset]}`;
    if (!poisonAt.has(at)) problem('lost', `a real event was dead-lettered: ${at} by ${r.headers[DLQ.group]} (${r.headers[DLQ.reason]}: ${String(r.headers['dlq-error']).slice(0, 200)})`);
  }
  for (const [topic, list] of Object.entries(topics)) {
    if (topic.endsWith('.dlq') && topic !== `${names.groups}.dlq` && list.length) problem('lost', `${list.length} records dead-lettered on ${topic}`);
  }

  return {
    ok: problems.length === 0,
    arrivals: ledger.groups.length,
    expectedGroupEvents: expectedEvents,
    groupEventsOnTopic: distinctIds.size,
    recordsOnTopic: records,
    republishedCopies: records - distinctIds.size,
    sessions: sessions.length,
    sessionsAcknowledged: ledger.sessions.length,
    lost: counts.lost ?? 0,
    duplicated: counts.duplicated ?? 0,
    orderViolations: counts.order ?? 0,
    poisonProblems: counts.poison ?? 0,
    poison: poisonReport,
    problems,
  };
}

module.exports = { check };
