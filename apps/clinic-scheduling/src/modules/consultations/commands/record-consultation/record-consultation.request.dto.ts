import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateBy, ValidationArguments } from 'class-validator';
import { AGB_CODE } from '@draaiboek/contracts';
import { DURATION_CLASSES, DurationClass } from '../../database/consultation.orm-entity';
import { isValidBsn } from '../../domain/bsn';

/** What is wrong with `bsn` given `bsnKnown`, without ever repeating the value. */
export function bsnProblem(bsn: unknown, bsnKnown: unknown): string | undefined {
  const absent = bsn === undefined || bsn === null;
  if (bsnKnown === true && absent) return 'bsn is required when bsnKnown is true';
  if (bsnKnown === false && !absent) return 'bsn must be left out when bsnKnown is false';
  if (absent) return undefined;
  if (typeof bsn !== 'string' || !/^\d{9}$/.test(bsn)) return 'bsn must be 9 digits';
  if (!isValidBsn(bsn)) return 'bsn is not a valid BSN (it fails the 11-check)';
  return undefined;
}

function IsBsnMatchingBsnKnown(): PropertyDecorator {
  const problem = (args: ValidationArguments) => bsnProblem(args.value, (args.object as { bsnKnown?: unknown }).bsnKnown);
  return ValidateBy({
    name: 'isBsnMatchingBsnKnown',
    validator: {
      validate: (_value, args) => (args ? problem(args) === undefined : true),
      defaultMessage: (args) => (args ? (problem(args) ?? '') : 'bsn is invalid'),
    },
  });
}

/** A consultation held at a central location. Personal identifiers are pseudonymised or encrypted before anything is stored. */
export class RecordConsultationRequestDto {
  /** The GP who held the consultation. Required for the coordination; a GP records as themselves and may leave it out. */
  @IsOptional()
  @Matches(AGB_CODE, { message: 'gpAgb must be an AGB code of 8 digits' })
  gpAgb?: string;

  @Matches(/^\d{5}$/, { message: 'performanceCode must be 5 digits' })
  performanceCode!: string;

  @IsIn(DURATION_CLASSES)
  durationClass!: DurationClass;

  @IsBoolean()
  bsnKnown!: boolean;

  @IsBoolean()
  thirdCountryNational!: boolean;

  /** A local reference such as a wristband number; only its keyed pseudonym is kept or sent. */
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'patientReference must not be blank' })
  patientReference!: string;

  /** Required when bsnKnown is true, left out when false; 9 digits passing the 11-check. Only stored and sent encrypted for declarations. */
  @IsBsnMatchingBsnKnown()
  bsn?: string;

  /** A patient who came without a booking: counted beyond the session's capacity. */
  @IsOptional()
  @IsBoolean()
  walkIn?: boolean;
}
