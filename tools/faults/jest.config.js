'use strict';
// The fault suite's short profile as a test (`npm test` runs it after the rest of the suite, on
// its own, so no other test shares the machine with its recovery-time criterion). It starts its
// own PostgreSQL cluster and Kafka broker: no global setup.
const base = require('../jest/project-config')('tools/faults', 'faults');

module.exports = { ...base, testMatch: ['<rootDir>/**/*.fault-spec.ts'] };
