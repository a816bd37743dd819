import { Equals, IsISO8601, IsOptional, IsString, Length, Matches, IsObject } from 'class-validator';
import { contractForType } from './catalog';
import { EventEnvelope } from './envelope';
import { FieldError, validateAgainst } from './validation';

class CloudEventEnvelopeShape {
  @Equals('1.0') specversion!: '1.0';
  @IsString() @Length(1, 200) id!: string;
  @IsString() @Length(1, 500) source!: string;
  @Matches(/^nl\.draaiboek\.[a-z-]+\.[A-Za-z]+\.v\d+$/) type!: string;
  @IsISO8601({ strict: true }) time!: string;
  @IsString() @Length(1, 200) subject!: string;
  @Equals('application/json') datacontenttype!: 'application/json';
  // Optional on the wire (municipal systems may omit it); an event without one starts its own chain.
  @IsOptional() @IsString() @Length(1, 200) correlationid?: string;
  @IsOptional() @IsString() @Length(1, 200) causationid?: string;
  @IsOptional() @IsString() dataschema?: string;
  @IsObject() data!: object;
}

export type EnvelopeValidation =
  | { ok: true; envelope: EventEnvelope<object> }
  | { ok: false; reason: 'malformed-envelope' | 'unknown-event-type' | 'invalid-data' | 'subject-mismatch'; errors: FieldError[] };

/**
 * Validates a decoded record value: first the CloudEvents envelope, then `data`
 * against the contract named by `type`, then that `subject` is the aggregate id.
 */
export function validateEnvelope(value: unknown): EnvelopeValidation {
  const shape = validateAgainst(CloudEventEnvelopeShape, value);
  if (!shape.ok) {
    // `data` is validated by its own contract below; a nested-object complaint here is noise.
    return { ok: false, reason: 'malformed-envelope', errors: shape.errors };
  }
  const raw = value as EventEnvelope<object>;
  const contract = contractForType(raw.type);
  if (!contract) {
    return { ok: false, reason: 'unknown-event-type', errors: [{ field: 'type', messages: [`unknown event type ${raw.type}`] }] };
  }
  const data = validateAgainst(contract.dataClass, raw.data);
  if (!data.ok) {
    return { ok: false, reason: 'invalid-data', errors: data.errors.map((e) => ({ ...e, field: `data.${e.field}` })) };
  }
  if (contract.subjectOf(data.value) !== raw.subject) {
    return { ok: false, reason: 'subject-mismatch', errors: [{ field: 'subject', messages: ['subject must be the aggregate id of data'] }] };
  }
  return { ok: true, envelope: { ...raw, correlationid: raw.correlationid ?? raw.id, data: data.value } };
}
