// The user-change feed (lib/user-change-feed.ts): subscriber connections to every
// Redis master, opened when the app starts and closed with it.
import fp from 'fastify-plugin';
import { createUserChangeFeed, type UserChangeFeed } from '../../lib/user-change-feed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    userChanges: UserChangeFeed;
  }
}

export default fp(
  async (app) => {
    const feed = createUserChangeFeed(app.redis, app.log);
    app.decorate('userChanges', feed);
    app.addHook('onClose', async () => {
      await feed.close();
    });
    // Authentication caches nothing until a subscription is up; waiting a moment
    // lets the first requests use the cache. One master is enough to start with.
    await feed.ready(2_000);
  },
  { name: 'user-changes', dependencies: ['config', 'redis'] },
);
