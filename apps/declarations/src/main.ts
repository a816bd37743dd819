import 'reflect-metadata';
import { runServiceMain } from '@draaiboek/messaging';
import { declarationsService } from './declarations.service';

runServiceMain(declarationsService);
