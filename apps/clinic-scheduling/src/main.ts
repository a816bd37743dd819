import 'reflect-metadata';
import { runServiceMain } from '@draaiboek/messaging';
import { clinicSchedulingService } from './clinic-scheduling.service';

runServiceMain(clinicSchedulingService);
