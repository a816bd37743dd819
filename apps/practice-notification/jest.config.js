module.exports = require('../../tools/jest/project-config')('apps/practice-notification', 'practice-notification');
