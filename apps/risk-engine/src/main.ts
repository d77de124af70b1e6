import 'reflect-metadata';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { KafkaChunkTransport } from '@dualwatch/messaging';
import { RiskEngineModule } from './app.module';
import { EngineService, LOGGER } from './engine.service';
import { loadEngineSettings } from './settings';

/** Starts the risk-engine the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp(
    {
      name: 'risk-engine',
      loadSettings: loadEngineSettings,
      module: RiskEngineModule.forRoot,
      // orders.v1 through the chunk transport, bound from the settings (EngineService.bind)
      microservices: (app) => {
        const engine = app.get(EngineService);
        return [
          new KafkaChunkTransport({
            kafka: engine.kafka,
            logger: app.get(LOGGER),
            bind: (pattern, extras) => engine.bind(pattern, extras),
          }),
        ];
      },
    },
    env,
    o,
  );
}

if (require.main === module) runMain('risk-engine', () => bootstrap());
