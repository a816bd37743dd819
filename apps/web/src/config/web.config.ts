import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

const HTTP_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;

export class WebConfig extends ServiceConfig {
  @IsOptional() @Matches(HTTP_URL, { message: 'INTAKE_URL must be an http(s) URL' })
  INTAKE_URL = 'http://127.0.0.1:3001';

  @IsOptional() @Matches(HTTP_URL, { message: 'PRACTICE_NOTIFICATION_URL must be an http(s) URL' })
  PRACTICE_NOTIFICATION_URL = 'http://127.0.0.1:3002';

  @IsOptional() @Matches(HTTP_URL, { message: 'CLINIC_SCHEDULING_URL must be an http(s) URL' })
  CLINIC_SCHEDULING_URL = 'http://127.0.0.1:3003';

  @IsOptional() @Matches(HTTP_URL, { message: 'DECLARATIONS_URL must be an http(s) URL' })
  DECLARATIONS_URL = 'http://127.0.0.1:3004';

  /** Where people open the web app: the base of the sign-in links in e-mails. https makes the session cookie Secure. */
  @IsOptional() @Matches(HTTP_URL, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** The Ed25519 private key (PEM) person tokens are signed with; the services hold its public key. */
  @IsOptional() @IsString()
  PERSON_TOKEN_PRIVATE_KEY?: string;

  @IsOptional() @IsString()
  PERSON_TOKEN_PRIVATE_KEY_FILE?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'PERSON_TOKEN_KEY_ID must be 1-64 letters, digits, dots, dashes' })
  PERSON_TOKEN_KEY_ID = 'web-1';

  /**
   * The coordination's and finance's people (they are not in the practice directory):
   * [{"id":"coordinatie-anna","email":"anna@example.org","name":"Anna","roles":["coordination"]}].
   */
  @IsOptional() @IsString()
  WEB_STAFF?: string;

  @IsOptional() @IsString()
  WEB_STAFF_FILE?: string;

  @IsOptional() @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be smtp://host:port or smtps://...' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @IsOptional() @IsString()
  MAIL_FROM = 'Draaiboek <noreply@draaiboek.example.org>';

  /** How long a sign-in link works (it works once). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(60) @Max(3600)
  SIGN_IN_LINK_SECONDS = 900;

  /** How long a session lasts after sign-in. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(300) @Max(7 * 24 * 3600)
  SESSION_SECONDS = 8 * 3600;
}
