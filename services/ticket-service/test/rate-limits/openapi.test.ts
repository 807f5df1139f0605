// The OpenAPI document names the refusals of the limits.
import { describe, expect, it } from 'vitest';
import { a, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('the OpenAPI document', () => {
  it('documents 429 on every limited route', async () => {
    const doc = (await a.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const [path, method] of [
      ['/api/v1/auth/signup', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/me/password', 'post'],
      ['/api/v1/events/{eventId}/holds', 'post'],
      ['/api/v1/events/{eventId}/orders', 'post'],
      ['/api/v1/holds/{holdId}/order', 'post'],
    ] as const) {
      expect(Object.keys(doc.paths[path][method].responses), `${method} ${path}`).toContain('429');
    }
    expect(Object.keys(doc.paths['/api/v1/events/{eventId}/stream'].get.responses)).toContain('503');
  });
});
