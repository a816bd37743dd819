export * from './kafka/kafka-factory';
export * from './kafka/provision-topics';
export * from './outbox/outbox-record.orm-entity';
export * from './outbox/outbox-writer';
export * from './outbox/outbox-relay';
export * from './inbox/inbox-record.orm-entity';
export * from './messaging-tables.migration';
export * from './outbox-notify.migration';
export * from './consumer/errors';
export * from './consumer/event-consumer';
export * from './nest/kafka-events.server';
export * from './nest/messaging.module';

import { InboxRecord } from './inbox/inbox-record.orm-entity';
import { OutboxRecord } from './outbox/outbox-record.orm-entity';
/** Entities every service's data source must include. */
export const MESSAGING_ENTITIES = [OutboxRecord, InboxRecord];
export * from './nest/service-runtime';
