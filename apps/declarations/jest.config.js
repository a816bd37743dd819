module.exports = require('../../tools/jest/project-config')('apps/declarations', 'declarations');
