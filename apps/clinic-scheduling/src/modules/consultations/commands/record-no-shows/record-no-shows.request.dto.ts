import { IsInt, Max, Min } from 'class-validator';

export class RecordNoShowsRequestDto {
  /** Booked patients who did not come. Replaces an earlier count. */
  @IsInt()
  @Min(0)
  @Max(1000)
  count!: number;
}
