import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EncryptedValue } from '@draaiboek/platform';

export const DURATION_CLASSES = ['short', 'regular', 'long', 'extended'] as const;
export type DurationClass = (typeof DURATION_CLASSES)[number];

/**
 * A consultation held at a central location. It holds no plaintext personal identifier: the
 * patient is a keyed pseudonym of the local reference, and the BSN is stored only encrypted
 * for declarations (which alone holds the private key).
 */
@Entity({ name: 'consultations' })
export class ConsultationRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'gp_agb', type: 'text' })
  gpAgb!: string;

  @Column({ name: 'practice_agb', type: 'text' })
  practiceAgb!: string;

  @Column({ name: 'date_of_care', type: 'date' })
  dateOfCare!: string;

  @Column({ name: 'performance_code', type: 'text' })
  performanceCode!: string;

  @Column({ name: 'duration_class', type: 'text' })
  durationClass!: DurationClass;

  @Column({ name: 'bsn_known', type: 'boolean' })
  bsnKnown!: boolean;

  @Column({ name: 'third_country_national', type: 'boolean' })
  thirdCountryNational!: boolean;

  @Column({ name: 'patient_pseudonym', type: 'text' })
  patientPseudonym!: string;

  @Column({ name: 'walk_in', type: 'boolean' })
  walkIn!: boolean;

  @Column({ name: 'encrypted_bsn', type: 'jsonb', nullable: true })
  encryptedBsn!: EncryptedValue | null;

  /** The principal (API key id) that recorded it. */
  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
