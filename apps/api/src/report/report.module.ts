import { Module } from '@nestjs/common';
import { ReportController } from './report.controller';
import { ReportService } from './report.service';

/** SLA, incident and change reports over the event tables (read only). */
@Module({ controllers: [ReportController], providers: [ReportService] })
export class ReportModule {}
