'use strict';
/**
 * The V8 flags every Draaiboek service process runs with, wherever it is started: `npm start`,
 * the benchmarks and the fault suite (through this module), the service image (its ENTRYPOINT,
 * checked against this list by apps/system-e2e/src/deployment.spec.ts). Decision 0032.
 *
 * --max-semi-space-size=4: a young generation of 3 x 4 MiB instead of V8's default of up to
 * 3 x 16 MiB. The services allocate briskly and keep little (decoded events, query results), so
 * under load the default young generation alone put 20 to 50 MiB on each process's resident
 * memory (the pipeline benchmark, 2026-12-06).
 */
const SERVICE_NODE_FLAGS = Object.freeze(['--max-semi-space-size=4']);

module.exports = { SERVICE_NODE_FLAGS };
