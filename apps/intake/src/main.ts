import 'reflect-metadata';
import { runServiceMain } from '@draaiboek/messaging';
import { intakeService } from './intake.service';

runServiceMain(intakeService);
