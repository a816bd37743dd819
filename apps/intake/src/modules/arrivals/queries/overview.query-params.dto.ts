import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { CBS_MUNICIPALITY_CODE, IsCalendarDate } from '@draaiboek/contracts';
import { GROUP_STATUSES, GroupStatus } from '../database/refugee-group.orm-entity';

export class ListGroupsQueryDto {
  @IsOptional() @Matches(CBS_MUNICIPALITY_CODE) municipalityCode?: string;
  /** The municipality's own reference: lets a municipal system find the group it announced over Kafka. */
  @IsOptional() @IsString() @Length(1, 100) reference?: string;
  @IsOptional() @IsUUID() locationId?: string;
  @IsOptional() @IsIn(GROUP_STATUSES) status?: GroupStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}

export class TotalsQueryDto {
  /** Date in Europe/Amsterdam; today when absent. */
  @IsOptional() @IsCalendarDate() date?: string;
  @IsIn(['municipality', 'location']) by!: 'municipality' | 'location';
  @IsOptional() @Matches(CBS_MUNICIPALITY_CODE) municipalityCode?: string;
}

export class LocationsQueryDto {
  @IsOptional() @Matches(CBS_MUNICIPALITY_CODE) municipalityCode?: string;
  @IsOptional() @IsCalendarDate() date?: string;
}
