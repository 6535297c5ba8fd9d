import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { StewardError } from '@steward/domain';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import {
  CreateProblemDto,
  FixDto,
  InvestigateProblemDto,
  KnownErrorDto,
  ListProblemsQuery,
  ProblemCreatedResponse,
  ProblemPage,
  ProblemTimelineEntry,
  ProblemView,
  RootCauseDto,
} from './dtos/problem.dtos';
import { ProblemIdPipe } from './problem-id.pipe';
import { ProblemService } from './problem.service';

const ACTION_ID = /^\d{1,18}$/;

/** Problem managers (and admins) run investigations; every authenticated user reads them. */
@ApiTags('problems')
@ApiBearerAuth()
@Controller('api/problems')
export class ProblemController {
  constructor(private readonly problems: ProblemService) {}

  @Post()
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Log a problem by hand, optionally with the incidents it is about; starts its workflow' })
  @ApiResponse({ status: 201, type: ProblemCreatedResponse })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateProblemDto): Promise<ProblemCreatedResponse> {
    return this.problems.create(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'List problems, newest first' })
  @ApiResponse({ status: 200, type: ProblemPage })
  list(@Query() query: ListProblemsQuery): Promise<ProblemPage> {
    return this.problems.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One problem with its incidents and review actions' })
  @ApiResponse({ status: 200, type: ProblemView })
  get(@Param('id', ProblemIdPipe) id: string): Promise<ProblemView> {
    return this.problems.get(id);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'What happened to a problem, oldest first' })
  @ApiResponse({ status: 200, type: [ProblemTimelineEntry] })
  timeline(@Param('id', ProblemIdPipe) id: string): Promise<ProblemTimelineEntry[]> {
    return this.problems.timeline(id);
  }

  @Post(':id/investigate')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Assign the investigation: owner and RCA method (new -> investigating)' })
  @ApiResponse({ status: 200, type: ProblemView })
  investigate(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string, @Body() body: InvestigateProblemDto): Promise<ProblemView> {
    return this.problems.investigate(caller, id, body);
  }

  @Post(':id/root-cause')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Record findings and the root cause' })
  @ApiResponse({ status: 200, type: ProblemView })
  rootCause(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string, @Body() body: RootCauseDto): Promise<ProblemView> {
    return this.problems.rootCause(caller, id, body);
  }

  @Post(':id/known-error')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Declare a known error: the workaround is published as a knowledge article' })
  @ApiResponse({ status: 200, type: ProblemView })
  knownError(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string, @Body() body: KnownErrorDto): Promise<ProblemView> {
    return this.problems.knownError(caller, id, body);
  }

  @Post(':id/fix')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Link the change that fixes it; the problem resolves when that change completes' })
  @ApiResponse({ status: 200, type: ProblemView })
  fix(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string, @Body() body: FixDto): Promise<ProblemView> {
    return this.problems.fix(caller, id, body);
  }

  @Post(':id/actions/:actionId/complete')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Mark a post-incident review action done' })
  @ApiResponse({ status: 200, type: ProblemView })
  completeAction(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string, @Param('actionId') actionId: string): Promise<ProblemView> {
    if (!ACTION_ID.test(actionId)) throw new StewardError('not_found', `problem ${id} has no action ${actionId}`);
    return this.problems.completeAction(caller, id, actionId);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('problem_manager', 'admin')
  @ApiOperation({ summary: 'Close from known_error, resolved or observation; refused while review actions are open' })
  @ApiResponse({ status: 200, type: ProblemView })
  close(@CurrentPrincipal() caller: Principal, @Param('id', ProblemIdPipe) id: string): Promise<ProblemView> {
    return this.problems.close(caller, id);
  }
}
