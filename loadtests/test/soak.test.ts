// What the soak samples from a replica's /metrics: one figure per metric, summed over
// its labels (e.g. the seat streams of several events).
import { describe, expect, it } from 'vitest';
import { metricValue } from '../src/soak/sampler.ts';

describe('metricValue', () => {
  const text = [
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 281329664',
    'process_resident_memory_bytes_total_not_this 5',
    'nodejs_heap_size_used_bytes 72794720',
    'tickets_sse_subscribers{event="a"} 3',
    'tickets_sse_subscribers{event="b"} 2',
  ].join('\n');

  it('when a metric is exposed, then its value is read, summed over its labels, and no longer name matches', () => {
    expect(metricValue(text, 'process_resident_memory_bytes')).toBe(281329664);
    expect(metricValue(text, 'nodejs_heap_size_used_bytes')).toBe(72794720);
    expect(metricValue(text, 'tickets_sse_subscribers')).toBe(5);
  });

  it('when a metric is missing or the replica did not answer, then there is no value', () => {
    expect(metricValue(text, 'tickets_missing')).toBeNull();
    expect(metricValue('', 'process_resident_memory_bytes')).toBeNull();
  });
});
