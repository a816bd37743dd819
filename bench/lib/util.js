'use strict';
// Small helpers shared by the benchmarks: bounded waiting, percentiles, CPU accounting, formatting.

const fs = require('node:fs');
const os = require('node:os');

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A positive integer from the environment, or the default. */
function envInt(name, fallback, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Polls `probe` every `intervalMs` until it returns a truthy value; throws after `timeoutMs`
 * (and never polls more than timeoutMs / intervalMs + 1 times).
 */
async function pollUntil(probe, { intervalMs = 100, timeoutMs, what }) {
  const started = Date.now();
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  let last;
  for (let i = 0; i < maxPolls; i += 1) {
    last = await probe();
    if (last && last.done) return { ...last, elapsedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) break;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last && last.status ? ` (${last.status})` : ''}`);
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function latencySummary(latenciesMs) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1),
  };
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat); null elsewhere. */
function machineCpuTicks() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] || 0); // idle + iowait
    // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user/nice)
    const total = fields.slice(0, 8).reduce((s, v) => s + v, 0);
    // Interrupt time is charged to no process: on loopback networking it can be a good share.
    return { busy: total - idle, total, interrupts: (fields[5] || 0) + (fields[6] || 0) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat; null elsewhere. */
function processCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from state = 3)
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Pids of the processes named `comm` (e.g. every PostgreSQL backend: "postgres"). Linux only. */
function pidsNamed(comm) {
  const pids = [];
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
      } catch {
        // gone
      }
    }
  } catch {
    // not Linux
  }
  return pids;
}

/** The first words of a process's command line (its script, for node), or null. */
function commandOf(pid) {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.slice(0, 3).map((a) => a.split('/').slice(-2).join('/')).join(' ').slice(0, 60);
  } catch {
    return null;
  }
}

/** CPU seconds and name of every process (Linux); an empty map elsewhere. */
function allProcessCpu() {
  const out = new Map();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(entry), { comm, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
      } catch {
        // gone
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/**
 * CPU accounting over an interval: the whole machine (busy share of all cores) and named groups
 * of processes (CPU seconds), so a figure can say who was busy while it was measured.
 * `groups`: name -> () => pids. A process that appears during the interval counts from zero; one
 * that exits during it is lost (PostgreSQL backends of the benchmark's own pools stay up).
 */
function cpuMeter(groups) {
  const snapshot = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pidsOf]) => {
        const perPid = new Map();
        for (const pid of pidsOf().filter(Boolean)) {
          const seconds = processCpuSeconds(pid);
          if (seconds !== null) perPid.set(pid, seconds);
        }
        return [name, perPid];
      }),
    );
  const startMachine = machineCpuTicks();
  const start = snapshot();
  const startAll = allProcessCpu();
  return {
    stop() {
      const endMachine = machineCpuTicks();
      const end = snapshot();
      const out = { machineBusyPercent: null, cpuSeconds: {} };
      if (startMachine && endMachine && endMachine.total > startMachine.total) {
        out.machineBusyPercent = round((100 * (endMachine.busy - startMachine.busy)) / (endMachine.total - startMachine.total), 1);
      }
      let attributed = 0;
      for (const name of Object.keys(groups)) {
        if (end[name].size === 0) {
          out.cpuSeconds[name] = null;
          continue;
        }
        let sum = 0;
        for (const [pid, seconds] of end[name]) sum += seconds - (start[name].get(pid) ?? 0);
        out.cpuSeconds[name] = round(sum, 2);
        attributed += sum;
      }
      if (startMachine && endMachine) {
        // Everything else that ran on the machine meanwhile (kernel, other processes, work of other people).
        out.cpuSeconds.other = round(Math.max(0, (endMachine.busy - startMachine.busy) / 100 - attributed), 2);
        // What "other" was: interrupt time (charged to no process) and the busiest other processes.
        const mine = new Set(Object.values(end).flatMap((m) => [...m.keys()]));
        const now = allProcessCpu();
        const others = [];
        for (const [pid, { comm, seconds }] of now) {
          if (mine.has(pid)) continue;
          const used = seconds - (startAll.get(pid)?.seconds ?? 0);
          if (used >= 0.05) others.push({ pid, comm, seconds: round(used, 2) });
        }
        out.otherDetail = {
          interruptSeconds: round((endMachine.interrupts - startMachine.interrupts) / 100, 2),
          processes: others
            .sort((a, b) => b.seconds - a.seconds)
            .slice(0, 6)
            .map((x) => ({ ...x, comm: commandOf(x.pid) || x.comm })),
        };
      }
      return out;
    },
  };
}

/** Resident memory of a process from /proc/<pid>/status (kB -> MiB): now (VmRSS) and its peak so far (VmHWM). */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1] || 0);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMiB: 0, peakMiB: 0 };
  }
}

/**
 * Samples a process's VmRSS every intervalMs; stop() returns the larger of the highest sample and
 * VmHWM (the kernel's peak since the process started), now() the resident set of this moment.
 */
function memorySampler(pid, intervalMs = 100) {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, memoryOf(pid).rssMiB)), intervalMs);
  return { stop: () => (clearInterval(timer), Math.max(max, memoryOf(pid).peakMiB)), now: () => memoryOf(pid).rssMiB };
}

function round(value, digits = 0) {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function formatNumber(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (typeof value === 'string') return value;
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    totalMemoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

module.exports = {
  sleep,
  envInt,
  pollUntil,
  percentile,
  latencySummary,
  cpuMeter,
  pidsNamed,
  processCpuSeconds,
  round,
  formatNumber,
  machineInfo,
  memoryOf,
  memorySampler,
};
