import { Module } from '@nestjs/common';
import { CaseloadHttpController } from './caseload.http.controller';

@Module({ controllers: [CaseloadHttpController] })
export class CaseloadModule {}
