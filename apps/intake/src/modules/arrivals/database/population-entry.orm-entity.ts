import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The dated population history of reception locations, append-only: each arrival, change,
 * departure, relocation or cancellation adds signed deltas. The population of a location
 * (or municipality) on a date is the sum of the deltas effective on or before it.
 */
@Entity({ name: 'population_entries' })
export class PopulationEntryRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'location_id', type: 'uuid' })
  locationId!: string;

  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode!: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'effective_date', type: 'date' })
  effectiveDate!: string;

  @Column({ type: 'int' })
  delta!: number;

  @Column({ type: 'text' })
  cause!: 'arrived' | 'headcount-changed' | 'departed' | 'relocated' | 'cancelled';

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
