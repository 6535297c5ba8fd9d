import { Body, Controller, Get, HttpCode, MessageEvent, Param, Post, Put, Query, Sse, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ChangeSnapshot } from '@steward/contracts';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { Observable } from 'rxjs';
import { ChangeIdPipe } from './change-id.pipe';
import { ChangeEventsService } from './change-events.service';
import { ChangeProcessService, type GateAnswer } from './change-process.service';
import { ChangeService } from './change.service';
import { ReadableChangeGuard } from './readable-change.guard';
import {
  CancelChangeDto,
  ChangeReviewDto,
  CompleteStepDto,
  CreateChangeDto,
  DecisionDto,
  GateQuery,
  RescheduleDto,
  ResolveHoldDto,
  RevisePlanDto,
  SettleChangeDto,
} from './dtos/create-change.dto';
import { ChangePage, ChangeSubmittedResponse, ChangeView, SettledChangeResponse, TimelineEntry } from './dtos/change.responses';
import { ListChangesQuery } from './dtos/list-changes.query';

const STEP_ID = /^[A-Za-z0-9._-]{1,64}$/;

@ApiTags('changes')
@ApiBearerAuth()
@Controller('api/changes')
export class ChangeController {
  constructor(
    private readonly changes: ChangeService,
    private readonly process: ChangeProcessService,
    private readonly events: ChangeEventsService,
  ) {}

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
  list(@CurrentPrincipal() caller: Principal, @Query() query: ListChangesQuery): Promise<ChangePage> {
    return this.changes.list(caller, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One change as its workflow last recorded it' })
  @ApiResponse({ status: 200, type: ChangeView })
  get(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string): Promise<ChangeView> {
    return this.changes.get(caller, id);
  }

  @Get(':id/live')
  @ApiOperation({ summary: 'The workflow’s own view, by query: state, approvals, rules, steps, what it waits for' })
  live(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string): Promise<ChangeSnapshot> {
    return this.process.live(caller, id);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'What happened to a change, oldest first' })
  @ApiResponse({ status: 200, type: [TimelineEntry] })
  timeline(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string): Promise<TimelineEntry[]> {
    return this.changes.timeline(caller, id);
  }

  @Sse(':id/events')
  // Checked before the stream opens, so an API key outside its CIs gets a 403, not an event.
  @UseGuards(ReadableChangeGuard)
  @ApiOperation({ summary: 'Server-Sent Events: each timeline entry as it is recorded, from the first' })
  stream(@Param('id', ChangeIdPipe) id: string): Observable<MessageEvent> {
    return this.events.stream(id);
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @Roles('cab_member', 'change_manager')
  @ApiOperation({ summary: 'Approve, reject or request changes; signed by Steward and validated by the workflow' })
  decide(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: DecisionDto): Promise<ChangeSnapshot> {
    return this.process.decide(caller, id, body);
  }

  @Put(':id/plan')
  @Roles('requester', 'release_engineer', 'change_manager', 'admin')
  @ApiOperation({ summary: 'Replace the plan before implementation: new hash, votes voided, re-assessed' })
  revise(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: RevisePlanDto): Promise<ChangeSnapshot> {
    return this.process.revisePlan(caller, id, body);
  }

  @Post(':id/steps/:stepId/complete')
  @HttpCode(200)
  @Roles('release_engineer')
  @ApiOperation({ summary: 'Confirm a manual step (or its rollback) the workflow is waiting for' })
  complete(
    @CurrentPrincipal() caller: Principal,
    @Param('id', ChangeIdPipe) id: string,
    @Param('stepId') stepId: string,
    @Body() body: CompleteStepDto,
  ): Promise<ChangeSnapshot> {
    return this.process.completeStep(caller, id, STEP_ID.test(stepId) ? stepId : '-', body);
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @Roles('requester', 'release_engineer', 'change_manager', 'admin')
  reschedule(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: RescheduleDto): Promise<ChangeSnapshot> {
    return this.process.reschedule(caller, id, body);
  }

  @Post(':id/hold')
  @HttpCode(200)
  @Roles('change_manager')
  @ApiOperation({ summary: 'Decide a change held because its window closes: roll back or continue' })
  resolveHold(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: ResolveHoldDto): Promise<ChangeSnapshot> {
    return this.process.resolveHold(caller, id, body.action);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('requester', 'release_engineer', 'change_manager', 'admin')
  @ApiOperation({ summary: 'Cancel a change before implementation (its requester or a change manager)' })
  cancel(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: CancelChangeDto): Promise<ChangeSnapshot> {
    return this.process.cancel(caller, id, body.reason);
  }

  @Post(':id/review')
  @HttpCode(200)
  @Roles('change_manager', 'admin')
  @ApiOperation({ summary: 'Record the post-implementation review an emergency or failed change owes' })
  review(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: ChangeReviewDto) {
    return this.process.review(caller, id, body.summary, body.lessons);
  }

  @Post(':id/settle')
  @HttpCode(200)
  @Roles('change_manager')
  @ApiOperation({
    summary: 'Settle a stuck change as failed (change managers): only once its recorded workflow run is no longer running',
    description: 'For a change whose workflow was reset, terminated, or ended without moving it (GET shows `attention`). The change becomes failed with the reason, owes a post-implementation review; nothing executes.',
  })
  @ApiResponse({ status: 200, type: SettledChangeResponse })
  @ApiResponse({ status: 409, description: 'The change has ended, or its recorded workflow run is still running' })
  settle(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Body() body: SettleChangeDto): Promise<SettledChangeResponse> {
    return this.process.settle(caller, id, body);
  }

  @Get(':id/gate')
  @ApiOperation({ summary: 'Deployment gate for pipelines: may this CI get this artifact now?' })
  gate(@CurrentPrincipal() caller: Principal, @Param('id', ChangeIdPipe) id: string, @Query() query: GateQuery): Promise<GateAnswer> {
    return this.process.gate(caller, id, query.ci, query.sha);
  }
}
