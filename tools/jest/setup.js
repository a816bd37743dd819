'use strict';
require('reflect-metadata');
process.env.NODE_ENV = 'test';
