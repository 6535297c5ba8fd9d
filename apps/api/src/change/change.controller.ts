import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ChangeSnapshot } from '@steward/contracts';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { ChangeIdPipe } from './change-id.pipe';
import { ChangeService } from './change.service';
import { CancelChangeDto, CreateChangeDto } from './dtos/create-change.dto';
import { ChangePage, ChangeSubmittedResponse, ChangeView, TimelineEntry } from './dtos/change.responses';
import { ListChangesQuery } from './dtos/list-changes.query';

@ApiTags('changes')
@ApiBearerAuth()
@Controller('api/changes')
export class ChangeController {
  constructor(private readonly changes: ChangeService) {}

  @Post()
  @Roles('requester', 'release_engineer', 'change_manager', 'admin')
  @ApiOperation({ summary: 'Submit a change request; starts its workflow' })
  @ApiResponse({ status: 201, type: ChangeSubmittedResponse })
  submit(@CurrentPrincipal() caller: Principal, @Body() body: CreateChangeDto): Promise<ChangeSubmittedResponse> {
    return this.changes.submit(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'List changes, newest first' })
  @ApiResponse({ status: 200, type: ChangePage })
  list(@Query() query: ListChangesQuery): Promise<ChangePage> {
    return this.changes.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One change as its workflow last recorded it' })
  @ApiResponse({ status: 200, type: ChangeView })
  get(@Param('id', ChangeIdPipe) id: string): Promise<ChangeView> {
    return this.changes.get(id);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'What happened to a change, oldest first' })
  @ApiResponse({ status: 200, type: [TimelineEntry] })
  timeline(@Param('id', ChangeIdPipe) id: string): Promise<TimelineEntry[]> {
    return this.changes.timeline(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('requester', 'release_engineer', 'change_manager', 'admin')
  @ApiOperation({ summary: 'Cancel a change before implementation (its requester or a change manager)' })
  cancel(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: CancelChangeDto): Promise<ChangeSnapshot> {
    return this.changes.cancel(caller, id, body.reason);
  }
}
