'use strict';
/**
 * The V8 flags every Draaiboek service process runs with, wherever it is started: `npm start`,
 * the benchmarks and the fault suite (through this module), the service image (its ENTRYPOINT,
 * checked against this list by apps/system-e2e/src/deployment.spec.ts). Decision 0032.
 *
 * --max-semi-space-size=4 --max-old-space-size=256: a young generation of 3 x 4 MiB instead of up
 * to 3 x 16 MiB, and an old generation bounded at 256 MiB, which V8 then grows cautiously. The
 * services keep little (about 45 MiB live) but allocate briskly; with V8's defaults their heaps
 * filled with garbage awaiting collection, up to 239 MiB resident under load (the pipeline
 * benchmark, 2026-12-06). With these, at most 146 MiB.
 */
const SERVICE_NODE_FLAGS = Object.freeze(['--max-semi-space-size=4', '--max-old-space-size=256']);

module.exports = { SERVICE_NODE_FLAGS };
