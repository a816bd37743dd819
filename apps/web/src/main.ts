import 'reflect-metadata';
import { runServiceMain } from '@draaiboek/messaging';
import { webService } from './web.service';

runServiceMain(webService);
