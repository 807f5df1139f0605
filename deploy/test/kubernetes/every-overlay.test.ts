// What every overlay of the Kubernetes manifests must be: valid and strict objects,
// references that resolve, selectors that select, and the cluster's shape (probes,
// Redis masters, the gateway, network policies, Pod security).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nameOf, schemaErrors, unknownFields } from '../support/kubernetes.ts';
import { fromRoot } from '../support/paths.ts';
import type { Tree } from '../support/tree.ts';
import { find, overlays, podSpec, rendered } from './support.ts';

describe('Kubernetes manifests', () => {
  describe.each(overlays)('overlay %s', (overlay) => {
    const manifests = rendered[overlay];

    it('when rendered, then every object validates against the Kubernetes schemas (kubernetes-models)', async () => {
      expect(manifests.length).toBeGreaterThan(20);
      const errors = (await Promise.all(manifests.map((m) => schemaErrors(m)))).flat();
      expect(errors).toEqual([]);
    });

    it('when rendered, then no object has a field the Kubernetes API does not know (strict, as kubectl apply)', () => {
      expect(unknownFields(manifests)).toEqual([]);
    });

    it('when rendered, then names are unique and everything namespaced is in namespace tickets', () => {
      const keys = manifests.map(nameOf);
      expect(new Set(keys).size).toBe(keys.length);
      for (const m of manifests) {
        if (m.kind !== 'Namespace') expect(m.metadata.namespace, nameOf(m)).toBe('tickets');
      }
    });

    it('when rendered, then every Secret, ConfigMap and Service that a Pod refers to exists or is created out of band', () => {
      const outOfBand =
        overlay === 'production' ? ['Secret/ticket-service-secrets', 'Secret/gateway-tls'] : [];
      const existing = new Set([...manifests.map(nameOf), ...outOfBand]);
      const workloads = manifests.filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind));
      for (const w of workloads) {
        const spec = podSpec(w as Tree);
        const refs: string[] = [];
        for (const v of spec.volumes ?? []) {
          if (v.configMap) refs.push(`ConfigMap/${v.configMap.name}`);
          if (v.secret) refs.push(`Secret/${v.secret.secretName}`);
        }
        for (const c of spec.containers) {
          for (const e of c.envFrom ?? []) {
            if (e.configMapRef) refs.push(`ConfigMap/${e.configMapRef.name}`);
            if (e.secretRef) refs.push(`Secret/${e.secretRef.name}`);
          }
          for (const e of c.env ?? []) {
            if (e.valueFrom?.secretKeyRef) refs.push(`Secret/${e.valueFrom.secretKeyRef.name}`);
            if (e.valueFrom?.configMapKeyRef) refs.push(`ConfigMap/${e.valueFrom.configMapKeyRef.name}`);
          }
        }
        if (w.kind === 'StatefulSet') refs.push(`Service/${(w as Tree).spec.serviceName}`);
        for (const ref of refs) expect(existing.has(ref), `${nameOf(w)} refers to ${ref}`).toBe(true);
      }
    });

    it('when rendered, then every Service, PDB, HPA and NetworkPolicy selects Pods that exist', () => {
      const podLabels = manifests
        .filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind))
        .map((m) => (m as Tree).spec.template.metadata.labels as Record<string, string>);
      const selects = (selector: Record<string, string>) =>
        podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
      for (const m of manifests as Tree[]) {
        if (m.kind === 'Service') expect(selects(m.spec.selector), nameOf(m)).toBe(true);
        if (m.kind === 'PodDisruptionBudget')
          expect(selects(m.spec.selector.matchLabels), nameOf(m)).toBe(true);
        if (m.kind === 'NetworkPolicy' && m.spec.podSelector.matchLabels) {
          expect(selects(m.spec.podSelector.matchLabels), nameOf(m)).toBe(true);
        }
        if (m.kind === 'HorizontalPodAutoscaler') {
          expect(find(manifests, m.spec.scaleTargetRef.kind, m.spec.scaleTargetRef.name)).toBeDefined();
        }
      }
    });

    it('when rendered, then the ticket service is probed on /readyz and /healthz, drains on stop and spreads out', () => {
      const spec = podSpec(find(manifests, 'Deployment', 'ticket-service'));
      const [c] = spec.containers;
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.lifecycle.preStop.exec.command[0]).toBe('sleep');
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
      const grace =
        Number(find(manifests, 'ConfigMap', 'ticket-service-config').data.SHUTDOWN_GRACE_MS) / 1000;
      const preStop = Number(c.lifecycle.preStop.exec.command[1]);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + grace);
      expect(spec.topologySpreadConstraints.map((t: Tree) => t.topologyKey)).toContain(
        'kubernetes.io/hostname',
      );
      // The HPA owns the replica count: a fixed one would reset it on every apply.
      expect(find(manifests, 'Deployment', 'ticket-service').spec.replicas).toBeUndefined();
    });

    it('when rendered, then three independent single-replica Redis StatefulSets run append-only, and REDIS_URLS names them', () => {
      const redis = manifests.filter((m) => m.kind === 'StatefulSet' && m.metadata.name.startsWith('redis-'));
      expect(redis.map((m) => m.metadata.name)).toEqual(['redis-1', 'redis-2', 'redis-3']);
      for (const m of redis as Tree[]) {
        expect(m.spec.replicas).toBe(1);
        const args: string[] = podSpec(m).containers[0].args;
        expect(args.join(' ')).toMatch(/--appendonly yes/);
        expect(args.join(' ')).toMatch(/--maxmemory-policy noeviction/);
        expect(args.join(' ')).not.toMatch(/replicaof|slaveof/);
      }
      const urls = find(manifests, 'ConfigMap', 'ticket-service-config').data.REDIS_URLS.split(',');
      expect(urls).toEqual(['redis://redis-1:6379', 'redis://redis-2:6379', 'redis://redis-3:6379']);
    });

    it('when rendered, then the gateway upstream is least_conn over the headless Service with resolve', () => {
      const template = find(manifests, 'ConfigMap', 'gateway-nginx').data['upstream.conf.template'];
      expect(template).toBe(
        readFileSync(fromRoot('gateway/container/templates/upstream.conf.template'), 'utf8'),
      );
      expect(template).toMatch(/least_conn;/);
      expect(template).toMatch(/server \$\{TICKETS_UPSTREAM\} resolve;/);
      const headless = find(manifests, 'Service', 'ticket-service-headless');
      expect(headless.spec.clusterIP).toBe('None');
      expect(find(manifests, 'ConfigMap', 'gateway-env').data.TICKETS_UPSTREAM).toBe(
        `ticket-service-headless.${headless.metadata.namespace}.svc.cluster.local:3000`,
      );
      expect(find(manifests, 'Service', 'gateway').spec.type).toBe('LoadBalancer');
    });

    it('when rendered, then the gateway mounts every container template as shipped, and it and the replicas share one rate-limit factor', () => {
      const templates = find(manifests, 'ConfigMap', 'gateway-nginx').data as Record<string, string>;
      // The ConfigMap replaces the image's templates directory: every template must be in it.
      expect(Object.keys(templates).sort()).toEqual(
        readdirSync(fromRoot('gateway/container/templates'))
          .filter((f) => f.endsWith('.template'))
          .sort(),
      );
      expect(templates['rate-limits.conf.template']).toBe(
        readFileSync(fromRoot('gateway/container/templates/rate-limits.conf.template'), 'utf8'),
      );
      const gatewayFactor = find(manifests, 'ConfigMap', 'gateway-env').data.TICKETS_RATE_LIMIT_FACTOR;
      expect(gatewayFactor).toBe('1');
      expect(find(manifests, 'ConfigMap', 'ticket-service-config').data.TICKETS_RATE_LIMIT_FACTOR).toBe(
        gatewayFactor,
      );
    });

    it('when rendered, then only gateway -> service -> Redis/PostgreSQL (and migration -> PostgreSQL) is allowed', () => {
      const policies = manifests.filter((m) => m.kind === 'NetworkPolicy') as Tree[];
      const deny = policies.find((p) => p.metadata.name === 'default-deny');
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const ingressFrom = (app: string) =>
        policies
          .filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === app)
          .flatMap((p) => p.spec.ingress ?? [])
          .flatMap((rule: Tree) => rule.from ?? [{ anywhere: true }]);
      expect(ingressFrom('ticket-service')).toEqual([
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ]);
      expect(ingressFrom('redis')).toEqual([
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ticket-service' } } },
      ]);
      if (overlay === 'local') {
        expect(ingressFrom('postgres')).toEqual([
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ticket-service' } } },
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ticket-service-migrate' } } },
        ]);
      }
    });

    it('when rendered, then every Pod runs as non-root with a RuntimeDefault seccomp profile and no capabilities', () => {
      for (const m of manifests.filter((x) => ['Deployment', 'StatefulSet', 'Job'].includes(x.kind))) {
        const spec = podSpec(m as Tree);
        expect(spec.securityContext.runAsNonRoot, nameOf(m)).toBe(true);
        expect(spec.securityContext.seccompProfile.type, nameOf(m)).toBe('RuntimeDefault');
        for (const c of spec.containers) {
          expect(c.securityContext.allowPrivilegeEscalation, nameOf(m)).toBe(false);
          expect(c.securityContext.capabilities.drop, nameOf(m)).toEqual(['ALL']);
        }
      }
    });
  });
});
