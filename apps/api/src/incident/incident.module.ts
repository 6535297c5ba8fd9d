import { Module } from '@nestjs/common';
import { IncidentLauncher } from '@steward/temporal';
import { IncidentController, IncidentIdPipe } from './incident.controller';
import { IncidentService } from './incident.service';
import { IncidentPersistenceModule } from '@steward/persistence';

@Module({
  imports: [IncidentPersistenceModule],
  controllers: [IncidentController],
  providers: [IncidentService, IncidentLauncher, IncidentIdPipe],
  exports: [IncidentService, IncidentLauncher],
})
export class IncidentModule {}
