import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Response } from 'express';
import { describeIssues } from '@dualwatch/contracts';
import type { Logger } from '@dualwatch/observability';
import { NeedsRole, type AuthedRequest } from '../auth/auth.guard';
import { invalid } from '../http/errors';
import { LOGGER } from '../tokens';
import { AlertFeed } from './alert-feed.service';
import { FilterError, parseFilter, parsePage, type AlertFilter } from './alert-filter';
import { AlertStore, type AlertView } from './alert-store';
import { lifecycleRequestValidator, TransitionRefused, type LifecycleAction } from './lifecycle';

const filterOf = (q: Record<string, unknown>): AlertFilter => {
  try {
    return parseFilter(q);
  } catch (err) {
    if (err instanceof FilterError) throw invalid(err.message);
    throw err;
  }
};

/** The open live streams, ended when the api stops (else closing the server would wait for them). */
@Injectable()
export class LiveStreams implements OnApplicationShutdown {
  readonly open = new Set<Response>();
  onApplicationShutdown(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}

const ACTIONS: Record<string, LifecycleAction> = {
  acknowledge: 'acknowledge',
  resolve: 'resolve',
  'false-positive': 'false_positive',
  reopen: 'reopen',
};

@Controller('alerts')
@NeedsRole('viewer')
export class AlertsController {
  constructor(
    private readonly feed: AlertFeed,
    private readonly streams: LiveStreams,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Newest first, filtered and paginated. */
  @Get()
  list(@Query() q: Record<string, unknown>) {
    const filter = filterOf(q);
    try {
      return this.feed.store.list(filter, parsePage(q));
    } catch (err) {
      if (err instanceof FilterError) throw invalid(err.message);
      throw err;
    }
  }

  /** Exposure summaries over the alerts that pass the filters: by verdict, severity, status, supplier, item family, day; exposed value. */
  @Get('summary')
  summary(@Query() q: Record<string, unknown>) {
    return this.feed.store.summary(filterOf(q));
  }

  /**
   * Server-Sent Events: `alert` events carry the AlertView of each new or changed alert that passes
   * the filters (new alerts and triage changes alike); a comment every 15 s keeps proxies from closing it.
   */
  @Get('stream')
  stream(@Query() q: Record<string, unknown>, @Req() req: AuthedRequest, @Res() res: Response) {
    const filter = filterOf(q);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let seq = 0;
    const send = (event: string, data: unknown) => res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('ready', { alerts: this.feed.store.size });
    const off = this.feed.store.subscribe((view: AlertView, cause) => {
      if (AlertStore.matches(view, filter)) send('alert', { cause, alert: view });
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    this.streams.open.add(res);
    req.on('close', () => {
      clearInterval(ping);
      off();
      this.streams.open.delete(res);
    });
  }

  /** One alert in full: every reason with its evidence and legal basis, its messages, its triage history. */
  @Get(':id')
  get(@Param('id') id: string) {
    const d = this.feed.store.get(id);
    if (!d) throw new NotFoundException({ error: 'NOT_FOUND', message: `no alert ${id}` });
    return d;
  }

  /** acknowledge | resolve | false-positive | reopen, with a note; 409 when the alert's status does not allow it. */
  @Post(':id/:action')
  @HttpCode(200)
  @NeedsRole('analyst')
  async change(@Param('id') id: string, @Param('action') actionName: string, @Body() body: unknown, @Req() req: AuthedRequest) {
    const action = ACTIONS[actionName];
    if (!action)
      throw new NotFoundException({ error: 'NOT_FOUND', message: `no action ${actionName}: ${Object.keys(ACTIONS).join(', ')}` });
    if (!this.feed.store.has(id)) throw new NotFoundException({ error: 'NOT_FOUND', message: `no alert ${id}` });
    const r = lifecycleRequestValidator.validate(body);
    if (!r.ok) throw invalid(`a note is needed: ${describeIssues(r.issues)}`, r.issues);
    const user = req.principal!.user;
    const from = this.feed.store.get(id)?.lifecycle.status;
    try {
      await this.feed.change(id, action, user, r.value.note);
    } catch (err) {
      if (err instanceof TransitionRefused) {
        this.logger.info({ user, action, alertId: id, from, refused: true }, 'triage refused');
        throw new ConflictException({ error: 'TRANSITION_REFUSED', message: err.message, status: err.status });
      }
      throw err;
    }
    const after = this.feed.store.get(id);
    // who did what to which alert (the note stays in the audit trail, not in the log)
    this.logger.info({ user, action, alertId: id, orderId: after?.alert.orderId, from, to: after?.lifecycle.status }, 'triage');
    return after;
  }
}
