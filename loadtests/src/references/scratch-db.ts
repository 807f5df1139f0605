// A scratch database on the cluster's PostgreSQL for the references: a seat and
// a ticket table shaped like the product's purchase (conditional update plus a
// unique ticket), without the product's code.
import pg from 'pg';

export const REFERENCE_DB = 'loadtest_reference';
export const REFERENCE_SEATS = 1_000_000;

export async function prepareScratch(databaseUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [REFERENCE_DB]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${REFERENCE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${REFERENCE_DB}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await db.query(`
      DROP TABLE IF EXISTS ref_tickets; DROP TABLE IF EXISTS ref_seats;
      CREATE TABLE ref_seats (id int PRIMARY KEY, status text NOT NULL DEFAULT 'available');
      CREATE TABLE ref_tickets (seat_id int PRIMARY KEY, sold_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO ref_seats (id) SELECT generate_series(1, ${REFERENCE_SEATS});`);
    await db.query('VACUUM ANALYZE ref_seats');
  } finally {
    await db.end();
  }
  return url.toString();
}

export const PURCHASE_SQL = `\\set id random(1, ${REFERENCE_SEATS})
BEGIN;
UPDATE ref_seats SET status = 'sold' WHERE id = :id AND status = 'available';
INSERT INTO ref_tickets (seat_id) VALUES (:id) ON CONFLICT DO NOTHING;
COMMIT;
`;
