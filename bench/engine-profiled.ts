/**
 * The risk-engine, started in-process through its own bootstrap(env), with the V8 CPU profiler (the
 * one behind `node --cpu-prof`) driven over IPC by `bench/run.js --profile`, so that the profile covers
 * exactly the backlog window, not start-up and idle waits:
 *   { cmd: 'profile-start', intervalUs }  → { ok: 'started' }
 *   { cmd: 'profile-stop', file }         → { ok: 'stopped', file }   (a .cpuprofile, Chrome DevTools format)
 *   { cmd: 'memory' }                     → { ok: 'memory', usage: process.memoryUsage(), spaces: v8 heap spaces }
 *   { cmd: 'heap-snapshot', file }        → { ok: 'heap', file }   (v8.writeHeapSnapshot: a full GC, then the live heap)
 *   { cmd: 'close' }                      → app.close(), exit 0
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as v8 from 'node:v8';
import { bootstrap } from '../apps/risk-engine/src/main';

type Command =
  | { cmd: 'profile-start'; intervalUs?: number }
  | { cmd: 'profile-stop'; file: string }
  | { cmd: 'memory' }
  | { cmd: 'heap-snapshot'; file: string }
  | { cmd: 'close' };

const session = new Session();
session.connect();
const post = <T = unknown>(method: string, params: object = {}): Promise<T> =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
const reply = (m: object) => process.send?.(m);

bootstrap(process.env)
  .then((app) => {
    process.on('message', (m: Command) => {
      void (async () => {
        try {
          if (m.cmd === 'profile-start') {
            await post('Profiler.enable');
            await post('Profiler.setSamplingInterval', { interval: m.intervalUs ?? 1000 });
            await post('Profiler.start');
            reply({ ok: 'started' });
          } else if (m.cmd === 'profile-stop') {
            const { profile } = await post<{ profile: unknown }>('Profiler.stop');
            fs.writeFileSync(m.file, JSON.stringify(profile));
            reply({ ok: 'stopped', file: m.file });
          } else if (m.cmd === 'memory') {
            const spaces = v8
              .getHeapSpaceStatistics()
              .map((sp) => ({ name: sp.space_name, size: sp.space_size, used: sp.space_used_size }));
            reply({ ok: 'memory', usage: process.memoryUsage(), spaces });
          } else if (m.cmd === 'heap-snapshot') {
            reply({ ok: 'heap', file: v8.writeHeapSnapshot(m.file) });
          } else if (m.cmd === 'close') {
            await app.close().catch(() => undefined);
            process.exit(0);
          }
        } catch (err) {
          reply({ error: (err as Error).message });
        }
      })();
    });
    reply({ ok: 'ready' });
  })
  .catch((err) => {
    process.stderr.write(`engine-profiled failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
