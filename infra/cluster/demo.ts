// A demo event, so that a fresh cluster has something to sell. Created through
// the API, as the admin, only when the database has no event at all.

const DEMO = {
  title: 'Demo Concert',
  description: 'A demo event created by the local cluster. Buy with the test card 4242 4242 4242 4242.',
  venue: 'Loopback Arena',
  currency: 'EUR',
  layout: {
    sections: [
      { name: 'Floor', rows: 10, seatsPerRow: 20, priceCents: 8900 },
      { name: 'Balcony', rows: 6, seatsPerRow: 25, priceCents: 4900 },
    ],
  },
};

export async function ensureDemoEvent(replicaUrl: string, admin: { email: string; password: string }) {
  const login = await fetch(`${replicaUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (login.status !== 200) throw new Error(`admin login failed (${login.status}): ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const existing = (await (await fetch(`${replicaUrl}/api/v1/admin/events`, { headers: auth })).json()) as {
    items: unknown[];
  };
  if (existing.items.length > 0) return undefined;
  const startsAt = new Date(Date.now() + 30 * 86400_000).toISOString();
  const created = await fetch(`${replicaUrl}/api/v1/admin/events`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ ...DEMO, startsAt }),
  });
  if (created.status !== 201)
    throw new Error(`demo event not created (${created.status}): ${await created.text()}`);
  return (await created.json()) as { id: string; title: string };
}
