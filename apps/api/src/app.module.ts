import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { AlertFeed, AlertFeedConsumer } from './alerts/alert-feed.service';
import { AlertsController, LiveStreams } from './alerts/alerts.controller';
import { AssessController } from './assess/assess.controller';
import { WhatIfService } from './assess/what-if.service';
import { ApiKeyGuard } from './auth/auth.guard';
import { SessionController } from './auth/session.controller';
import { DocsController } from './docs/docs.controller';
import { OrdersController } from './orders/orders.controller';
import { ReplayController } from './replay/replay.controller';
import { ReplayService } from './replay/replay.service';
import { AlertStore } from './alerts/alert-store';
import { ApiRuntime, connectionProviders } from './runtime';
import type { ApiSettings } from './settings';
import { Subscriptions, SubscriptionsController } from './subscriptions/subscriptions.controller';
import { API_SETTINGS, LOGGER } from './tokens';

/** The api's Prometheus metrics, on their own registry, named `dw_api_*` like `dw_engine_*` and `dw_notifier_*`. */
export class ApiMetrics {
  readonly registry = new Registry();
  constructor(sources: { alerts(): number; liveStreams(): number } = { alerts: () => 0, liveStreams: () => 0 }) {
    const registers = [this.registry];
    new Gauge({
      name: 'dw_api_alerts',
      help: 'Alerts in the store',
      registers,
      collect() {
        this.set(sources.alerts());
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

const metrics = (feed: AlertFeed, streams: LiveStreams): Registry =>
  new ApiMetrics({ alerts: () => feed.store.size, liveStreams: () => streams.open.size }).registry;

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
        SubscriptionsController,
        ReplayController,
        AlertFeedConsumer,
      ],
      providers: [
        { provide: API_SETTINGS, useValue: settings },
        { provide: LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        ...connectionProviders(),
        ApiRuntime,
        { provide: AlertStore, useFactory: () => new AlertStore() },
        AlertFeed,
        LiveStreams,
        WhatIfService,
        ReplayService,
        Subscriptions,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (rt: ApiRuntime, feed: AlertFeed) => [
            ...rt.healthIndicators(),
            {
              name: 'alertStore',
              check: async () => {
                if (!feed.ready) throw new Error('still reading the alert topics');
              },
            },
          ],
          inject: [ApiRuntime, AlertFeed],
        },
        { provide: METRICS_REGISTRY, useFactory: metrics, inject: [AlertFeed, LiveStreams] },
      ],
    };
  }
}
