import { Module, type DynamicModule } from '@nestjs/common';
import { createCaseworkDb } from '@dualwatch/casework';
import { createKafka } from '@dualwatch/messaging';
import { HEALTH_INDICATORS, METRICS_REGISTRY, OpsController, type Logger } from '@dualwatch/observability';
import { ProjectorConsumer } from './projector.consumer';
import { ProjectorService } from './projector.service';
import type { ProjectorSettings } from './settings';
import { CASEWORK_DB, KAFKA, LOGGER, PROJECTOR_SETTINGS } from './tokens';

@Module({})
export class ProjectorModule {
  static forRoot(settings: ProjectorSettings, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [OpsController, ProjectorConsumer],
      providers: [
        { provide: PROJECTOR_SETTINGS, useValue: settings },
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA,
          useFactory: (s: ProjectorSettings, l: Logger) => createKafka(s, 'projector', l),
          inject: [PROJECTOR_SETTINGS, LOGGER],
        },
        {
          provide: CASEWORK_DB,
          useFactory: (s: ProjectorSettings) =>
            createCaseworkDb(s.databaseUrl, { max: s.databasePoolSize, applicationName: 'dualwatch-projector' }).db,
          inject: [PROJECTOR_SETTINGS],
        },
        ProjectorService,
        { provide: HEALTH_INDICATORS, useFactory: (p: ProjectorService) => p.healthIndicators(), inject: [ProjectorService] },
        { provide: METRICS_REGISTRY, useFactory: (p: ProjectorService) => p.metrics.registry, inject: [ProjectorService] },
      ],
    };
  }
}
