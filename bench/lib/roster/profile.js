'use strict';
/**
 * CPU profile of a synchronous call through the inspector (the same sampler as `node --cpu-prof`),
 * summarised by TypeScript source line: the compiled solver's lines are mapped back through its
 * source maps (dist/out/**.js.map), so the figures point at roster-solver.ts, not at dist/.
 */

const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');
const { fileURLToPath } = require('node:url');
const { SourceMap } = require('node:module');
const { ROOT } = require('./evaluate');

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params || {}, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Runs fn() under the sampling profiler; returns { value, profile }. Sampling interval in µs. */
async function profiled(fn, { intervalUs = 500 } = {}) {
  const session = new inspector.Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await post(session, 'Profiler.start');
    const value = fn();
    const { profile } = await post(session, 'Profiler.stop');
    return { value, profile };
  } finally {
    session.disconnect();
  }
}

const mapCache = new Map();
function sourceMapFor(file) {
  if (mapCache.has(file)) return mapCache.get(file);
  let entry = null;
  try {
    const js = fs.readFileSync(file, 'utf8');
    const map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    entry = { map, lines: js.split('\n'), sourceText: new Map() };
  } catch {
    entry = null;
  }
  mapCache.set(file, entry);
  return entry;
}

/** JS file + 1-based line -> { file (repo-relative .ts), line (1-based), text } or null. */
function toSource(jsFile, line) {
  const sm = sourceMapFor(jsFile);
  if (!sm) return null;
  const jsLine = sm.lines[line - 1] ?? '';
  const column = Math.max(0, jsLine.search(/\S/));
  const hit = sm.map.findEntry(line - 1, column);
  if (!hit || hit.originalSource === undefined) return null;
  const tsFile = path.resolve(path.dirname(jsFile), hit.originalSource.startsWith('file:') ? fileURLToPath(hit.originalSource) : hit.originalSource);
  if (!sm.sourceText.has(tsFile)) {
    try {
      sm.sourceText.set(tsFile, fs.readFileSync(tsFile, 'utf8').split('\n'));
    } catch {
      sm.sourceText.set(tsFile, []);
    }
  }
  return { file: path.relative(ROOT, tsFile), line: hit.originalLine + 1, text: (sm.sourceText.get(tsFile)[hit.originalLine] ?? '').trim() };
}

function fileOf(url) {
  if (!url) return null;
  try {
    return url.startsWith('file:') ? fileURLToPath(url) : url;
  } catch {
    return url;
  }
}

/**
 * Self time by function and by source line. Samples inside `rootFunction` (the solve), plus the
 * garbage collector's and V8's own ("(program)") count towards `totalMs`; the profiler's own
 * calls stay out.
 */
function summarise(profile, { rootFunction = 'solveRoster', topLines = 12, topFunctions = 10 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const inRoot = new Map();
  const isInRoot = (id) => {
    if (inRoot.has(id)) return inRoot.get(id);
    const n = nodes.get(id);
    const v = n.callFrame.functionName === rootFunction || (parent.has(id) ? isInRoot(parent.get(id)) : false);
    inRoot.set(id, v);
    return v;
  };
  // Time per sample: timeDeltas[i] is the time before sample i.
  const selfMs = new Map();
  const deltas = profile.timeDeltas || [];
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    const name = nodes.get(id).callFrame.functionName;
    if (!isInRoot(id) && name !== '(garbage collector)' && name !== '(program)') continue;
    totalMs += dt;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  }
  const byFunction = new Map();
  const byLine = new Map();
  for (const [id, ms] of selfMs) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const file = fileOf(cf.url);
    const defined = file ? toSource(file, cf.lineNumber + 1) : null;
    const fname = cf.functionName || '(anonymous)';
    const fkey = defined ? `${fname} ${defined.file}:${defined.line}` : `${fname}${cf.url ? ` ${cf.url}` : ''}`;
    const f = byFunction.get(fkey) || { function: fname, where: defined ? `${defined.file}:${defined.line}` : cf.url || '(native)', ms: 0 };
    f.ms += ms;
    byFunction.set(fkey, f);
    // Per line: split the node's self time by its line ticks.
    const ticks = n.positionTicks || [];
    const tickSum = ticks.reduce((a, t) => a + t.ticks, 0);
    if (file && tickSum > 0) {
      for (const t of ticks) {
        const src = toSource(file, t.line);
        const key = src ? `${src.file}:${src.line}` : `${cf.url}:${t.line}`;
        const l = byLine.get(key) || { where: key, text: src ? src.text : '', function: fname, ms: 0 };
        l.ms += (ms * t.ticks) / tickSum;
        byLine.set(key, l);
      }
    } else {
      const key = fkey;
      const l = byLine.get(key) || { where: defined ? `${defined.file}:${defined.line}` : fname, text: defined ? defined.text : '', function: fname, ms: 0 };
      l.ms += ms;
      byLine.set(key, l);
    }
  }
  // Inclusive (total) time per function: self time of the node and everything it called.
  const totalOf = new Map();
  const inclusive = (id) => {
    if (totalOf.has(id)) return totalOf.get(id);
    const n = nodes.get(id);
    let t = selfMs.get(id) ?? 0;
    for (const c of n.children || []) t += inclusive(c);
    totalOf.set(id, t);
    return t;
  };
  const byFunctionTotal = new Map();
  for (const n of profile.nodes) {
    // count a function once per path: skip nodes whose ancestors include the same function
    const cf = n.callFrame;
    let up = parent.get(n.id);
    let nested = false;
    while (up !== undefined) {
      const u = nodes.get(up).callFrame;
      if (u.functionName === cf.functionName && u.url === cf.url && u.lineNumber === cf.lineNumber) {
        nested = true;
        break;
      }
      up = parent.get(up);
    }
    if (nested) continue;
    const file = fileOf(cf.url);
    const defined = file ? toSource(file, cf.lineNumber + 1) : null;
    const fname = cf.functionName || '(anonymous)';
    const key = defined ? `${fname} ${defined.file}:${defined.line}` : `${fname}${cf.url ? ` ${cf.url}` : ''}`;
    const f = byFunctionTotal.get(key) || { function: fname, where: defined ? `${defined.file}:${defined.line}` : cf.url || '(native)', ms: 0 };
    f.ms += inclusive(n.id);
    byFunctionTotal.set(key, f);
  }
  // What the root function's time splits into: each direct callee with everything below it, and
  // the root's own lines.
  const phases = new Map();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName !== rootFunction) continue;
    if (parent.has(n.id) && isInRoot(parent.get(n.id))) continue; // outermost only
    const own = phases.get('self') || { function: `${rootFunction} itself`, where: '', ms: 0 };
    own.ms += selfMs.get(n.id) ?? 0;
    phases.set('self', own);
    for (const c of n.children || []) {
      const cf = nodes.get(c).callFrame;
      const file = fileOf(cf.url);
      const defined = file ? toSource(file, cf.lineNumber + 1) : null;
      const fname = cf.functionName || '(anonymous)';
      const key = `${fname}|${cf.url}|${cf.lineNumber}`;
      const f = phases.get(key) || { function: fname, where: defined ? `${defined.file}:${defined.line}` : '', ms: 0 };
      f.ms += inclusive(c);
      phases.set(key, f);
    }
  }
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName;
    if (name !== '(garbage collector)' && name !== '(program)') continue;
    const f = phases.get(name) || { function: name, where: '', ms: 0 };
    f.ms += selfMs.get(n.id) ?? 0;
    phases.set(name, f);
  }
  const rank = (m, top) =>
    [...m.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((x) => ({ ...x, ms: Math.round(x.ms), share: totalMs ? Math.round((1000 * x.ms) / totalMs) / 10 : 0 }));
  return {
    totalMs: Math.round(totalMs),
    samples: profile.samples.length,
    functions: rank(byFunction, topFunctions),
    inclusive: rank(new Map([...byFunctionTotal].filter(([, f]) => f.where.startsWith('apps/'))), topFunctions),
    lines: rank(byLine, topLines),
    phases: rank(phases, 20).filter((f) => f.ms > 0),
  };
}

module.exports = { profiled, summarise };
