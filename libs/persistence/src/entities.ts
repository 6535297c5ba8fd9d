import { ChangeEventEntity } from './change/change-event.entity';
import { ChangeRequestEntity } from './change/change-request.entity';
import { ConfigurationItemEntity } from './cmdb/configuration-item.entity';

/** Every entity of the schema, listed once for the API, the worker, migrations and tests. */
export const STEWARD_ENTITIES = [ConfigurationItemEntity, ChangeRequestEntity, ChangeEventEntity];
