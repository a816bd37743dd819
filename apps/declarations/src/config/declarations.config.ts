import { ServiceConfig } from '@draaiboek/platform';

export class DeclarationsConfig extends ServiceConfig {}
