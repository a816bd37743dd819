module.exports = require('../jest/project-config')('tools/architecture', 'architecture');
