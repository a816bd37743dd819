module.exports = require('../jest/project-config')('tools/infra', 'infra');
