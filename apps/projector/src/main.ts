import 'reflect-metadata';
import { KafkaChunkTransport } from '@dualwatch/messaging';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { ProjectorModule } from './app.module';
import { ProjectorService } from './projector.service';
import { loadProjectorSettings } from './settings';
import { LOGGER } from './tokens';

/** Starts the projector the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp(
    {
      name: 'projector',
      loadSettings: loadProjectorSettings,
      module: ProjectorModule.forRoot,
      // risk.alerts.v1 through the chunk transport, bound once the database said its projection id
      microservices: (app) => {
        const p = app.get(ProjectorService);
        return [new KafkaChunkTransport({ kafka: p.kafka, logger: app.get(LOGGER), bind: (pattern, extras) => p.bind(pattern, extras) })];
      },
    },
    env,
    o,
  );
}

if (require.main === module) runMain('projector', () => bootstrap());
