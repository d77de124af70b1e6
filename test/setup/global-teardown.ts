/** Jest globalTeardown of the `integration` project: stops exactly what global-setup.ts started, by pid. */
import { takeTestInfra } from './infra-handles';

export default async function globalTeardown(): Promise<void> {
  const infra = takeTestInfra();
  if (!infra) return;
  const results = await Promise.allSettled([infra.kafka?.stop(), infra.redis?.stop(), infra.postgres?.stop()]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) throw new Error(`global teardown: ${failed.map((f) => String(f.reason)).join('; ')}`);
}
