module.exports = require('../../tools/jest/project-config')('apps/intake', 'intake');
