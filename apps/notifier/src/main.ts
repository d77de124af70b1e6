import 'reflect-metadata';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { KafkaChunkTransport } from '@dualwatch/messaging';
import { NotifierModule } from './app.module';
import { LOGGER, NotifierService } from './notifier.service';
import { loadNotifierSettings } from './settings';

/** Starts the notifier the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp(
    {
      name: 'notifier',
      loadSettings: loadNotifierSettings,
      module: NotifierModule.forRoot,
      links: ['/subscriptions', '/deliveries'],
      // risk.alerts.v1 through the chunk transport, bound from the settings (NotifierService.bind)
      microservices: (app) => {
        const notifier = app.get(NotifierService);
        return [
          new KafkaChunkTransport({
            kafka: notifier.kafka,
            logger: app.get(LOGGER),
            bind: (pattern, extras) => notifier.bind(pattern, extras),
          }),
        ];
      },
    },
    env,
    o,
  );
}

if (require.main === module) runMain('notifier', () => bootstrap());
