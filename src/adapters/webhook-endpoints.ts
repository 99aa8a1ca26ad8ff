import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';
import { Expressions } from './expressions.ts';

/**
 * A receiver as one account sends to it. Each account has its own breaker and rate for a URL, so no
 * account can hold back another's deliveries by failing or flooding a URL they both use.
 */
export interface Endpoint {
  owner: string;
  url: string;
}

/**
 * One row per account and webhook URL (keyed by their SHA-256, so no URL is stored) in the
 * WebhookEndpoints table:
 * `failures` in a row and, from the breaker's threshold on, `open_until` (when a probe may go) and
 * `probe_until` (a probe in flight); `tat`, the URL's send-rate bucket as in domain/plan.ts. Every
 * change is one conditional write; rows of URLs left alone expire after a week.
 */
interface EndpointRow {
  endpoint: string;
  failures?: number;
  open_until?: number;
  probe_until?: number;
  tat?: number;
}

export interface SendLimits {
  now: number;
  /** Consecutive failures from which the circuit is open. */
  threshold: number;
  /** The rate bucket (domain/plan.ts `bucket`). */
  intervalMs: number;
  latestAdmittedTat: number;
  /** How long a probe holds the half-open circuit. */
  probeLeaseMs: number;
}

export type SendAdmission =
  | { admitted: true; probe: boolean; failures: number }
  | { admitted: false; reason: 'circuit' | 'rate'; waitMs: number };

const WEEK_S = 7 * 24 * 60 * 60;
const PROBE_RECHECK_MS = 5_000;

const keyOf = ({ owner, url }: Endpoint) => createHash('sha256').update(`${owner}\n${url}`).digest('hex');
const ttlFrom = (now: number) => Math.floor(now / 1000) + WEEK_S;

const update = async (endpoint: Endpoint, x: Expressions, updateExpression: string, condition?: string) => {
  const result = await getDocumentClient().send(
    new UpdateCommand({
      TableName: getConfig().WEBHOOK_ENDPOINTS_TABLE,
      Key: { endpoint: keyOf(endpoint) },
      UpdateExpression: updateExpression,
      ...(condition ? { ConditionExpression: condition } : {}),
      ReturnValues: 'ALL_NEW',
      ...x.attributes(),
    }),
  );
  return result.Attributes as EndpointRow;
};

/** `update` that answers undefined instead of throwing when its condition fails. */
const updateIf = (endpoint: Endpoint, x: Expressions, updateExpression: string, condition: string) =>
  update(endpoint, x, updateExpression, condition).catch((err: unknown) => {
    if (isConditionalCheckFailure(err)) return undefined;
    throw err;
  });

/**
 * Lets one send to `endpoint` go, or says how long to wait: while the circuit is closed, one token of the
 * URL's rate bucket (idle bucket first, then in use, as the accounts' buckets); once it is open, a
 * single probe after `open_until`, and nothing while that probe is out.
 */
export const admitSend = async (endpoint: Endpoint, limits: SendLimits): Promise<SendAdmission> => {
  const { now } = limits;
  for (const idle of [true, false]) {
    const x = new Expressions();
    const failures = x.name('failures');
    const tat = x.name('tat');
    const closed = `(attribute_not_exists(${failures}) OR ${failures} < ${x.value(limits.threshold)})`;
    const bucket = idle
      ? `(attribute_not_exists(${tat}) OR ${tat} < ${x.value(now)})`
      : `${tat} BETWEEN ${x.value(now)} AND ${x.value(limits.latestAdmittedTat)}`;
    const next = idle ? x.value(now + limits.intervalMs) : `${tat} + ${x.value(limits.intervalMs)}`;
    const row = await updateIf(
      endpoint,
      x,
      `SET ${tat} = ${next}, ${x.name('ttl')} = ${x.value(ttlFrom(now))}`,
      `${closed} AND ${bucket}`,
    );
    if (row) return { admitted: true, probe: false, failures: row.failures ?? 0 };
  }
  const seen = (
    await getDocumentClient().send(
      new GetCommand({
        TableName: getConfig().WEBHOOK_ENDPOINTS_TABLE,
        Key: { endpoint: keyOf(endpoint) },
        ConsistentRead: true,
      }),
    )
  ).Item as EndpointRow | undefined;
  const failures = seen?.failures ?? 0;
  if (failures < limits.threshold) {
    return {
      admitted: false,
      reason: 'rate',
      waitMs: Math.max(1, (seen?.tat ?? now) - limits.latestAdmittedTat),
    };
  }
  const openUntil = seen?.open_until ?? 0;
  const probeUntil = seen?.probe_until ?? 0;
  if (openUntil <= now && probeUntil <= now) {
    const x = new Expressions();
    const open = x.name('open_until');
    const probe = x.name('probe_until');
    const probing = await updateIf(
      endpoint,
      x,
      `SET ${probe} = ${x.value(now + limits.probeLeaseMs)}, ${x.name('ttl')} = ${x.value(ttlFrom(now))}`,
      [
        `${x.name('failures')} >= ${x.value(limits.threshold)}`,
        `(attribute_not_exists(${open}) OR ${open} <= ${x.value(now)})`,
        `(attribute_not_exists(${probe}) OR ${probe} <= ${x.value(now)})`,
      ].join(' AND '),
    );
    if (probing) return { admitted: true, probe: true, failures };
  }
  // A probe in flight usually ends within a send's timeout: look again soon rather than at its lease's end.
  const waitMs = openUntil > now ? openUntil - now : Math.min(PROBE_RECHECK_MS, probeUntil - now);
  return { admitted: false, reason: 'circuit', waitMs: Math.max(1_000, waitMs) };
};

/**
 * Records how a send to `endpoint` went: a success closes the circuit; a failure counts one more in a
 * row and, once at the threshold, keeps the circuit open until `reopenAt`. Either ends a probe.
 */
export const recordSendOutcome = async (
  endpoint: Endpoint,
  outcome: { failed: boolean; now: number; reopenAt: number },
): Promise<void> => {
  const x = new Expressions();
  const failures = x.name('failures');
  const ttl = `${x.name('ttl')} = ${x.value(ttlFrom(outcome.now))}`;
  const expression = outcome.failed
    ? `SET ${failures} = if_not_exists(${failures}, ${x.value(0)}) + ${x.value(1)}, ${x.name('open_until')} = ${x.value(outcome.reopenAt)}, ${ttl} REMOVE ${x.name('probe_until')}`
    : `SET ${failures} = ${x.value(0)}, ${ttl} REMOVE ${x.name('open_until')}, ${x.name('probe_until')}`;
  await update(endpoint, x, expression);
};
