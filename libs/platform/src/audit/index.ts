export * from './audit-log';
export * from './audit-log.migration';
export * from './audit-patient-sets.migration';
export * from './audit.http.controller';
