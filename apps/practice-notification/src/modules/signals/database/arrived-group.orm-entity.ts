import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A group intake announced: what the signal to practices is about. */
@Entity({ name: 'arrived_groups' })
export class ArrivedGroupRecord {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode!: string;

  @Column({ name: 'location_id', type: 'uuid' })
  locationId!: string;

  @Column({ name: 'location_name', type: 'text' })
  locationName!: string;

  @Column({ type: 'text' })
  pc4!: string;

  @Column({ type: 'int' })
  headcount!: number;

  @Column({ name: 'arrival_date', type: 'date' })
  arrivalDate!: string;

  /** Rule 2: above the region's threshold the advice is a central location. */
  @Column({ name: 'central_location_advised', type: 'boolean' })
  centralLocationAdvised!: boolean;

  @Column({ type: 'text', default: 'active' })
  status!: 'active' | 'departed' | 'cancelled';

  @Column({ type: 'jsonb', nullable: true })
  location!: Record<string, string> | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
