import { DynamicModule, Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { IntakeConfig } from '../../config/intake.config';
import bundledMunicipalities from '../municipalities/municipalities.nl.json';
import { MunicipalityRegistry } from '../municipalities/municipality-registry';
import { AnnounceArrivalHttpController } from './commands/announce-arrival/announce-arrival.http.controller';
import { AnnounceArrivalService } from './commands/announce-arrival/announce-arrival.service';
import { RecordGroupChangeHttpController } from './commands/record-group-change/record-group-change.http.controller';
import { RecordGroupChangeService } from './commands/record-group-change/record-group-change.service';
import { SetLocationCapacityHttpController } from './commands/set-location-capacity/set-location-capacity.http.controller';
import { SigningKeyRing } from './domain/signed-record';
import { AnnounceArrivalWhenArrivalAnnouncedHandler } from './event-handlers/announce-arrival-when-arrival-announced.handler';
import { OverviewHttpController } from './queries/overview.http.controller';

@Module({})
export class ArrivalsModule {
  static forConfig(config: IntakeConfig): DynamicModule {
    return {
      module: ArrivalsModule,
      controllers: [
        AnnounceArrivalHttpController,
        RecordGroupChangeHttpController,
        SetLocationCapacityHttpController,
        OverviewHttpController,
        AnnounceArrivalWhenArrivalAnnouncedHandler,
      ],
      providers: [
        AnnounceArrivalService,
        RecordGroupChangeService,
        {
          provide: MunicipalityRegistry,
          useFactory: () =>
            MunicipalityRegistry.fromJson(
              config.MUNICIPALITIES_FILE ? JSON.parse(readFileSync(config.MUNICIPALITIES_FILE, 'utf8')) : bundledMunicipalities,
            ),
        },
        {
          provide: SigningKeyRing,
          useFactory: () =>
            SigningKeyRing.fromJson(
              config.MUNICIPAL_SIGNING_KEYS ?? (config.MUNICIPAL_SIGNING_KEYS_FILE ? readFileSync(config.MUNICIPAL_SIGNING_KEYS_FILE, 'utf8') : undefined),
            ),
        },
      ],
    };
  }
}
