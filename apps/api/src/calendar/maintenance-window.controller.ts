import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@steward/identity';
import { CalendarIdPipe } from './calendar-id.pipe';
import { MaintenanceWindowView } from './calendar.views';
import { CreateMaintenanceWindowDto } from './dtos/calendar.dtos';
import { MaintenanceWindowService } from './maintenance-window.service';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api/maintenance-windows')
export class MaintenanceWindowController {
  constructor(private readonly windows: MaintenanceWindowService) {}

  @Post()
  @ApiOperation({ summary: 'Declare a recurring maintenance window (admin, change manager, or the owner groups of every CI in scope)' })
  @ApiResponse({ status: 201, type: MaintenanceWindowView })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateMaintenanceWindowDto): Promise<MaintenanceWindowView> {
    return this.windows.create(caller, body);
  }

  @Get()
  @ApiResponse({ status: 200, type: [MaintenanceWindowView] })
  list(): Promise<MaintenanceWindowView[]> {
    return this.windows.list();
  }

  @Get(':id')
  @ApiResponse({ status: 200, type: MaintenanceWindowView })
  get(@Param('id', new CalendarIdPipe('maintenance window')) id: string): Promise<MaintenanceWindowView> {
    return this.windows.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw a maintenance window; audited' })
  remove(@CurrentPrincipal() caller: Principal, @Param('id', new CalendarIdPipe('maintenance window')) id: string): Promise<void> {
    return this.windows.remove(caller, id);
  }
}
