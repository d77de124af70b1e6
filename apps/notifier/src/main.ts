import 'reflect-metadata';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { NotifierModule } from './app.module';
import { loadNotifierSettings } from './settings';

/** Starts the notifier the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp(
    { name: 'notifier', loadSettings: loadNotifierSettings, module: NotifierModule.forRoot, links: ['/subscriptions', '/deliveries'] },
    env,
    o,
  );
}

if (require.main === module) runMain('notifier', () => bootstrap());
