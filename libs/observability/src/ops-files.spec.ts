import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Registry } from 'prom-client';
import { NotifyMetrics } from '@dualwatch/notify';
import { ApiMetrics } from '../../../apps/api/src/app.module';
import { EngineMetrics } from '../../../apps/risk-engine/src/metrics';

// js-yaml comes with the dev tooling (eslint); only this test reads YAML
const yaml = require('js-yaml') as { load(text: string): unknown };

/**
 * The monitoring files in ops/ and docker-compose.yml (Docker is not needed to check them): they parse,
 * they point at each other and at the apps' ports, and every metric the Grafana dashboard queries is
 * one that some app registers, so no panel stays empty because of a typo or a renamed metric.
 */
const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(read('ops/grafana/dashboards/dualwatch.json')) as { uid: string; panels: Panel[] };
const compose = yaml.load(read('docker-compose.yml')) as {
  services: Record<string, { profiles?: string[]; volumes?: string[]; environment?: Record<string, unknown>; command?: string[] }>;
};

async function registeredNames(registries: Registry[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const r of registries) for (const m of await r.getMetricsAsJSON()) names.add(m.name);
  return names;
}

describe('the Grafana dashboard', () => {
  it('queries only metrics that the apps register', async () => {
    const registered = await registeredNames([new EngineMetrics().registry, new NotifyMetrics().registry, new ApiMetrics().registry]);
    const queried = new Set(
      dashboard.panels
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) => t.expr.match(/\bdw_[a-z0-9_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(queried.size).toBeGreaterThan(15);
    expect([...queried].filter((name) => !registered.has(name))).toEqual([]);
  });

  it('shows throughput, latency, lag, alerts by severity, DLQ and deliveries, from the provisioned data source', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const word of ['throughput', 'latency', 'lag', 'alerts by severity', 'dead letters', 'deliveries']) expect(titles).toContain(word);
    const datasources = yaml.load(read('ops/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    const uids = new Set(dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.datasource?.uid));
    expect([...uids]).toEqual([datasources.datasources[0].uid]);
    expect(datasources.datasources[0].url).toBe('http://prometheus:9090');
  });
});

describe('docker-compose.yml and Prometheus', () => {
  it('run every app, the broker, Redis and a demo producer; Prometheus and Grafana only under the monitoring profile', () => {
    const services = compose.services;
    for (const s of ['kafka', 'redis', 'risk-engine', 'notifier', 'api', 'demo']) expect(services[s]?.profiles).toBeUndefined();
    expect(services.prometheus.profiles).toEqual(['monitoring']);
    expect(services.grafana.profiles).toEqual(['monitoring']);
    for (const s of ['prometheus', 'grafana'])
      for (const volume of services[s].volumes ?? []) expect(fs.existsSync(path.join(root, volume.split(':')[0]))).toBe(true);
    for (const app of ['risk-engine', 'notifier', 'api']) expect(fs.existsSync(path.join(root, 'apps', app, 'src/main.ts'))).toBe(true);
  });

  it('scrape each app on the HTTP port compose gives it', () => {
    const prom = yaml.load(read('ops/prometheus/prometheus.yml')) as {
      scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; port: number }[] }[];
    };
    const jobs = Object.fromEntries(prom.scrape_configs.map((j) => [j.job_name, j.dns_sd_configs[0]]));
    for (const app of ['risk-engine', 'notifier', 'api']) {
      expect(jobs[app].names).toEqual([app]);
      expect(String(jobs[app].port)).toBe(String(compose.services[app].environment?.HTTP_PORT));
    }
  });
});
