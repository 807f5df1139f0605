// PromQL checks with Prometheus' own grammar (@prometheus-io/lezer-promql, the parser
// of Prometheus' web UI): syntax errors, the metric names an expression selects and
// the label names it uses.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlAnalysis {
  errors: string[];
  metrics: string[];
  labels: string[];
}

// Grafana's macros and this dashboard's variable, replaced by what they expand to.
const GRAFANA_MACROS: [RegExp, string][] = [
  [/\$__rate_interval\b/g, '1m'],
  [/\$__interval\b/g, '15s'],
  [/\$__range\b/g, '1h'],
  [/\$instance\b/g, '.*'],
];

export function expandGrafanaMacros(expr: string): string {
  return GRAFANA_MACROS.reduce((text, [macro, value]) => text.replace(macro, value), expr);
}

export function analyse(expr: string): PromqlAnalysis {
  const tree = parser.parse(expr);
  const result: PromqlAnalysis = { errors: [], metrics: [], labels: [] };
  const text = (from: number, to: number) => expr.slice(from, to);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError)
      result.errors.push(`syntax error at ${cursor.from}: ${expr.slice(cursor.from, cursor.from + 20)}`);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node.getChild('Identifier');
      if (node) result.metrics.push(text(node.from, node.to));
    }
    if (cursor.name === 'LabelName') result.labels.push(text(cursor.from, cursor.to));
  } while (cursor.next());
  if (tree.topNode.name !== 'PromQL' || expr.trim() === '') result.errors.push('not a PromQL expression');
  return result;
}

/** Series names that a Prometheus exposition declares: histograms and summaries expand. */
export function exposedSeries(exposition: string): Map<string, string> {
  const series = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    series.set(name, type);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) series.set(name + s, type);
    if (type === 'summary') for (const s of ['_sum', '_count']) series.set(name + s, type);
  }
  return series;
}
