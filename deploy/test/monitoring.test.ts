import { readFileSync } from 'node:fs';
import { buildTestApp } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadCompose, parseEnvFile } from './support/compose.ts';
import { render } from './support/kustomize.ts';
import { fromRoot } from './support/paths.ts';
import { analyse, expandGrafanaMacros, exposedSeries } from './support/promql.ts';

// Labels Prometheus attaches to every scraped series (see the scrape configurations).
const TARGET_LABELS = ['job', 'instance', 'node'];
// Series Prometheus makes itself for each target.
const SYNTHETIC_SERIES = ['up'];

type Panel = {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
  panels?: Panel[];
};

const dashboard = JSON.parse(readFileSync(fromRoot('deploy/grafana/dashboards/tickets.json'), 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; datasource: { uid: string } }[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const rules = parseYaml(readFileSync(fromRoot('deploy/prometheus/rules.yml'), 'utf8')) as {
  groups: { rules: { alert: string; expr: string }[] }[];
};

/** Every PromQL expression the dashboard and the alert rules evaluate, with where it comes from. */
function expressions(): { where: string; expr: string }[] {
  const fromPanels = panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      where: `panel "${p.title}" ${t.refId}`,
      expr: expandGrafanaMacros(t.expr),
    })),
  );
  const fromVariables = dashboard.templating.list.map((v) => {
    // Grafana's label_values(<selector>, <label>): the selector is PromQL.
    const match = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.query);
    if (!match) throw new Error(`variable ${v.name}: unexpected query ${v.query.query}`);
    return { where: `variable ${v.name}`, expr: `${match[1]}` };
  });
  const fromRules = rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
  );
  return [...fromPanels, ...fromVariables, ...fromRules];
}

describe('monitoring: Grafana dashboard and Prometheus rules against the live /metrics', () => {
  let app: FastifyInstance;
  let series: Map<string, string>;
  let labelsOf: Map<string, string[]>;

  beforeAll(async () => {
    app = await buildTestApp();
    // Samples for the HTTP histogram, as on a replica that has served traffic.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    series = exposedSeries(res.body);
    labelsOf = new Map();
    for (const metric of app.metrics.registry.getMetricsAsArray()) {
      const m = metric as unknown as { name: string; labelNames?: string[] };
      const type = series.get(m.name);
      const names = [
        ...(m.labelNames ?? []),
        ...(type === 'histogram' ? ['le'] : []),
        ...(type === 'summary' ? ['quantile'] : []),
      ];
      for (const name of [...series.keys()].filter((s) => s === m.name || s.startsWith(`${m.name}_`))) {
        labelsOf.set(name, names);
      }
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('when the service has answered requests, then /metrics exposes the families the dashboard is built on', () => {
    expect(series.get('http_request_duration_seconds')).toBe('histogram');
    expect(series.get('tickets_orders_total')).toBe('counter');
    expect(series.get('process_cpu_seconds_total')).toBe('counter');
  });

  it('when every dashboard and alert expression is parsed with PromQL grammar, then none has a syntax error', () => {
    const all = expressions();
    expect(all.length).toBeGreaterThan(25);
    const errors = all.flatMap(({ where, expr }) => analyse(expr).errors.map((e) => `${where}: ${e}`));
    expect(errors).toEqual([]);
  });

  it('when every expression is read, then each metric it queries is one the service exports', () => {
    const unknown = expressions().flatMap(({ where, expr }) =>
      analyse(expr)
        .metrics.filter((m) => !series.has(m) && !SYNTHETIC_SERIES.includes(m))
        .map((m) => `${where}: ${m}`),
    );
    expect(unknown).toEqual([]);
    const queried = new Set(expressions().flatMap(({ expr }) => analyse(expr).metrics));
    // Every tickets_* family is on the dashboard (a histogram through its buckets).
    const families = [...series.entries()]
      .filter(
        ([name, type]) => name.startsWith('tickets_') && (type !== 'histogram' || name.endsWith('_bucket')),
      )
      .map(([name]) => name);
    expect(families.length).toBeGreaterThan(10);
    expect(families.filter((name) => !queried.has(name))).toEqual([]);
  });

  it('when every expression is read, then each label it names exists on one of the metrics it queries', () => {
    const wrong = expressions().flatMap(({ where, expr }) => {
      const { metrics, labels } = analyse(expr);
      const known = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => labelsOf.get(m) ?? [])]);
      return labels.filter((l) => !known.has(l)).map((l) => `${where}: ${l}`);
    });
    expect(wrong).toEqual([]);
  });

  it('when the dashboard is read, then its panels have unique ids, fit the grid and use the provisioned data source', () => {
    const datasources = parseYaml(
      readFileSync(fromRoot('deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; url: string }[] };
    const uid = datasources.datasources[0]?.uid;
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.targets) {
        expect(p.datasource?.uid, p.title).toBe(uid);
        for (const t of p.targets) expect(t.datasource?.uid, p.title).toBe(uid);
      }
    }
    expect(dashboard.uid).toBe('tickets-overview');
    // The data source points at the Compose service named prometheus.
    const env = parseEnvFile(readFileSync(fromRoot('.env.example'), 'utf8'));
    const compose = loadCompose(fromRoot('docker-compose.yml'), env);
    expect(new URL(datasources.datasources[0]?.url ?? '').hostname).toBe('prometheus');
    expect(Object.keys(compose.services)).toContain('prometheus');
  });

  it('when the dashboard is read, then it covers requests and latency per replica, purchases, locks, fencing, holds, oversell and the database pool', () => {
    const titles = panels.map((p) => p.title).join('\n');
    for (const wanted of [
      /Requests per second by replica/,
      /Latency p95 by replica/,
      /Purchases per second/,
      /Lock wait/,
      /Lock failures/,
      /Fenced rejections/,
      /Holds/,
      /Oversell/,
      /Database pool/,
    ]) {
      expect(titles).toMatch(wanted);
    }
    const oversell = panels.find((p) => /Oversell/.test(p.title));
    // Oversell has no metric: the panel says so instead of inventing one.
    expect(oversell?.description).toMatch(/no metric can show it/);
    expect(oversell?.targets?.[0]?.expr).toMatch(/tickets_fenced_rejections_total/);
  });

  it('when Grafana provisioning is read, then the dashboard directory it loads is the one Compose mounts the dashboard into', () => {
    const provider = parseYaml(
      readFileSync(fromRoot('deploy/grafana/provisioning/dashboards/tickets.yml'), 'utf8'),
    ).providers[0];
    const env = parseEnvFile(readFileSync(fromRoot('.env.example'), 'utf8'));
    const grafana = loadCompose(fromRoot('docker-compose.yml'), env).services.grafana;
    expect(grafana.volumes).toContain(`./deploy/grafana/dashboards:${provider.options.path}:ro`);
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.options.path}/tickets.json`,
    );
  });

  it('when the scrape configurations are read, then Compose and Kubernetes both name the job the dashboard filters on', () => {
    const jobs = new Set(
      expressions().flatMap(({ expr }) => [...expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1] as string)),
    );
    expect([...jobs]).toEqual(['ticket-service']);
    const compose = parseYaml(readFileSync(fromRoot('deploy/prometheus/prometheus.yml'), 'utf8'));
    expect(compose.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('ticket-service');
    const cm = render(fromRoot('k8s/overlays/production')).find(
      (m) => m.kind === 'ConfigMap' && m.metadata.name === 'prometheus-scrape',
    ) as unknown as { data: Record<string, string> };
    const k8s = parseYaml(cm.data['ticket-service.yaml'] as string);
    expect(k8s.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(['ticket-service']);
  });

  // Debian's promtool is built without Kubernetes service discovery, so it cannot read
  // the Kubernetes scrape job (kubernetes_sd_configs); that job is checked above only.
});
