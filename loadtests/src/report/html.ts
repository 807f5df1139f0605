// Text put into the HTML page is escaped here, once.
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Label/value rows (report/rows.ts) as the rows of a table, escaped. */
export const rowsHtml = (rows: [string, string][]) =>
  rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
