import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@steward/identity';
import { CalendarIdPipe } from './calendar-id.pipe';
import { FreezeView } from './calendar.views';
import { CalendarRangeQuery, CreateFreezeDto } from './dtos/calendar.dtos';
import { FreezeService } from './freeze.service';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api/freezes')
export class FreezeController {
  constructor(private readonly freezes: FreezeService) {}

  @Post()
  @ApiOperation({ summary: 'Declare a change freeze (admin, change manager, or the owner groups of every CI in scope)' })
  @ApiResponse({ status: 201, type: FreezeView })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateFreezeDto): Promise<FreezeView> {
    return this.freezes.create(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'Freezes overlapping [from, to), by start; all of them without bounds' })
  @ApiResponse({ status: 200, type: [FreezeView] })
  list(@Query() query: CalendarRangeQuery): Promise<FreezeView[]> {
    return this.freezes.list(query);
  }

  @Get(':id')
  @ApiResponse({ status: 200, type: FreezeView })
  get(@Param('id', new CalendarIdPipe('freeze')) id: string): Promise<FreezeView> {
    return this.freezes.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Lift a freeze; audited' })
  remove(@CurrentPrincipal() caller: Principal, @Param('id', new CalendarIdPipe('freeze')) id: string): Promise<void> {
    return this.freezes.remove(caller, id);
  }
}
