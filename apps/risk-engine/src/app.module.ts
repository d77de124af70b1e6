import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { EngineService } from './engine.service';
import { OrdersConsumer } from './orders.consumer';
import { engineProviders } from './providers';
import { RescreenConsumer } from './rescreen.consumer';
import { RescreenService } from './rescreen.service';
import type { EngineSettings } from './settings';

@Module({})
export class RiskEngineModule {
  static forRoot(settings: EngineSettings, logger: Logger): DynamicModule {
    return {
      module: RiskEngineModule,
      controllers: [OpsController, OrdersConsumer, RescreenConsumer],
      providers: [
        ...engineProviders(settings, logger),
        EngineService,
        RescreenService,
        { provide: HEALTH_INDICATORS, useFactory: (e: EngineService) => e.healthIndicators(), inject: [EngineService] },
        { provide: METRICS_REGISTRY, useFactory: (e: EngineService) => e.metrics.registry, inject: [EngineService] },
      ],
    };
  }
}
