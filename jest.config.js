'use strict';
// The whole suite: every project, plus the workspace-level architecture tests.
module.exports = {
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/platform',
    '<rootDir>/libs/messaging',
    '<rootDir>/apps/intake',
    '<rootDir>/apps/practice-notification',
    '<rootDir>/apps/clinic-scheduling',
    '<rootDir>/apps/declarations',
    '<rootDir>/tools/architecture',
  ],
};
