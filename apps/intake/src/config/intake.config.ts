import { ServiceConfig } from '@draaiboek/platform';

export class IntakeConfig extends ServiceConfig {}
