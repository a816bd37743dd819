import 'reflect-metadata';
import { runServiceMain } from '@draaiboek/messaging';
import { practiceNotificationService } from './practice-notification.service';

runServiceMain(practiceNotificationService);
