import { DynamicModule, Module } from '@nestjs/common';
import { DEFAULT_CMDB_SETTINGS, type CmdbSettings as Settings } from '@steward/config';
import { CiController } from './ci.controller';
import { CiService } from './ci.service';
import { CmdbSettings } from './cmdb-settings';
import { DiscoveryController } from './discovery.controller';
import { DiscoveryService } from './discovery.service';
import { IncidentModule } from '../incident/incident.module';
import { AuditPersistenceModule, CmdbPersistenceModule } from '@steward/persistence';

@Module({})
export class CmdbModule {
  static forRoot(settings: Settings = DEFAULT_CMDB_SETTINGS): DynamicModule {
    return {
      module: CmdbModule,
      // Unauthorized-change findings open incidents.
      imports: [IncidentModule, AuditPersistenceModule, CmdbPersistenceModule],
      controllers: [CiController, DiscoveryController],
      providers: [{ provide: CmdbSettings, useValue: new CmdbSettings(settings.staleAfterDays, settings.discoveryExplainDays) }, CiService, DiscoveryService],
      exports: [CmdbSettings],
    };
  }
}
