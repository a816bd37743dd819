module.exports = require('../../tools/jest/project-config')('apps/clinic-scheduling', 'clinic-scheduling');
