import { Module } from '@nestjs/common';
import { CentralLocationsModule } from '../central-locations/central-locations.module';
import { CadenceHttpController } from './cadence.http.controller';
import { CadenceService } from './cadence.service';

@Module({ imports: [CentralLocationsModule], controllers: [CadenceHttpController], providers: [CadenceService] })
export class CadenceModule {}
