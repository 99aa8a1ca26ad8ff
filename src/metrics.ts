import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics as Embedded Metric Format lines (Powertools Metrics): each event is written at
 * once as a line of its own with its dimensions, so concurrent requests of one process never mix
 * theirs. Locally the lines appear in the log; PODPDF_LOG_LEVEL=silent leaves them out too.
 */
let metrics: Metrics | undefined;

const emf = (): Metrics | undefined => {
  if (process.env.PODPDF_LOG_LEVEL === 'silent') return undefined;
  metrics ??= new Metrics({
    namespace: 'podpdf',
    serviceName: 'podpdf',
    defaultDimensions: { stage: process.env.PODPDF_STAGE ?? 'local' },
  });
  return metrics;
};

/** The metrics podpdf emits, and their units. */
const UNITS = {
  Requests: MetricUnit.Count,
  RenderTime: MetricUnit.Milliseconds,
  Pages: MetricUnit.Count,
  QueueLag: MetricUnit.Milliseconds,
  JobOutcomes: MetricUnit.Count,
  WebhookAttempts: MetricUnit.Count,
  WebhookDeferrals: MetricUnit.Count,
  Refusals: MetricUnit.Count,
  /** Jobs the sweeper requeued or gave up on (dimension `outcome`). */
  SweptJobs: MetricUnit.Count,
} as const;

export type MetricName = keyof typeof UNITS;

/** Emits one value of `name` with `dimensions` (a few low-cardinality strings: never ids). */
export const metric = (name: MetricName, value: number, dimensions: Record<string, string> = {}): void => {
  const single = emf()?.singleMetric();
  if (!single) return;
  for (const [dimension, text] of Object.entries(dimensions)) single.addDimension(dimension, text);
  single.addMetric(name, UNITS[name], value);
};
