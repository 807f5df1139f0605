// Creates the first admin from TICKETS_ADMIN_EMAIL / TICKETS_ADMIN_PASSWORD when
// the service becomes ready. Every replica does this; the insert is idempotent.
import fp from 'fastify-plugin';
import { ensureAdmin } from '../../domain/accounts/bootstrap-admin.ts';

export default fp(
  async (app) => {
    const { adminEmail, adminPassword } = app.config;
    if (!adminEmail || !adminPassword) return;
    app.addHook('onReady', async () => {
      const outcome = await ensureAdmin(app.domain, { email: adminEmail, password: adminPassword });
      if (outcome === 'conflict') {
        // Promoting an existing customer would hand admin rights to whoever
        // registered that email first; the operator must pick another address.
        app.log.error(
          { email: adminEmail },
          'TICKETS_ADMIN_EMAIL belongs to a customer; no admin was created',
        );
      } else {
        app.log.info({ email: adminEmail, outcome }, 'admin bootstrap');
      }
    });
  },
  { name: 'admin-bootstrap', dependencies: ['domain-context'] },
);
