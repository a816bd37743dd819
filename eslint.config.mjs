import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (Nx tags), with real constraints:
 * - contracts depends on nothing of ours and on no framework, broker client or ORM;
 * - only the messaging library imports kafkajs;
 * - apps depend on libraries only, never on each other.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.local', 'tmp', '**/jest.config.js', 'tools/infra', 'tools/run', 'tools/jest'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'express'],
            },
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: ['kafkajs'],
            },
            {
              sourceTag: 'type:messaging',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:messaging'],
              bannedExternalImports: ['kafkajs'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The end-to-end suite is the one place that composes the services in one process.
    // Nx forbids importing apps outright, so the rule is off for this test-only project.
    files: ['apps/system-e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
