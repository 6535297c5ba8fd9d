import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CalendarService } from './calendar.service';
import { CalendarView, NextIntervalView } from './calendar.views';
import { CalendarRangeQuery, NextIntervalQueryDto } from './dtos/calendar.dtos';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get('calendar')
  @ApiOperation({ summary: 'Window occurrences, freezes and scheduled changes overlapping [from, to), with conflicts between changes (default: the next 30 days)' })
  @ApiResponse({ status: 200, type: CalendarView })
  view(@Query() query: CalendarRangeQuery): Promise<CalendarView> {
    return this.calendar.view(query);
  }

  @Get('calendar.ics')
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'The calendar as iCalendar (RFC 5545), default 30 days back to 365 days ahead' })
  @ApiResponse({ status: 200, description: 'One VEVENT per window occurrence, freeze and scheduled change', schema: { type: 'string' } })
  async ics(@Query() query: CalendarRangeQuery, @Res({ passthrough: true }) res: Response): Promise<string> {
    const body = await this.calendar.ics(query);
    // Set only on success: a refusal keeps the JSON error body's own content type.
    res.set({ 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': 'inline; filename="steward-calendar.ics"' });
    return body;
  }

  @Get('calendar/next-interval')
  @ApiOperation({ summary: 'The earliest stretch in which a change to these CIs may run for durationMinutes' })
  @ApiResponse({ status: 200, type: NextIntervalView })
  nextInterval(@Query() query: NextIntervalQueryDto): Promise<NextIntervalView> {
    return this.calendar.nextInterval(query);
  }
}
