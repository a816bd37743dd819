import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const GROUP_STATUSES = ['active', 'departed', 'cancelled'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

@Entity({ name: 'refugee_groups' })
@Index('refugee_groups_reference', ['municipalityCode', 'reference'], { unique: true })
export class RefugeeGroupRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode!: string;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'location_id', type: 'uuid' })
  locationId!: string;

  @Column({ type: 'int' })
  headcount!: number;

  @Column({ name: 'arrival_date', type: 'date' })
  arrivalDate!: string;

  @Column({ type: 'jsonb', nullable: true })
  composition!: Record<string, number> | null;

  @Column({ name: 'with_bsn_count', type: 'int', nullable: true })
  withBsnCount!: number | null;

  @Column({ type: 'text' })
  status!: GroupStatus;

  /** Effective date of the latest event in the group's life; changes may not go back before it. */
  @Column({ name: 'last_change_date', type: 'date' })
  lastChangeDate!: string;

  /** The arrival as the municipality sent it (normalised): compared when the reference comes again. */
  @Column({ name: 'announced_payload', type: 'jsonb' })
  announcedPayload!: Record<string, unknown>;

  @Column({ name: 'announced_by', type: 'text' })
  announcedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
