// Request validation. Bodies are checked strictly: unknown fields and wrong types
// are errors, never silently dropped or coerced ("10" is not a number). Query
// strings, params and headers are text by nature, so there types are coerced.
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import fp from 'fastify-plugin';

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...options,
  });
  addFormats.default(ajv);
  return ajv;
}

export default fp(
  async (app) => {
    const bodies = createAjv({ coerceTypes: false });
    const texts = createAjv({ coerceTypes: 'array' });
    app.setValidatorCompiler(({ schema, httpPart }) =>
      (httpPart === 'body' ? bodies : texts).compile(schema),
    );
  },
  { name: 'validation' },
);
