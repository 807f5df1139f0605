// What the document must say of each route of a module: its parameters, headers and
// body, and its success and error responses, each with a schema.
import { expect, it } from 'vitest';
import type { Spec } from './contract.ts';
import { alternatives, doc, type Operation, operation } from './document.ts';

const PROBLEM_FIELDS = ['type', 'title', 'status', 'detail', 'code'];

/** Defines the tests that the document describes each of these routes as `specs` says. */
export function itDocumentsTheContract(specs: Record<string, Spec>): void {
  it.each(Object.entries(specs))(
    'when %s is documented, then its request schemas are there',
    (route, spec) => {
      const op = operation(route);
      expect(op, route).toBeDefined();
      if (!op) return;
      const params = op.parameters ?? [];
      const inPath = params.filter((p) => p.in === 'path');
      const inQuery = params.filter((p) => p.in === 'query');
      const inHeader = params.filter((p) => p.in === 'header');
      expect(inPath.map((p) => p.name).sort()).toEqual([...(spec.path ?? [])].sort());
      for (const p of inPath) {
        expect(p.required).toBe(true);
        expect(p.schema).toMatchObject({ type: 'string', format: 'uuid' });
      }
      expect(inQuery.map((p) => p.name).sort()).toEqual([...(spec.query ?? [])].sort());
      for (const p of inQuery) expect(p.schema.type, p.name).toBeTruthy();
      const required = inHeader.filter((p) => p.required);
      const optional = inHeader.filter((p) => !p.required);
      expect(required.map((p) => p.name.toLowerCase()).sort()).toEqual([...(spec.header ?? [])].sort());
      expect(optional.map((p) => p.name.toLowerCase()).sort()).toEqual(
        [...(spec.optionalHeader ?? [])].sort(),
      );
      for (const p of required) expect(p.schema).toMatchObject({ type: 'string', minLength: 1 });
      for (const p of optional) expect(p.schema.type, p.name).toBe('string');
      if (spec.body) {
        const schema = op.requestBody?.content['application/json']?.schema;
        expect(op.requestBody?.required).toBe(true);
        const shapes = (Array.isArray(spec.body[0]) ? spec.body : [spec.body]) as string[][];
        const documented = alternatives(schema);
        expect(documented).toHaveLength(shapes.length);
        for (const [i, shape] of shapes.entries()) {
          expect(documented[i]).toMatchObject({ type: 'object', additionalProperties: false });
          expect([...(documented[i]?.required ?? [])].sort()).toEqual([...shape].sort());
        }
      } else if (spec.rawBody) {
        expect(op.requestBody?.required).toBe(true);
        expect(Object.keys(op.requestBody?.content ?? {}).sort()).toEqual([...spec.rawBody].sort());
      } else {
        expect(op.requestBody).toBeUndefined();
      }
    },
  );

  it.each(Object.entries(specs))(
    'when %s is documented, then its success and error responses have schemas',
    (route, spec) => {
      const op = operation(route) as Operation;
      for (const status of [spec.success, ...(spec.alsoSuccess ?? [])]) {
        const success = op.responses[String(status)];
        expect(success, `${route} ${status}`).toBeDefined();
        if (status === 204) {
          expect(success?.content).toBeUndefined();
        } else {
          const media = spec.media ?? 'application/json';
          expect(Object.keys(success?.content ?? {}), `${route} ${status}`).toContain(media);
          expect(success?.content?.[media]?.schema, `${route} ${status} ${media}`).toBeTruthy();
        }
      }
      // A conditional GET documents its 304, which has no body; no other route has one.
      const notModified = op.responses['304'];
      expect(Boolean(notModified), `${route} 304`).toBe(Boolean(spec.notModified));
      expect(notModified?.content, `${route} 304`).toBeUndefined();
      for (const status of spec.errors) {
        const response = op.responses[String(status)];
        expect(response, `${route} ${status}`).toBeDefined();
        const schema = Object.values(response?.content ?? {})[0]?.schema;
        expect(schema?.required, `${route} ${status}`).toEqual(expect.arrayContaining(PROBLEM_FIELDS));
      }
      // Routes that need a token say so, with a scheme the document defines.
      expect(Boolean(op.security?.length)).toBe(spec.auth);
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement))
          expect(doc.components?.securitySchemes).toHaveProperty(scheme);
      }
    },
  );
}
