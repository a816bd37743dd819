import { Body, Controller, HttpCode, Post, UnprocessableEntityException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '@draaiboek/messaging';
import { CurrentPrincipal, Principal, Roles } from '@draaiboek/platform';
import { CentralLocationRecord } from '../../database/central-location.orm-entity';
import { KnownGroupRecord } from '../../database/known-group.orm-entity';
import { OpenCentralLocationRequestDto } from './open-central-location.request.dto';

@ApiBearerAuth()
@Controller('v1/central-locations')
export class OpenCentralLocationHttpController {
  constructor(private readonly uow: UnitOfWork) {}

  @ApiOperation({ summary: 'Open a central location (the coordination decides so)' })
  @Post()
  @HttpCode(201)
  @Roles('coordination')
  open(@Body() body: OpenCentralLocationRequestDto, @CurrentPrincipal() principal: Principal): Promise<{ id: string }> {
    return this.uow.run(async ({ manager }) => {
      if (body.receptionLocationId) {
        const known = await manager.exists(KnownGroupRecord, { where: { locationId: body.receptionLocationId } });
        if (!known) {
          throw new UnprocessableEntityException({
            error: 'unknown_reception_location',
            fields: [{ field: 'receptionLocationId', messages: ['no group has been announced at this reception location'] }],
          });
        }
      }
      const id = randomUUID();
      await manager.insert(CentralLocationRecord, {
        id,
        name: body.name.trim(),
        postcode: body.postcode,
        receptionLocationId: body.receptionLocationId ?? null,
        openedBy: principal.id,
      });
      return { id };
    });
  }
}
