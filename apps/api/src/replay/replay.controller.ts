import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { isIsoDate } from '@dualwatch/contracts';
import type { OrderLookahead } from '@dualwatch/scoring';
import { NeedsRole } from '../auth/auth.guard';
import { invalid } from '../http/errors';
import { CandidateError, ReplayService, type Candidate } from './replay.service';

function candidateOf(body: unknown): Candidate {
  const b = body as Record<string, unknown> | undefined;
  if (b && typeof b === 'object') {
    if (typeof b.version === 'string' && b.version) return { version: b.version };
    if (b.files && typeof b.files === 'object' && !Array.isArray(b.files)) return { files: b.files as Record<string, unknown> };
  }
  throw invalid(
    'send {"version": "<a stored version>"} or {"files": {"manifest.json": {...}, "parties.json": [...], ...}} (a reference-data directory as a JSON object of its files)',
  );
}

const dateParam = (name: string, v: string | undefined) => {
  if (v !== undefined && !isIsoDate(v)) throw invalid(`${name}: expects YYYY-MM-DD`);
  return v;
};

/** The rows the dashboard shows: the look-ahead without the full assessments. */
const brief = (rows: OrderLookahead[]) =>
  rows.map((r) => ({
    orderId: r.orderId,
    eventId: r.eventId,
    until: r.until,
    current: r.current,
    changes: r.changes.map((c) => ({
      date: c.date,
      from: c.from,
      to: c.to,
      why: c.why,
      reasons: [...new Set(c.assessment.reasons.map((x) => x.code))],
    })),
  }));

/**
 * Regulatory change: the open orders' upcoming changes (viewer), and for an admin a candidate
 * reference-data version's replay diff against the current one, then the switch to it.
 */
@Controller('replay')
export class ReplayController {
  constructor(private readonly replay: ReplayService) {}

  @Get('upcoming')
  @NeedsRole('viewer')
  async upcoming(@Query('today') today?: string, @Query('horizonDays') horizon?: string) {
    const day = dateParam('today', today) ?? new Date().toISOString().slice(0, 10);
    const horizonDays = horizon === undefined ? undefined : Number(horizon);
    if (horizonDays !== undefined && (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 3650))
      throw invalid('horizonDays: expects a whole number of days, 1 to 3650');
    const rows = await this.replay.upcoming(day, horizonDays);
    return { today: day, orders: brief(rows) };
  }

  @Get('versions')
  @NeedsRole('admin')
  versions() {
    return this.replay.versions();
  }

  @Post('preview')
  @HttpCode(200)
  @NeedsRole('admin')
  async preview(@Body() body: unknown, @Query('asOf') asOf?: string) {
    try {
      return await this.replay.preview(candidateOf(body), dateParam('asOf', asOf));
    } catch (err) {
      if (err instanceof CandidateError) throw invalid(err.message, err.issues);
      throw err;
    }
  }

  @Post('switch')
  @HttpCode(200)
  @NeedsRole('admin')
  async switch(@Body() body: unknown) {
    try {
      return await this.replay.switchTo(candidateOf(body));
    } catch (err) {
      if (err instanceof CandidateError) throw invalid(err.message, err.issues);
      if (err instanceof Error && /is not loaded/.test(err.message)) throw invalid(err.message);
      throw err;
    }
  }
}
