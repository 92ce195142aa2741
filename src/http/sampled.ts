import type { Metric, Registry } from 'prom-client';
import type { BucketCounts } from '../server/stats.js';

export type Labels = Record<string, string>;

/** One value of a metric, read from a counter or gauge the server or runtime keeps. */
export interface Sample {
  labels?: Labels;
  value: number;
}

interface SampledOptions {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Reads the current values at scrape time. */
  collect: () => Sample[] | Promise<Sample[]>;
}

/**
 * A metric whose values live elsewhere (plain fields the server or runtime increments in
 * place) and are read only when Prometheus scrapes. prom-client's own Counter would need a
 * call per event; this shape (name, help, type, get) is what its Registry formats, so the
 * text output, escaping and content type stay prom-client's.
 */
export function sampled(registry: Registry, options: SampledOptions): void {
  const { name, help, type } = options;
  register(registry, {
    name,
    help,
    type,
    async get() {
      const samples = await options.collect();
      return {
        name,
        help,
        type,
        aggregator: 'sum',
        values: samples.map((s) => ({ value: s.value, labels: s.labels ?? {} })),
      };
    },
  });
}

interface HistogramOptions {
  name: string;
  help: string;
  /** The histograms to report, each with its labels (one without labels: `[{ counts }]`). */
  collect: () => { labels?: Labels; counts: BucketCounts }[];
}

/** A Prometheus histogram read from {@link BucketCounts} (cumulative buckets, sum, count). */
export function sampledHistogram(registry: Registry, options: HistogramOptions): void {
  const { name, help } = options;
  register(registry, {
    name,
    help,
    type: 'histogram',
    get() {
      const values: {
        metricName: string;
        labels: Record<string, string | number>;
        value: number;
      }[] = [];
      for (const { labels = {}, counts } of options.collect()) {
        let cumulative = 0;
        counts.bounds.forEach((bound, i) => {
          cumulative += counts.counts[i]!;
          values.push({
            metricName: `${name}_bucket`,
            labels: { ...labels, le: bound },
            value: cumulative,
          });
        });
        values.push({
          metricName: `${name}_bucket`,
          labels: { ...labels, le: '+Inf' },
          value: counts.count,
        });
        values.push({ metricName: `${name}_sum`, labels, value: counts.sum });
        values.push({ metricName: `${name}_count`, labels, value: counts.count });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  });
}

function register(
  registry: Registry,
  metric: { name: string; help: string; type: string; get(): unknown },
): void {
  // The counts belong to the server or runtime; a registry reset must not touch them.
  const full = { ...metric, reset() {} };
  registry.registerMetric(full as unknown as Metric);
}
