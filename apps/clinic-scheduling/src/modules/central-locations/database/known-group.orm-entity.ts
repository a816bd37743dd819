import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Groups at reception locations, as intake announced them: the population a central location serves. */
@Entity({ name: 'known_groups' })
export class KnownGroupRecord {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'location_id', type: 'uuid' })
  locationId!: string;

  @Column({ name: 'location_name', type: 'text' })
  locationName!: string;

  @Column({ type: 'text' })
  postcode!: string;

  @Column({ type: 'int' })
  headcount!: number;

  @Column({ name: 'arrival_date', type: 'date' })
  arrivalDate!: string;
}
