import { MessagingTables1763856000000 } from './messaging-tables.migration';
import { MessagingOutboxNotify1764200000000 } from './outbox-notify.migration';
import { OutboxTraceContext1764700000000 } from './outbox-trace-context.migration';

/** The messaging library's tables (outbox, inbox) in order: every data source that uses them lists these first. */
export const MESSAGING_MIGRATIONS = [MessagingTables1763856000000, MessagingOutboxNotify1764200000000, OutboxTraceContext1764700000000];
