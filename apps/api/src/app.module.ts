import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { AlertsController, AuditController, LiveStreams, SavedViewsController } from './alerts/alerts.controller';
import { Casework } from './alerts/casework.service';
import { AssessController } from './assess/assess.controller';
import { WhatIfService } from './assess/what-if.service';
import { ApiKeyGuard } from './auth/auth.guard';
import { SessionController } from './auth/session.controller';
import { DocsController } from './docs/docs.controller';
import { OrdersController } from './orders/orders.controller';
import { ReplayController } from './replay/replay.controller';
import { ReplayService } from './replay/replay.service';
import { ApiRuntime, connectionProviders } from './runtime';
import type { ApiSettings } from './settings';
import { Subscriptions, SubscriptionsController } from './subscriptions/subscriptions.controller';
import { API_SETTINGS, CASEWORK_DB, LOGGER } from './tokens';
import { createCaseworkDb } from '@dualwatch/casework';

/** The api's Prometheus metrics, on their own registry, named `dw_api_*` like `dw_engine_*` and `dw_notifier_*`. */
export class ApiMetrics {
  readonly registry = new Registry();
  constructor(sources: { alerts(): Promise<number> | number; liveStreams(): number } = { alerts: () => 0, liveStreams: () => 0 }) {
    const registers = [this.registry];
    new Gauge({
      name: 'dw_api_alerts',
      help: 'Cases (one per order) in the casework database (an estimate above 100,000)',
      registers,
      async collect() {
        this.set(await Promise.resolve(sources.alerts()).catch(() => -1));
      },
    });
    new Gauge({
      name: 'dw_api_live_streams',
      help: 'Open live streams (SSE)',
      registers,
      collect() {
        this.set(sources.liveStreams());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'dw_api_' });
  }
}

const metrics = (casework: Casework, streams: LiveStreams): Registry =>
  new ApiMetrics({ alerts: () => casework.repo.count(), liveStreams: () => streams.open.size }).registry;

@Module({})
export class ApiModule {
  static forRoot(settings: ApiSettings, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        OpsController,
        DocsController,
        SessionController,
        OrdersController,
        AssessController,
        AlertsController,
        AuditController,
        SavedViewsController,
        SubscriptionsController,
        ReplayController,
      ],
      providers: [
        { provide: API_SETTINGS, useValue: settings },
        { provide: LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        ...connectionProviders(),
        ApiRuntime,
        {
          provide: CASEWORK_DB,
          useFactory: (s: ApiSettings) => createCaseworkDb(s.databaseUrl, { max: s.databasePoolSize, applicationName: 'dualwatch-api' }).db,
          inject: [API_SETTINGS],
        },
        Casework,
        LiveStreams,
        WhatIfService,
        ReplayService,
        Subscriptions,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (rt: ApiRuntime, casework: Casework) => [...rt.healthIndicators(), ...casework.healthIndicators()],
          inject: [ApiRuntime, Casework],
        },
        { provide: METRICS_REGISTRY, useFactory: metrics, inject: [Casework, LiveStreams] },
      ],
    };
  }
}
