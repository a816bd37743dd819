import { DynamicModule, Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DeclarationsConfig } from '../../config/declarations.config';
import bundledTariffs from '../tariffs/tariffs.nl.json';
import { TariffTable } from '../tariffs/tariff-table';
import { RecordLineWhenConsultationRecordedHandler } from './event-handlers/record-line-when-consultation-recorded.handler';
import { LinesHttpController } from './lines.http.controller';
import { CorrectionsHttpController } from './corrections.http.controller';

@Module({})
export class LinesModule {
  static forConfig(config: DeclarationsConfig): DynamicModule {
    return {
      module: LinesModule,
      controllers: [RecordLineWhenConsultationRecordedHandler, LinesHttpController, CorrectionsHttpController],
      providers: [
        {
          provide: TariffTable,
          useFactory: () => TariffTable.fromJson(config.TARIFFS_FILE ? JSON.parse(readFileSync(config.TARIFFS_FILE, 'utf8')) : bundledTariffs),
        },
      ],
    };
  }
}
