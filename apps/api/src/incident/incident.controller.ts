import { Body, Controller, Get, HttpCode, Injectable, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { IncidentSnapshot } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import {
  AssignIncidentDto,
  CreateIncidentDto,
  HandoverDto,
  ListIncidentsQuery,
  PendIncidentDto,
  PostIncidentReviewDto,
  ReclassifyIncidentDto,
  ResolveIncidentDto,
  StakeholderUpdateDto,
} from './dtos/incident.dtos';
import { IncidentService, type IncidentView } from './incident.service';

/** A malformed id names no incident: 404, the same answer as an unknown one. */
@Injectable()
export class IncidentIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^INC-\d{6,}$/.test(value)) throw new StewardError('not_found', `incident ${value} not found (ids look like INC-000045)`);
    return value;
  }
}

/** Who acts on incidents (API.md): the service desk, resolvers and commanders; admins too. */
const RESPONDERS = ['service_desk', 'resolver', 'incident_commander', 'admin'] as const;

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/incidents')
export class IncidentController {
  constructor(private readonly incidents: IncidentService) {}

  @Post()
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Report an incident: classified by impact x urgency (raised by the CMDB), its workflow started' })
  @ApiResponse({ status: 201, description: '{ id, priority, major, workflowId, classification }' })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateIncidentDto) {
    return this.incidents.create(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'List incidents, newest first' })
  list(@Query() query: ListIncidentsQuery) {
    return this.incidents.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident with its live SLA clocks (remaining time, pause ledger), escalation and commander' })
  get(@Param('id', IncidentIdPipe) id: string): Promise<IncidentView> {
    return this.incidents.get(id);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'The facts of the incident, oldest first (append-only)' })
  timeline(@Param('id', IncidentIdPipe) id: string) {
    return this.incidents.timeline(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Acknowledge: stops escalation and the response clock' })
  acknowledge(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string): Promise<IncidentSnapshot> {
    return this.incidents.acknowledge(caller, id);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Assign the commander (not a resolver) and/or the resolvers; a sitting commander changes only by handover' })
  assign(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: AssignIncidentDto): Promise<IncidentSnapshot> {
    return this.incidents.assign(caller, id, body);
  }

  @Post(':id/updates')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Post a stakeholder update (due every 30 min for P1, 60 for P2)' })
  postUpdate(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: StakeholderUpdateDto): Promise<IncidentSnapshot> {
    return this.incidents.postUpdate(caller, id, body.message);
  }

  @Post(':id/pending')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Pending a third party: the SLA clocks pause, the reason and who kept in the ledger' })
  pend(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: PendIncidentDto): Promise<IncidentSnapshot> {
    return this.incidents.pend(caller, id, body.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Back from pending: the SLA clocks resume' })
  resume(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string): Promise<IncidentSnapshot> {
    return this.incidents.resume(caller, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Resolve: stops the resolution clock; a P1/P2 then needs its review and opens a problem' })
  resolve(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: ResolveIncidentDto): Promise<IncidentSnapshot> {
    return this.incidents.resolve(caller, id, body.resolution);
  }

  @Post(':id/review')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'The blameless post-incident review: timeline, impact, contributing factors, what went well, actions' })
  review(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: PostIncidentReviewDto): Promise<IncidentSnapshot> {
    return this.incidents.review(caller, id, body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Close a resolved incident (a P1/P2 only with its review)' })
  close(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string): Promise<IncidentSnapshot> {
    return this.incidents.close(caller, id);
  }

  @Post(':id/reclassify')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'Classify again: the SLA clocks are re-targeted, elapsed and paused time carried over' })
  reclassify(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: ReclassifyIncidentDto): Promise<IncidentSnapshot> {
    return this.incidents.reclassify(caller, id, body);
  }

  @Post(':id/handover')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'The commander proposes to hand command over; it passes only when accepted, before the timeout' })
  proposeHandover(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string, @Body() body: HandoverDto): Promise<IncidentSnapshot> {
    return this.incidents.proposeHandover(caller, id, body.to);
  }

  @Post(':id/handover/accept')
  @HttpCode(200)
  @Roles(...RESPONDERS)
  @ApiOperation({ summary: 'The proposed commander accepts command' })
  acceptHandover(@CurrentPrincipal() caller: Principal, @Param('id', IncidentIdPipe) id: string): Promise<IncidentSnapshot> {
    return this.incidents.acceptHandover(caller, id);
  }
}
