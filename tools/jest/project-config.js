'use strict';
// One jest setup for every project: ts-jest in transpile-only mode (types are checked by
// `tsc` in the test command), path aliases from tsconfig.base.json.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

module.exports = function projectConfig(projectDir, displayName) {
  return {
    displayName,
    rootDir: path.join(root, projectDir),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.int-spec.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
    },
    moduleNameMapper: {
      '^@draaiboek/(contracts|messaging|platform)$': path.join(root, 'libs/$1/src/index.ts'),
      '^@draaiboek/(intake|practice-notification|clinic-scheduling|declarations|web)$': path.join(root, 'apps/$1/src/$1.service.ts'),
      '^@draaiboek/messaging/testing$': path.join(root, 'libs/messaging/src/testing/index.ts'),
    },
    setupFiles: [path.join(root, 'tools/jest/setup.js')],
  };
};
