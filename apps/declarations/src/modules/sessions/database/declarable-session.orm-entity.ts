import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A session at a central location; consultations held there become declaration lines. */
@Entity({ name: 'declarable_sessions' })
export class DeclarableSessionRecord {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'central_location_id', type: 'uuid' })
  centralLocationId!: string;

  @Column({ name: 'location_name', type: 'text' })
  locationName!: string;

  @Column({ name: 'local_date', type: 'date' })
  localDate!: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;
}
