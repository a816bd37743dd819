import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'central_locations' })
export class CentralLocationRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  postcode!: string;

  /** Reception location (from intake) the consultation hour is held at, when there is one. */
  @Column({ name: 'reception_location_id', type: 'uuid', nullable: true })
  receptionLocationId!: string | null;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy!: string;

  @CreateDateColumn({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;
}
