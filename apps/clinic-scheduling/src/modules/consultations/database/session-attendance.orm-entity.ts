import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Booked patients who did not come to a session, for the weekly (cadence) evaluation. */
@Entity({ name: 'session_attendance' })
export class SessionAttendanceRecord {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'no_shows', type: 'int' })
  noShows!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;
}
