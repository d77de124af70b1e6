import 'reflect-metadata';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { RiskEngineModule } from './app.module';
import { loadEngineSettings } from './settings';

/** Starts the risk-engine the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp({ name: 'risk-engine', loadSettings: loadEngineSettings, module: RiskEngineModule.forRoot }, env, o);
}

if (require.main === module) runMain('risk-engine', () => bootstrap());
