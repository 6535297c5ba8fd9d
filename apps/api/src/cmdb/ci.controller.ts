import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@steward/identity';
import { CiKeyPipe } from './ci-key.pipe';
import { CiService } from './ci.service';
import { CiPage, CiView, ImpactView, RelationshipView } from './ci.views';
import { CreateCiDto, CreateRelationshipDto, ImpactQuery, ListCisQuery, UpdateCiDto } from './dtos/ci.dtos';

@ApiTags('cmdb')
@ApiBearerAuth()
@Controller('api/cis')
export class CiController {
  constructor(private readonly cis: CiService) {}

  @Post()
  @ApiOperation({ summary: 'Register a configuration item (admin, change manager, or its owner group)' })
  @ApiResponse({ status: 201, type: CiView })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateCiDto): Promise<CiView> {
    return this.cis.create(caller, body);
  }

  @Get()
  @ApiResponse({ status: 200, type: CiPage })
  list(@Query() query: ListCisQuery): Promise<CiPage> {
    return this.cis.list(query);
  }

  @Get(':key')
  @ApiResponse({ status: 200, type: CiView })
  get(@Param('key', CiKeyPipe) key: string): Promise<CiView> {
    return this.cis.get(key);
  }

  @Patch(':key')
  @ApiOperation({ summary: 'Change fields of a CI; audited with before and after' })
  @ApiResponse({ status: 200, type: CiView })
  update(@CurrentPrincipal() caller: Principal, @Param('key', CiKeyPipe) key: string, @Body() body: UpdateCiDto): Promise<CiView> {
    return this.cis.update(caller, key, body);
  }

  @Post(':key/relationships')
  @ApiOperation({ summary: 'Relate this CI to another: `key <type> target`' })
  @ApiResponse({ status: 201, type: RelationshipView })
  relate(@CurrentPrincipal() caller: Principal, @Param('key', CiKeyPipe) key: string, @Body() body: CreateRelationshipDto): Promise<RelationshipView> {
    return this.cis.addRelationship(caller, key, body);
  }

  @Get(':key/relationships')
  relationships(@Param('key', CiKeyPipe) key: string): Promise<{ outgoing: RelationshipView[]; incoming: RelationshipView[] }> {
    return this.cis.relationships(key);
  }

  @Delete(':key/relationships/:id')
  @HttpCode(204)
  unrelate(@CurrentPrincipal() caller: Principal, @Param('key', CiKeyPipe) key: string, @Param('id') id: string): Promise<void> {
    return this.cis.removeRelationship(caller, key, id);
  }

  @Get(':key/impact')
  @ApiOperation({ summary: 'Every CI impacted when this one changes or fails, with distance and summed users' })
  @ApiResponse({ status: 200, type: ImpactView })
  impact(@Param('key', CiKeyPipe) key: string, @Query() query: ImpactQuery): Promise<ImpactView> {
    return this.cis.impactOf(key, query.maxDepth);
  }
}
