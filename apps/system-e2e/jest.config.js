module.exports = require('../../tools/jest/project-config')('apps/system-e2e', 'system-e2e');
