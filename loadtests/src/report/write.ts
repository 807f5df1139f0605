// Where a run's report goes: loadtests/results/ (or TICKETS_LOADTEST_RESULTS), as
// <scenario>-<start>.json and .html.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Report, resultsDir } from '../report.ts';
import { escapeHtml } from './html.ts';
import { html } from './page.ts';

export function writeReport(report: Report): { json: string; html: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\..*/, '');
  const base = join(resultsDir, `${report.scenario}-${stamp}`);
  // The JSON first: if the page cannot be drawn, the figures are still kept, and the page
  // says what failed instead.
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  try {
    writeFileSync(`${base}.html`, html(report));
  } catch (err) {
    writeFileSync(
      `${base}.html`,
      `<!doctype html><meta charset="utf-8"><title>${report.scenario}</title><p>The page could not be drawn (${escapeHtml(String((err as Error).message))}); the figures are in ${escapeHtml(base)}.json.</p>`,
    );
  }
  return { json: `${base}.json`, html: `${base}.html` };
}
