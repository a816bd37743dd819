module.exports = require('../../tools/jest/project-config')('apps/web', 'web');
