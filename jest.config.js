'use strict';
// The whole suite: every project, plus the workspace-level architecture tests.
module.exports = {
  globalSetup: '<rootDir>/tools/jest/global-setup.js',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.js',
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/platform',
    '<rootDir>/libs/messaging',
    '<rootDir>/apps/intake',
    '<rootDir>/apps/practice-notification',
    '<rootDir>/apps/clinic-scheduling',
    '<rootDir>/apps/declarations',
    '<rootDir>/apps/web',
    '<rootDir>/apps/system-e2e',
    '<rootDir>/tools/architecture',
    '<rootDir>/tools/infra',
  ],
};
