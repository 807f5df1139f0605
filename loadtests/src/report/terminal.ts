// The summary a run prints in the terminal once its report is written.
import { cpuLine } from '../cpu/profile.ts';
import { fmt, headline, type Report } from '../report.ts';
import { surgeRows } from '../surge/summary.ts';
import { faultRows, watchRows } from './rows.ts';

export function printSummary(report: Report): void {
  const rows: [string, string][] = [
    ['scenario', report.scenario],
    ['attempted', String(report.attempted)],
    ['ok / failed / indeterminate', `${report.ok} / ${report.failed} / ${report.indeterminate}`],
    ['oversold / lost / phantom', `${report.oversold} / ${report.lost} / ${report.phantom}`],
    ['throughput', headline(report)],
  ];
  if (report.purchasesPerSecond !== undefined)
    rows.push(['requests answered', `${fmt(report.throughput)} req/s`]);
  rows.push(
    ['latency p50 / p99', `${report.p50Ms} / ${report.p99Ms} ms`],
    [
      'reference',
      report.reference ? `${report.reference.name}: ${report.reference.value.toFixed(1)}/s` : 'none',
    ],
    ['ratio', report.ratio === null ? '-' : report.ratio.toFixed(3)],
  );
  if (report.watch) rows.push(...watchRows(report.watch));
  if (report.surge) rows.push(...surgeRows(report.surge));
  if (report.cpu) rows.push(['CPU (avg cores)', cpuLine(report.cpu)]);
  rows.push(
    ['generator CPU', report.generatorCpuPercent.map((c) => `${c.toFixed(0)}%`).join(', ')],
    ['limited by', report.limitedBy],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const f of report.faults ?? []) {
    console.log(`\n  ${f.fault}`);
    for (const [k, v] of faultRows(f)) console.log(`    ${k.padEnd(13)}  ${v}`);
  }
  if (report.check && !report.check.valid) {
    console.log('\n  INVARIANT VIOLATIONS:');
    for (const v of report.check.violations.slice(0, 20)) console.log(`   ${v.invariant} ${v.detail}`);
  }
  if (report.failures?.length) {
    console.log('\n  FAILURES:');
    for (const f of report.failures) console.log(`   ${f}`);
  }
}
