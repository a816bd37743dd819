import { Global, Module } from '@nestjs/common';
import { BsnKeyRotation } from './bsn-key-rotation';
import { BsnKeys } from './bsn-keys';

@Global()
@Module({ providers: [BsnKeys, BsnKeyRotation], exports: [BsnKeys, BsnKeyRotation] })
export class BsnKeysModule {}
