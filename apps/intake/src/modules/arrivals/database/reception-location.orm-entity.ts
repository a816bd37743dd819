import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'reception_locations' })
@Index('reception_locations_natural_key', ['municipalityCode', 'postcode', 'normalizedName'], { unique: true })
export class ReceptionLocationRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'municipality_code', type: 'text' })
  municipalityCode!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Lower-cased, single-spaced name: `AZC  Emmen` and `azc emmen` are one location. */
  @Column({ name: 'normalized_name', type: 'text' })
  normalizedName!: string;

  @Column({ type: 'text' })
  postcode!: string;

  @Column({ type: 'text' })
  pc4!: string;

  @Column({ type: 'text' })
  kind!: 'reception-centre' | 'neighbourhood';

  /** Places at the location, when the municipality or the coordination knows it. */
  @Column({ type: 'int', nullable: true })
  capacity!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
