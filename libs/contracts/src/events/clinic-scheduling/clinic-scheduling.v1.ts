import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DUTCH_POSTCODE_OR_PC4, IsCalendarDate } from '../../common';
import { AGB_CODE } from '../practice-notification/practice-notification.v1';

/** A central location was opened (rule 4): after a practice's choice, or by the coordination. Subject/key: centralLocationId. */
export class CentralLocationOpenedV1 {
  @IsUUID() centralLocationId!: string;
  @IsString() @Length(1, 200) name!: string;
  @Matches(DUTCH_POSTCODE_OR_PC4) postcode!: string;
  @IsOptional() @IsUUID() receptionLocationId?: string;
  @IsIn(['practice-choice', 'coordination']) openedBecause!: 'practice-choice' | 'coordination';
}

export const SESSION_CANCELLATION_REASONS = ['cadence-reduced', 'location-closed', 'coordination'] as const;

/** A scheduled consultation hour will not take place. Subject/key: sessionId. */
export class SessionCancelledV1 {
  @IsUUID() sessionId!: string;
  @IsUUID() centralLocationId!: string;
  @IsCalendarDate() localDate!: string;
  @IsIn(SESSION_CANCELLATION_REASONS) reason!: (typeof SESSION_CANCELLATION_REASONS)[number];
}

/** A GP was rostered on a published shift. Subject/key: shiftId. */
export class ShiftAssignedV1 {
  @IsUUID() shiftId!: string;
  @IsUUID() sessionId!: string;
  @IsUUID() centralLocationId!: string;
  @Matches(AGB_CODE) gpAgb!: string;
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsISO8601({ strict: true }) startsAt!: string;
  @IsISO8601({ strict: true }) endsAt!: string;
  @IsCalendarDate() localDate!: string;
  /** Replaces a released shift (a refill) rather than coming from a planning run. */
  @IsBoolean() refill!: boolean;
}

export const SHIFT_RELEASE_REASONS = ['released-by-gp', 'swapped', 'cadence-reduced', 'session-cancelled'] as const;

/** A GP is no longer on a shift. Subject/key: shiftId. */
export class ShiftReleasedV1 {
  @IsUUID() shiftId!: string;
  @IsUUID() sessionId!: string;
  @Matches(AGB_CODE) gpAgb!: string;
  @IsISO8601({ strict: true }) startsAt!: string;
  @IsIn(SHIFT_RELEASE_REASONS) reason!: (typeof SHIFT_RELEASE_REASONS)[number];
}

/** Encrypted for declarations only: RSA-OAEP (SHA-256) over a fresh AES-256-GCM key. */
export class EncryptedValueV1 {
  @IsString() @Length(1, 100) keyId!: string;
  @IsIn(['RSA-OAEP-256+A256GCM']) alg!: 'RSA-OAEP-256+A256GCM';
  @IsString() encryptedKey!: string;
  @IsString() iv!: string;
  @IsString() ciphertext!: string;
  @IsString() tag!: string;
}

export class PayerStatusV1 {
  @IsBoolean() bsnKnown!: boolean;
  @IsBoolean() thirdCountryNational!: boolean;
}

/**
 * A GP held a consultation at a central location. Carries no plaintext personal identifier:
 * the patient is a keyed pseudonym, and the BSN, where a declaration needs it, is encrypted so
 * that only declarations can read it. Subject/key: consultationId.
 */
export class ConsultationRecordedV1 {
  @IsUUID() consultationId!: string;
  @IsUUID() sessionId!: string;
  @IsUUID() centralLocationId!: string;
  @Matches(AGB_CODE) gpAgb!: string;
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsCalendarDate() dateOfCare!: string;
  @Matches(/^\d{5}$/) performanceCode!: string;
  @IsIn(['short', 'regular', 'long', 'extended']) durationClass!: 'short' | 'regular' | 'long' | 'extended';
  @ValidateNested() @Type(() => PayerStatusV1) payerStatus!: PayerStatusV1;
  /** HMAC-SHA256 of the local patient reference: the same patient gives the same pseudonym. */
  @Matches(/^[0-9a-f]{64}$/) patientPseudonym!: string;
  @IsBoolean() walkIn!: boolean;
  @IsOptional() @ValidateNested() @Type(() => EncryptedValueV1) encryptedBsn?: EncryptedValueV1;
}

/** A scheduled session got other times or another capacity (a new cadence, a new headcount). Subject/key: sessionId. */
export class SessionChangedV1 {
  @IsUUID() sessionId!: string;
  @IsUUID() centralLocationId!: string;
  @IsCalendarDate() localDate!: string;
  @IsISO8601({ strict: true }) startsAt!: string;
  @IsISO8601({ strict: true }) endsAt!: string;
  @IsInt() @Min(1) @Max(1000) capacity!: number;
  @IsInt() @Min(1) @Max(50) gpSlots!: number;
}
