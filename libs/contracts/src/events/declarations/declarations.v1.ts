import { IsIn, IsInt, IsUUID, Matches, Min } from 'class-validator';
import { IsCalendarDate } from '../../common';

/**
 * A batch of declaration lines for one payer and period is closed and ready for finance.
 * Immutable from here on. Subject/key: batchId.
 */
export class DeclarationBatchReadyV1 {
  @IsUUID() batchId!: string;
  @IsIn(['CAK', 'RMO', 'CAK-OVV']) payer!: 'CAK' | 'RMO' | 'CAK-OVV';
  @IsCalendarDate() periodStart!: string;
  /** Inclusive. */
  @IsCalendarDate() periodEnd!: string;
  @IsInt() @Min(1) lineCount!: number;
  /** Integer cents. */
  @IsInt() @Min(0) totalCents!: number;
  /** SHA-256 over the batch's lines in their export order, hex: finance checks the export against it. */
  @Matches(/^[0-9a-f]{64}$/) checksum!: string;
}
