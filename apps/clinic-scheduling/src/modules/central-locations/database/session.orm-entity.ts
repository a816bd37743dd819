import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'sessions' })
export class SessionRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'central_location_id', type: 'uuid' })
  centralLocationId!: string;

  @Column({ name: 'local_date', type: 'date' })
  localDate!: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'int' })
  capacity!: number;

  @Column({ name: 'gp_slots', type: 'int' })
  gpSlots!: number;

  @Column({ type: 'text' })
  status!: 'scheduled' | 'cancelled';
}
