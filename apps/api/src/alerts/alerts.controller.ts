import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  caseMatches,
  CaseNotFound,
  FilterError,
  parseFilter,
  parsePage,
  StaleVersion,
  TriageRefused,
  type AnalystAction,
  type CaseFilter,
  type CaseView,
  type Disposition,
} from '@dualwatch/casework';
import { describeIssues } from '@dualwatch/contracts';
import type { Logger } from '@dualwatch/observability';
import { NeedsRole, type AuthedRequest } from '../auth/auth.guard';
import { invalid } from '../http/errors';
import { LOGGER } from '../tokens';
import { bulkRequestValidator, lifecycleRequestValidator, savedViewInputValidator } from './alert-views';
import { Casework } from './casework.service';
import { csvLine } from './csv-export';

/** Query parameters → a filter ("assignee=me" is the caller); a bad one is a 400 naming it. */
const filterOf = (q: Record<string, unknown>, user: string): CaseFilter => {
  try {
    const f = parseFilter(q);
    if (f.assignee === 'me') f.assignee = user;
    return f;
  } catch (err) {
    if (err instanceof FilterError) throw invalid(err.message);
    throw err;
  }
};

/** Casework errors → HTTP: 404, 409 with the current state, 503 when PostgreSQL cannot be reached. */
export async function caseworkCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HttpException) throw err;
    if (err instanceof CaseNotFound) throw new NotFoundException({ error: 'NOT_FOUND', message: err.message });
    if (err instanceof StaleVersion) throw new ConflictException({ error: 'STALE_VERSION', message: err.message, current: err.current });
    if (err instanceof TriageRefused) throw new ConflictException({ error: err.code, message: err.message, status: err.status });
    if (err instanceof FilterError) throw invalid(err.message);
    const e = err as { code?: string; message?: string };
    const unreachable =
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[1-3]|08\d\d\d/.test(e.code ?? '') ||
      /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(e.message ?? '');
    if (unreachable)
      throw new ServiceUnavailableException({
        error: 'UNAVAILABLE',
        message: 'the casework database cannot be reached: try again shortly',
      });
    throw err;
  }
}

/** The open live streams, ended when the api stops (else closing the server would wait for them). */
@Injectable()
export class LiveStreams implements OnApplicationShutdown {
  readonly open = new Set<Response>();
  onApplicationShutdown(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}

const ACTIONS: Record<string, AnalystAction> = {
  acknowledge: 'acknowledge',
  resolve: 'resolve',
  'false-positive': 'false_positive',
  reopen: 'reopen',
  approve: 'approve',
  reject: 'reject',
  assign: 'assign',
};
const actionOf = (name: string): AnalystAction => {
  const a = ACTIONS[name];
  if (!a) throw new NotFoundException({ error: 'NOT_FOUND', message: `no action ${name}: ${Object.keys(ACTIONS).join(', ')}` });
  return a;
};

/** The columns of the CSV export of a list, in order. */
export const EXPORT_COLUMNS: [string, (v: CaseView) => unknown][] = [
  ['orderId', (v) => v.orderId],
  ['alertId', (v) => v.alertId],
  ['status', (v) => v.status],
  ['verdict', (v) => v.verdict],
  ['severity', (v) => v.severity],
  ['score', (v) => v.score],
  ['asOf', (v) => v.asOf],
  ['effectiveOn', (v) => v.effectiveOn],
  ['upcomingVerdict', (v) => v.upcomingVerdict],
  ['firstRaisedAt', (v) => v.raisedAt],
  ['updatedAt', (v) => v.updatedAt],
  ['seller', (v) => v.seller],
  ['buyer', (v) => v.buyer],
  ['endUser', (v) => v.endUser],
  ['shipTo', (v) => v.shipTo],
  ['itemFamilies', (v) => v.itemFamilies.join('; ')],
  ['exposedAmount', (v) => v.exposedValue?.amount],
  ['exposedCurrency', (v) => v.exposedValue?.currency],
  ['assignee', (v) => v.assignee],
  ['dueOn', (v) => v.dueOn],
  ['disposition', (v) => v.disposition],
  ['headline', (v) => v.headline],
];

@Controller('alerts')
@NeedsRole('viewer')
export class AlertsController {
  constructor(
    private readonly casework: Casework,
    private readonly streams: LiveStreams,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Cases newest first, filtered and paginated. */
  @Get()
  list(@Query() q: Record<string, unknown>, @Req() req: AuthedRequest) {
    const filter = filterOf(q, req.principal!.user);
    const page = (() => {
      try {
        return parsePage(q);
      } catch (err) {
        throw err instanceof FilterError ? invalid(err.message) : err;
      }
    })();
    return caseworkCall(() => this.casework.repo.list(filter, page));
  }

  /** Exposure summaries over the cases that pass the filters: by verdict, severity, status, supplier, item family, day; exposed value. */
  @Get('summary')
  summary(@Query() q: Record<string, unknown>, @Req() req: AuthedRequest) {
    return caseworkCall(() => this.casework.repo.summary(filterOf(q, req.principal!.user)));
  }

  /** The filtered list as CSV (every matching case, newest first, streamed). */
  @Get('export.csv')
  async export(@Query() q: Record<string, unknown>, @Req() req: AuthedRequest, @Res() res: Response) {
    const filter = filterOf(q, req.principal!.user);
    const pages = this.casework.repo.scan(filter);
    const first = await caseworkCall(() => pages.next());
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="dualwatch-alerts-${new Date().toISOString().slice(0, 10)}.csv"`,
    });
    res.write(`\uFEFF${csvLine(EXPORT_COLUMNS.map(([name]) => name))}`);
    let rows = 0;
    try {
      for (let p = first; !p.done; p = await pages.next()) {
        for (const v of p.value) res.write(csvLine(EXPORT_COLUMNS.map(([, get]) => get(v))));
        rows += p.value.length;
      }
    } catch (err) {
      this.logger.error({ err: (err as Error).message, rows }, 'alert export cut short');
      res.destroy(err as Error);
      return;
    }
    this.logger.info({ user: req.principal!.user, rows, filter }, 'alerts exported');
    res.end();
  }

  /**
   * Server-Sent Events: `alert` events carry the view of each new or changed case that passes the
   * filters (from the projector or any instance's triage); a comment every 15 s keeps proxies from closing it.
   */
  @Get('stream')
  stream(@Query() q: Record<string, unknown>, @Req() req: AuthedRequest, @Res() res: Response) {
    const filter = filterOf(q, req.principal!.user);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let seq = 0;
    const send = (event: string, data: unknown) => res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('ready', {});
    const off = this.casework.subscribe((view) => {
      if (caseMatches(view, filter)) send('alert', { alert: view });
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    this.streams.open.add(res);
    req.on('close', () => {
      clearInterval(ping);
      off();
      this.streams.open.delete(res);
    });
  }

  /** One case in full: its latest alert with every reason, evidence and legal basis, its messages, its triage history. */
  @Get(':id')
  async get(@Param('id') id: string) {
    const d = await caseworkCall(() => this.casework.repo.get(id));
    if (!d) throw new NotFoundException({ error: 'NOT_FOUND', message: `no alert or order ${id}` });
    return d;
  }

  /**
   * The same change to several cases, each in its own transaction: the answer says, per case, 200 with
   * its new view, 404, or 409 (refused by its status, or changed since the version sent).
   */
  @Post('bulk/:action')
  @HttpCode(200)
  @NeedsRole('analyst')
  async bulk(@Param('action') actionName: string, @Body() body: unknown, @Req() req: AuthedRequest) {
    const action = actionOf(actionName);
    const r = bulkRequestValidator.validate(body);
    if (!r.ok) throw invalid(`not a bulk change: ${describeIssues(r.issues)}`, r.issues);
    const user = req.principal!.user;
    const results = [];
    for (const item of r.value.items) {
      try {
        const d = await caseworkCall(() =>
          this.casework.repo.triage(
            item.id,
            {
              action,
              user,
              note: r.value.note,
              disposition: r.value.disposition as Disposition | undefined,
              assignee: r.value.assignee,
              dueOn: r.value.dueOn,
            },
            item.version,
          ),
        );
        results.push({ id: item.id, status: 200, view: d.view });
      } catch (err) {
        if (err instanceof ServiceUnavailableException) throw err;
        if (!(err instanceof HttpException)) throw err;
        const b = err.getResponse() as { error?: string; message?: string };
        results.push({ id: item.id, status: err.getStatus(), error: b.error, message: b.message });
      }
    }
    const changed = results.filter((x) => x.status === 200).length;
    this.logger.info({ user, action, cases: results.length, changed }, 'bulk triage');
    return { results };
  }

  /**
   * acknowledge | resolve | false-positive | reopen | approve | reject | assign, with a note (and the
   * version seen, a disposition to close, an assignee and due date to assign). 409 when the status does
   * not allow it, when the version is stale (with the current state), or when the approver asked for it.
   */
  @Post(':id/:action')
  @HttpCode(200)
  @NeedsRole('analyst')
  async change(@Param('id') id: string, @Param('action') actionName: string, @Body() body: unknown, @Req() req: AuthedRequest) {
    const action = actionOf(actionName);
    const r = lifecycleRequestValidator.validate(body);
    if (!r.ok)
      throw invalid(`a note is needed, and only note, version, disposition, assignee, dueOn: ${describeIssues(r.issues)}`, r.issues);
    const user = req.principal!.user;
    let d;
    try {
      d = await caseworkCall(() =>
        this.casework.repo.triage(
          id,
          {
            action,
            user,
            note: r.value.note,
            disposition: r.value.disposition as Disposition | undefined,
            assignee: r.value.assignee,
            dueOn: r.value.dueOn,
          },
          r.value.version,
        ),
      );
    } catch (err) {
      if (err instanceof ConflictException)
        this.logger.info({ user, action, alertId: id, refused: (err.getResponse() as { error?: string }).error }, 'triage refused');
      throw err;
    }
    // who did what to which case (the note stays in the audit trail, not in the log)
    const last = d.lifecycle.history[d.lifecycle.history.length - 1];
    this.logger.info(
      { user, action, alertId: id, orderId: d.view.orderId, from: last?.from, to: d.view.status, version: d.view.version },
      'triage',
    );
    return d;
  }
}

/** The audit trail of a period as CSV: who changed what, when and why. */
@Controller('audit')
@NeedsRole('analyst')
export class AuditController {
  constructor(
    private readonly casework: Casework,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('export.csv')
  async export(
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Req() req: AuthedRequest,
    @Res() res: Response,
  ) {
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if (!from || !to || !day.test(from) || !day.test(to)) throw invalid('from and to are needed, as YYYY-MM-DD (to: the whole day)');
    const start = new Date(`${from}T00:00:00Z`);
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000);
    if (!(start < end)) throw invalid('from must not be after to');
    const pages = this.casework.repo.events(start, end);
    const first = await caseworkCall(() => pages.next());
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="dualwatch-audit-${from}-${to}.csv"`,
    });
    const cols = [
      'at',
      'user',
      'orderId',
      'alertId',
      'version',
      'action',
      'from',
      'to',
      'disposition',
      'assignee',
      'dueOn',
      'note',
    ] as const;
    res.write(`\uFEFF${csvLine([...cols])}`);
    let rows = 0;
    for (let p = first; !p.done; p = await pages.next()) {
      for (const e of p.value) res.write(csvLine(cols.map((c) => e[c])));
      rows += p.value.length;
    }
    this.logger.info({ user: req.principal!.user, from, to, rows }, 'audit trail exported');
    res.end();
  }
}

/** Saved views: a user's named filters. */
@Controller('views')
@NeedsRole('viewer')
export class SavedViewsController {
  constructor(private readonly casework: Casework) {}

  @Get()
  list(@Req() req: AuthedRequest) {
    return caseworkCall(() => this.casework.repo.savedViews(req.principal!.user));
  }

  /** Saves (or replaces, by name) a view; its query is checked like a list's. */
  @Post()
  @HttpCode(201)
  save(@Body() body: unknown, @Req() req: AuthedRequest) {
    const r = savedViewInputValidator.validate(body);
    if (!r.ok) throw invalid(`not a view: ${describeIssues(r.issues)}`, r.issues);
    filterOf(r.value.query, req.principal!.user);
    return caseworkCall(() => this.casework.repo.saveView(req.principal!.user, r.value.name, r.value.query));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Req() req: AuthedRequest) {
    if (!(await caseworkCall(() => this.casework.repo.deleteView(req.principal!.user, id))))
      throw new NotFoundException({ error: 'NOT_FOUND', message: `no view ${id} of yours` });
  }
}
