import { Body, Controller, HttpCode, Post, UnprocessableEntityException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { UnitOfWork } from '@draaiboek/messaging';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { CentralLocationService } from '../../central-location.service';
import { OpenCentralLocationRequestDto } from './open-central-location.request.dto';

@ApiBearerAuth()
@Controller('v1/central-locations')
export class OpenCentralLocationHttpController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly locations: CentralLocationService,
  ) {}

  @ApiOperation({ summary: 'Open a central location (the coordination decides so); one per reception location' })
  @Post()
  @Access('central-locations', 'open')
  @HttpCode(201)
  open(@Body() body: OpenCentralLocationRequestDto, @CurrentPrincipal() principal: Principal): Promise<{ id: string; created: boolean }> {
    return this.uow.run(async (tx) => {
      if (body.receptionLocationId) {
        const known = await tx.manager.query('SELECT 1 FROM known_groups WHERE location_id = $1 LIMIT 1', [body.receptionLocationId]);
        if (known.length === 0) {
          throw new UnprocessableEntityException({
            error: 'unknown_reception_location',
            fields: [{ field: 'receptionLocationId', messages: ['no group has been announced at this reception location'] }],
          });
        }
      }
      return this.locations.open(tx, {
        name: body.name.trim(),
        postcode: body.postcode,
        receptionLocationId: body.receptionLocationId,
        latitude: body.latitude,
        longitude: body.longitude,
        openedBy: principal.id,
        openedBecause: 'coordination',
      });
    });
  }
}
