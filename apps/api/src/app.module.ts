import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Gauge, Registry } from 'prom-client';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { AlertFeed } from './alerts/alert-feed.service';
import { AlertsController, LiveStreams } from './alerts/alerts.controller';
import { AssessController } from './assess/assess.controller';
import { WhatIfService } from './assess/what-if.service';
import { ApiKeyGuard } from './auth/auth.guard';
import { SessionController } from './auth/session.controller';
import { DocsController } from './docs/docs.controller';
import { OrdersController } from './orders/orders.controller';
import { ApiRuntime } from './runtime';
import type { ApiSettings } from './settings';
import { Subscriptions, SubscriptionsController } from './subscriptions/subscriptions.controller';
import { API_SETTINGS, LOGGER } from './tokens';

function metrics(feed: AlertFeed, streams: LiveStreams): Registry {
  const registry = new Registry();
  new Gauge({ name: 'dualwatch_api_alerts', help: 'Alerts in the store', registers: [registry], collect() { this.set(feed.store.size); } });
  new Gauge({ name: 'dualwatch_api_live_streams', help: 'Open live streams (SSE)', registers: [registry], collect() { this.set(streams.open.size); } });
  return registry;
}

@Module({})
export class ApiModule {
  static forRoot(settings: ApiSettings, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      controllers: [OpsController, DocsController, SessionController, OrdersController, AssessController, AlertsController, SubscriptionsController],
      providers: [
        { provide: API_SETTINGS, useValue: settings },
        { provide: LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        ApiRuntime,
        AlertFeed,
        LiveStreams,
        WhatIfService,
        Subscriptions,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (rt: ApiRuntime, feed: AlertFeed) => [
            ...rt.healthIndicators(),
            { name: 'alertStore', check: async () => { if (!feed.ready) throw new Error('still reading the alert topics'); } },
          ],
          inject: [ApiRuntime, AlertFeed],
        },
        { provide: METRICS_REGISTRY, useFactory: metrics, inject: [AlertFeed, LiveStreams] },
      ],
    };
  }
}
