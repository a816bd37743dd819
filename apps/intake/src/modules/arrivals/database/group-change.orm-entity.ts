import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type GroupChangeKind = 'headcount-changed' | 'departed' | 'relocated' | 'cancelled';

/** Every change to a group, under the municipality's own reference for it (the idempotency key). */
@Entity({ name: 'group_changes' })
@Index('group_changes_reference', ['groupId', 'changeReference'], { unique: true })
export class GroupChangeRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'change_reference', type: 'text' })
  changeReference!: string;

  @Column({ type: 'text' })
  kind!: GroupChangeKind;

  @Column({ type: 'jsonb' })
  request!: Record<string, unknown>;

  @Column({ name: 'effective_date', type: 'date' })
  effectiveDate!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
