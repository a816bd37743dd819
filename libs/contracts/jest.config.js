module.exports = require('../../tools/jest/project-config')('libs/contracts', 'contracts');
