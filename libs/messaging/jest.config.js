module.exports = require('../../tools/jest/project-config')('libs/messaging', 'messaging');
