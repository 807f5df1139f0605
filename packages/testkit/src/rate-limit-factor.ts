/**
 * TICKETS_RATE_LIMIT_FACTOR of every test app, replica and cluster (the global setup
 * exports it to the environment they inherit): the whole run comes from one address
 * and many tests buy as one user, so the production limits would throttle it.
 * Load tests need the same (README, "Load tests").
 */
export const TEST_RATE_LIMIT_FACTOR = '1000';
