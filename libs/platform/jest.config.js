module.exports = require('../../tools/jest/project-config')('libs/platform', 'platform');
