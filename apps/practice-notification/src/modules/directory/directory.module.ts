import { DynamicModule, Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { PracticeNotificationConfig } from '../../config/practice-notification.config';
import { DirectoryHttpController } from './commands/import-directory/directory.http.controller';
import { ImportDirectoryService } from './commands/import-directory/import-directory.service';
import { Region, RegionFile } from './domain/region';
import { PeopleHttpController } from './queries/people.http.controller';
import bundledRegion from './region/region.drenthe.json';

@Module({})
export class DirectoryModule {
  static forConfig(config: PracticeNotificationConfig): DynamicModule {
    return {
      module: DirectoryModule,
      global: true,
      controllers: [DirectoryHttpController, PeopleHttpController],
      providers: [
        {
          provide: Region,
          useFactory: () => new Region((config.REGION_FILE ? JSON.parse(readFileSync(config.REGION_FILE, 'utf8')) : bundledRegion) as RegionFile),
        },
        ImportDirectoryService,
      ],
      exports: [Region],
    };
  }
}
