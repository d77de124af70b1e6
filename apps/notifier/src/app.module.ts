import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { AdminKeyGuard } from './admin.guard';
import { AlertsConsumer } from './alerts.consumer';
import { DeliveriesController } from './deliveries.controller';
import { NotifierService } from './notifier.service';
import { notifierProviders } from './providers';
import type { NotifierSettings } from './settings';
import { SubscriptionsController } from './subscriptions.controller';

@Module({})
export class NotifierModule {
  static forRoot(settings: NotifierSettings, logger: Logger): DynamicModule {
    return {
      module: NotifierModule,
      controllers: [OpsController, SubscriptionsController, DeliveriesController, AlertsConsumer],
      providers: [
        ...notifierProviders(settings, logger),
        NotifierService,
        AdminKeyGuard,
        { provide: HEALTH_INDICATORS, useFactory: (n: NotifierService) => n.healthIndicators(), inject: [NotifierService] },
        { provide: METRICS_REGISTRY, useFactory: (n: NotifierService) => n.metrics.registry, inject: [NotifierService] },
      ],
    };
  }
}
