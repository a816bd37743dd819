'use strict';
/**
 * The V8 flags of each Draaiboek service process, wherever it is started: `npm start`, the
 * benchmarks and the fault suite (through this module), the service image (its build argument
 * SEMI_SPACE_MIB and NODE_OPTIONS, checked against this module by
 * apps/system-e2e/src/deployment.spec.ts). Decision 0032.
 *
 * --max-old-space-size=256: an old generation bounded at 256 MiB, which V8 then grows cautiously.
 * The services keep little (about 45 MiB live) but allocate briskly; with V8's defaults their
 * heaps filled with garbage awaiting collection, up to 239 MiB resident under load (the pipeline
 * benchmark, 2026-12-06). With the bound and 4 MiB semi-spaces, at most 146 MiB.
 *
 * --max-semi-space-size: 4 MiB (a young generation of 3 x 4 MiB) for every service but
 * declarations, which takes every consultation of the region in chunks of hundreds: with 4 MiB its
 * chunks outlived the young generation, and collecting them took a quarter of its CPU at
 * 1,000,000 consultations. With 16 MiB its lines phase went from 87-90 s to 68 s, at 189 MiB peak;
 * with 64 MiB its CPU per consultation fell by another quarter, at 364-391 MiB peak (its pod's
 * memory limit is 640 MiB, deploy/k8s/declarations.yaml). Decision 0032.
 */
const SEMI_SPACE_MIB = Object.freeze({ declarations: 64 });
const DEFAULT_SEMI_SPACE_MIB = 4;

/** The semi-space size (MiB) of a service's young generation. */
function semiSpaceMib(service) {
  return SEMI_SPACE_MIB[service] ?? DEFAULT_SEMI_SPACE_MIB;
}

/** The V8 flags to start a service (by its name, e.g. `declarations`) with. */
function serviceNodeFlags(service) {
  return [`--max-semi-space-size=${semiSpaceMib(service)}`, '--max-old-space-size=256'];
}

module.exports = { serviceNodeFlags, semiSpaceMib, DEFAULT_SEMI_SPACE_MIB };
