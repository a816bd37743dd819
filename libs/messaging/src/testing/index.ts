export * from './test-database';
export * from './kafka-probe';
export * from './test-system';
export * from './fixtures';
export * from './mail-catcher';
