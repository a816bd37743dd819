import { Body, Controller, NotFoundException, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { ReceptionLocationRecord } from '../../database/reception-location.orm-entity';

export class SetLocationCapacityRequestDto {
  @IsInt() @Min(0) @Max(100000)
  capacity!: number;
}

@ApiBearerAuth()
@Controller('v1/locations/:locationId/capacity')
export class SetLocationCapacityHttpController {
  constructor(private readonly db: DataSource) {}

  @ApiOperation({ summary: 'Record the capacity of a reception location (its municipality or the coordination)' })
  @Put()
  @Access('locations', 'set-capacity')
  async set(
    @Param('locationId', new ParseUUIDPipe()) locationId: string,
    @Body() body: SetLocationCapacityRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ locationId: string; capacity: number }> {
    const location = await this.db.manager.findOne(ReceptionLocationRecord, { where: { id: locationId } });
    if (!location || (!principal.roles.includes('coordination') && principal.municipalityCode !== location.municipalityCode)) {
      throw new NotFoundException({ error: 'unknown_location', message: `No location ${locationId}` });
    }
    await this.db.manager.update(ReceptionLocationRecord, { id: locationId }, { capacity: body.capacity });
    return { locationId, capacity: body.capacity };
  }
}
