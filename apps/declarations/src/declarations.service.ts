import { ServiceDefinition } from '@draaiboek/messaging';
import { DeclarationsConfig } from './config/declarations.config';
import { DeclarationsInitial1763856400000 } from './migrations/1763856400000-declarations-initial';
import { DeclarationLines1764100000000 } from './migrations/1764100000000-declaration-lines';
import { LinesModule } from './modules/lines/lines.module';
import { BatchesModule } from './modules/batches/batches.module';
import { BsnKeysModule } from './modules/bsn-keys/bsn-keys.module';
import { DeclarationBatches1764100100000 } from './migrations/1764100100000-declaration-batches';
import { LineCorrections1764100200000 } from './migrations/1764100200000-line-corrections';
import { BsnKeyRotation1764100300000 } from './migrations/1764100300000-bsn-key-rotation';
import { OpenBatches1764100400000 } from './migrations/1764100400000-open-batches';
import { DropUnusedBsnKeyIndex1764100500000 } from './migrations/1764100500000-drop-unused-bsn-key-index';
import { ClosedBatchLinesKept1764800100000 } from './migrations/1764800100000-closed-batch-lines-kept';
import { BsnDataKeys1764800200000 } from './migrations/1764800200000-bsn-data-keys';
import { BatchLinesInExportOrder1765000000000 } from './migrations/1765000000000-batch-lines-in-export-order';
import { DeclarableSessionRecord } from './modules/sessions/database/declarable-session.orm-entity';
import { SessionsModule } from './modules/sessions/sessions.module';

export const declarationsService: ServiceDefinition<DeclarationsConfig> = {
  name: 'declarations',
  description: 'Declarations for care given at central locations, as batches for finance.',
  schema: 'declarations',
  defaultPort: 3004,
  configClass: DeclarationsConfig,
  entities: [DeclarableSessionRecord],
  migrations: [DeclarationsInitial1763856400000, DeclarationLines1764100000000, DeclarationBatches1764100100000, LineCorrections1764100200000, BsnKeyRotation1764100300000, OpenBatches1764100400000, DropUnusedBsnKeyIndex1764100500000, ClosedBatchLinesKept1764800100000, BsnDataKeys1764800200000, BatchLinesInExportOrder1765000000000],
  modules: (config) => [BsnKeysModule, SessionsModule, LinesModule.forConfig(config), BatchesModule],
  // Three of the consultation topic's six partitions at once, each chunk in its own transaction:
  // Postgres works on one chunk while Node decodes the next (decision 0027).
};
