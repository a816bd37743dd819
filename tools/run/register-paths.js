'use strict';
// Resolves the workspace aliases (@draaiboek/contracts, ...) to the compiled output in dist/out,
// using the same `paths` as tsconfig.base.json.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

tsConfigPaths.register({
  baseUrl: path.resolve(__dirname, '../../dist/out'),
  paths: compilerOptions.paths,
});
