import { Module } from '@nestjs/common';
import { IncidentModule } from '../incident/incident.module';
import { AlertController, AlertmanagerPayloadPipe } from './alert.controller';
import { AlertIntakeService, AlertIntakeSettings } from './alert-intake.service';

/** Alert intake: monitoring systems open and update incidents. */
@Module({
  imports: [IncidentModule],
  controllers: [AlertController],
  providers: [AlertIntakeService, AlertmanagerPayloadPipe, { provide: AlertIntakeSettings, useValue: new AlertIntakeSettings() }],
})
export class AlertModule {}
