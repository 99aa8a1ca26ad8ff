import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { getDocumentClient } from '../../src/adapters/dynamodb.ts';
import { putIdempotencyRecord } from '../../src/adapters/idempotency-table.ts';
import { claimJob, getJob, insertJob } from '../../src/adapters/jobs-table.ts';
import { putInput } from '../../src/adapters/s3.ts';
import { requestHash } from '../../src/app/longjob-submit.ts';
import type { JobRecord } from '../../src/domain/job.ts';
import { jobTtl } from '../../src/domain/job.ts';
import { MAX_QUEUE_MESSAGE_BYTES } from '../../src/domain/limits.ts';
import { longjobRequestSchema } from '../../src/domain/render-request.ts';
import { parseWith } from '../../src/domain/validation.ts';
import { handler as processor } from '../../src/handlers/processor.ts';
import { getRenderCount } from '../../src/renderer/render.ts';
import { parsePdf, pdfInfo, pdfOutline } from '../helpers/pdf.ts';
import { pagedHtml, startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const QUEUE_VISIBILITY_S = 2;

describe('long jobs end to end', () => {
  let stack: TestStack;
  let secret: string;
  let receiver: WebhookReceiver;
  let s3: S3Client;
  let sqs: SQSClient;

  before(async () => {
    stack = await startTestStack({
      apiKeys: ['longjob-key-a', 'longjob-key-b'],
      queueVisibilityTimeoutSeconds: QUEUE_VISIBILITY_S,
      env: {
        PODPDF_WEBHOOK_RETRY_DELAYS_S: '1,1,1',
        PODPDF_WEBHOOK_TIMEOUT_MS: '2000',
        PODPDF_LEASE_MS: '1500',
      },
    });
    receiver = await startWebhookReceiver();
    const res = await stack.call('PUT', '/accounts/me/webhook', { body: { url: receiver.url } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { url: string; signing_secret: string };
    assert.equal(body.url, receiver.url);
    assert.match(body.signing_secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    secret = body.signing_secret;
    s3 = new S3Client({ region: 'us-east-1', endpoint: stack.emulators.awsEndpoint, forcePathStyle: true });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.emulators.awsEndpoint });
  });
  after(async () => {
    s3.destroy();
    sqs.destroy();
    await receiver.close();
    await stack.stop();
  });

  const submit = async (
    html: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const res = await stack.call('POST', '/longjob', {
      body: { input_type: 'html', html, ...extra },
      headers,
    });
    return { res, body: (await res.json()) as Record<string, unknown> };
  };
  const webhooksFor = (jobId: string) =>
    receiver.received.filter((w) => (JSON.parse(w.body) as { job_id: string }).job_id === jobId);
  const objects = async (prefix: string) =>
    (await s3.send(new ListObjectsV2Command({ Bucket: process.env.PDF_BUCKET, Prefix: prefix }))).Contents ??
    [];
  const pdfObjects = (jobId: string) => objects(`pdfs/${jobId}`);

  it('waits for late content before printing, and fails for good on a thrown exception when asked', async () => {
    const late = `<p>early</p><script>addEventListener('load', () => setTimeout(() => {
      document.body.insertAdjacentHTML('beforeend', '<p id="late">late content</p>'); }, 300));</script>`;
    const waited = await submit(late, { options: { waitForSelector: '#late' } });
    assert.equal(waited.res.status, 202);
    const done = await eventually(
      async () => webhooksFor(String(waited.body.job_id))[0],
      30_000,
      'the webhook',
    );
    const payload = JSON.parse(done.body) as { status: string; s3_url: string };
    assert.equal(payload.status, 'completed');
    const pdf = await parsePdf(new Uint8Array(await (await fetch(payload.s3_url)).arrayBuffer()));
    assert.match(pdf.pageTexts.join(' '), /late content/);

    const thrown = await submit('<p>x</p><script>throw new Error("broken page")</script>', {
      options: { failOnConsoleExceptions: true },
    });
    const failed = await eventually(
      async () => webhooksFor(String(thrown.body.job_id))[0],
      30_000,
      'the webhook',
    );
    const failure = JSON.parse(failed.body) as { status: string; error: { code: string } };
    assert.equal(failure.status, 'failed');
    assert.equal(failure.error.code, 'CONSOLE_EXCEPTION');
    const row = await getJob(String(thrown.body.job_id));
    assert.equal(row?.attempts, 1, 'failed for good on the first delivery, not retried');
  });

  it("answers the download of a job without a PDF with 409 JOB_NOT_READY, and another account's with 404", async () => {
    const quick = await stack.post('/quickjob', { input_type: 'html', html: '<p>inline</p>' });
    const quickId = quick.headers.get('x-job-id');
    await quick.arrayBuffer();
    const res = await stack.call('GET', `/jobs/${quickId}/download`);
    assert.equal(res.status, 409);
    const body = (await res.json()) as { error: { code: string; details: Record<string, unknown> } };
    assert.equal(body.error.code, 'JOB_NOT_READY');
    assert.equal(body.error.details.job_type, 'quick');
    const other = await stack.call('GET', `/jobs/${quickId}/download`, { apiKey: stack.apiKeys[1] });
    assert.equal(other.status, 404);
  });

  it('answers a dedupe submission of the same document with the earlier job', async () => {
    const html = `<p>dedupe ${Date.now()}</p>`;
    const first = await submit(html, { dedupe: true });
    assert.equal(first.res.status, 202);
    const second = await submit(html, { dedupe: true });
    assert.equal(second.res.status, 202);
    assert.equal(second.body.job_id, first.body.job_id);
    assert.equal(second.body.deduped_from, first.body.job_id);
    assert.equal(second.res.headers.get('idempotent-replayed'), null);
    const without = await submit(html);
    assert.notEqual(without.body.job_id, first.body.job_id, 'without dedupe, a new job');
    // Another account sending the same document never learns of, or gets, the first account's job.
    const other = await stack.call('POST', '/longjob', {
      apiKey: stack.apiKeys[1],
      body: { input_type: 'html', html, dedupe: true },
    });
    assert.equal(other.status, 202);
    const otherBody = (await other.json()) as Record<string, unknown>;
    assert.notEqual(otherBody.job_id, first.body.job_id);
    assert.equal(otherBody.deduped_from, undefined);
  });

  it('queues, renders, stores, signs the webhook and serves the job', async () => {
    const { res, body } = await submit(pagedHtml(3, 'Report page'));
    assert.equal(res.status, 202);
    assert.equal(body.status, 'queued');
    assert.equal(body.message, 'Job queued for processing');
    assert.ok(Date.parse(String(body.estimated_completion)) > Date.now() - 1000);
    const jobId = String(body.job_id);
    assert.equal(res.headers.get('location'), `/jobs/${jobId}`);

    const webhook = await eventually(async () => webhooksFor(jobId)[0], 30_000, 'the webhook');
    // The signature verifies with the account's secret; a tampered body does not.
    const verifier = new Webhook(secret);
    const headers = {
      'webhook-id': String(webhook.headers['webhook-id']),
      'webhook-timestamp': String(webhook.headers['webhook-timestamp']),
      'webhook-signature': String(webhook.headers['webhook-signature']),
    };
    const payload = verifier.verify(webhook.body, headers) as Record<string, unknown>;
    assert.throws(() => verifier.verify(webhook.body.replace('completed', 'failed'), headers));
    assert.equal(payload.job_id, jobId);
    assert.equal(payload.status, 'completed');
    assert.equal(payload.pages, 3);
    assert.equal(payload.truncated, false);
    assert.equal(payload.mode, 'html');
    assert.match(String(payload.s3_url), /X-Amz-Signature=/);
    assert.match(String(payload.s3_url), /X-Amz-Expires=3600/);
    assert.ok(Date.parse(String(payload.s3_url_expires_at)) - Date.now() > 3500 * 1000);

    const job = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as Record<string, unknown>;
    assert.equal(job.status, 'completed');
    assert.equal(job.job_type, 'long');
    assert.equal(job.pages, 3);
    assert.equal(job.file_expired, false);
    const download = await fetch(String(job.s3_url));
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-disposition'), `inline; filename="${jobId}.pdf"`);
    const pdf = await parsePdf(new Uint8Array(await download.arrayBuffer()));
    assert.deepEqual(pdf.pageTexts, ['Report page 1 of 3', 'Report page 2 of 3', 'Report page 3 of 3']);

    // GET /jobs/{id}/download redirects to a freshly presigned URL of the same PDF.
    const redirect = await stack.call('GET', `/jobs/${jobId}/download`, { headers: {} });
    assert.equal(redirect.status, 200, 'fetch follows the redirect to the PDF');
    assert.equal(redirect.redirected, true);
    assert.match(redirect.url, /X-Amz-Expires=3600/);
    assert.equal((await parsePdf(new Uint8Array(await redirect.arrayBuffer()))).pages, 3);

    const row = await eventually(async () => {
      const r = await getJob(jobId);
      return r?.webhook_delivered === undefined ? undefined : r;
    });
    assert.equal(row.webhook_delivered, true);
    assert.equal(row.webhook_retry_count, 0);
    assert.equal(row.webhook_retry_log?.length, 1);
    assert.equal(row.webhook_retry_log?.[0]?.status_code, 200);
    assert.equal(row.s3_key, `pdfs/${jobId}.pdf`);
    assert.equal(row.attempts, 1);
    assert.equal(row.active_owner, undefined);
    assert.equal((await pdfObjects(jobId)).length, 1);
    // The HTML travelled in the queue message, and is kept in S3 (a day) for a retry.
    assert.equal(row.input_key, `inputs/${jobId}.html`);
    assert.deepEqual(
      (await objects(`inputs/${jobId}`)).map((o) => o.Key),
      [`inputs/${jobId}.html`],
    );
    // The first delivery hands out the URL presigned at completion.
    assert.equal(payload.s3_url, row.s3_url);
    assert.equal(payload.s3_url_expires_at, row.s3_url_expires_at);
  });

  it('takes HTML too large for a queue message through S3', async () => {
    // A comment pads the document past MAX_QUEUE_MESSAGE_BYTES without changing what it renders.
    const html = pagedHtml(2, 'Large input page').replace(
      '<body>',
      `<body><!-- ${'padding '.repeat(40_000)} -->`,
    );
    assert.ok(Buffer.byteLength(html) > MAX_QUEUE_MESSAGE_BYTES);
    const { res, body } = await submit(html);
    assert.equal(res.status, 202);
    const jobId = String(body.job_id);
    const queued = await getJob(jobId);
    assert.equal(queued?.input_key, `inputs/${jobId}.html`);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: process.env.PDF_BUCKET, Key: `inputs/${jobId}.html` }),
    );
    assert.equal(await stored.Body?.transformToString('utf8'), html);

    const webhook = await eventually(async () => webhooksFor(jobId)[0], 30_000, 'the webhook');
    const payload = JSON.parse(webhook.body) as Record<string, unknown>;
    assert.equal(payload.status, 'completed');
    assert.equal(payload.pages, 2);
    const pdf = await parsePdf(new Uint8Array(await (await fetch(String(payload.s3_url))).arrayBuffer()));
    assert.deepEqual(pdf.pageTexts, ['Large input page 1 of 2', 'Large input page 2 of 2']);
  });

  it('retries a failing receiver on the schedule and logs every attempt', async () => {
    const flaky = await startWebhookReceiver((n) => (n <= 2 ? 500 : 200));
    try {
      const { body } = await submit('<p>flaky receiver</p>', { webhook_url: flaky.url });
      const jobId = String(body.job_id);
      const deliveries = await flaky.waitFor(3);
      assert.ok(deliveries.every((d) => d.headers['webhook-id'] === deliveries[0]?.headers['webhook-id']));
      const row = await eventually(async () => {
        const r = await getJob(jobId);
        return r?.webhook_delivered === undefined ? undefined : r;
      });
      assert.equal(row.webhook_delivered, true);
      assert.equal(row.webhook_retry_count, 2);
      assert.deepEqual(
        row.webhook_retry_log?.map((a) => [a.attempt, a.status_code]),
        [
          [1, 500],
          [2, 500],
          [3, 200],
        ],
      );
      assert.ok(
        deliveries[2] && deliveries[1] && deliveries[2].at - deliveries[1].at >= 800,
        'the retry waited its 1 s (±20%) in the queue',
      );
    } finally {
      await flaky.close();
    }
  });

  it('keeps the job completed and pollable when the receiver is down', async () => {
    const gone = await startWebhookReceiver();
    const deadUrl = gone.url;
    await gone.close();
    const { body } = await submit('<p>nobody listens</p>', { webhook_url: deadUrl });
    const jobId = String(body.job_id);
    const row = await eventually(async () => {
      const r = await getJob(jobId);
      return r?.webhook_delivered === undefined ? undefined : r;
    });
    assert.equal(row.status, 'completed');
    assert.equal(row.webhook_delivered, false);
    assert.equal(row.webhook_retry_count, 3);
    assert.equal(row.webhook_retry_log?.length, 4);
    assert.ok(
      row.webhook_retry_log?.every((a) => a.status_code === undefined && /ECONNREFUSED/.test(a.error ?? '')),
    );
    const job = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as Record<string, unknown>;
    assert.equal(job.status, 'completed');
    assert.equal(job.webhook_delivered, false);
    assert.match(String(job.s3_url), /X-Amz-Signature=/);
  });

  /** Edits a job row behind the API's back, to stage a crash or the passing of time. */
  const updateJobRow = (jobId: string, expression: string, values: Record<string, unknown>) =>
    getDocumentClient().send(
      new UpdateCommand({
        TableName: process.env.JOBS_TABLE,
        Key: { job_id: jobId },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
      }),
    );

  /** A queued job written the way POST /longjob writes it, without its message. */
  const queuedJob = async (html: string): Promise<JobRecord> => {
    const jobId = randomUUID();
    const owner = stack.accounts[0]?.user_id ?? '';
    const now = new Date();
    const job: JobRecord = {
      job_id: jobId,
      owner,
      active_owner: owner,
      job_type: 'long',
      status: 'queued',
      mode: 'html',
      options: {},
      input_key: await putInput(jobId, html),
      webhook_url: receiver.url,
      created_at: now.toISOString(),
      ttl: jobTtl(now),
    };
    await insertJob(job);
    return job;
  };
  const sqsEvent = (job: JobRecord, copies: number): SQSEvent => ({
    Records: Array.from({ length: copies }, () => ({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: JSON.stringify({ job_id: job.job_id, owner: job.owner }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: stack.queues.LongjobQueue?.arn ?? '',
      awsRegion: 'us-east-1',
    })),
  });
  const lambdaContext = { getRemainingTimeInMillis: () => 300_000 } as Context;
  /** Waits until the webhook queue holds no message, waiting or in flight. */
  const webhookQueueDrained = () =>
    eventually(
      async () => {
        const { Attributes: a = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.queues.WebhookQueue?.url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0
          ? true
          : undefined;
      },
      30_000,
      'the webhook queue to drain',
    );

  it('renders a message delivered five times, at once and again, exactly once', async () => {
    const job = await queuedJob('<p>delivered five times</p>');
    const rendersBefore = getRenderCount();
    const events = Array.from({ length: 5 }, () => sqsEvent(job, 1));
    const concurrent = await Promise.all(events.map((event) => processor(event, lambdaContext)));
    const batch = await processor(sqsEvent(job, 5), lambdaContext);
    assert.equal(getRenderCount() - rendersBefore, 1);
    // The winner's delivery is done; a duplicate that found it still processing asks for its own
    // message to come back, and no other.
    assert.ok(
      concurrent.some((r) => r.batchItemFailures.length === 0),
      'the delivery that rendered is done',
    );
    for (const [i, result] of concurrent.entries()) {
      const ids = result.batchItemFailures.map((f) => f.itemIdentifier);
      assert.ok(
        ids.every((id) => id === events[i]?.Records[0]?.messageId),
        `delivery ${i} names only its own message: ${ids.join(', ')}`,
      );
    }
    assert.deepEqual(batch.batchItemFailures, []);
    const row = await getJob(job.job_id);
    assert.equal(row?.status, 'completed');
    assert.equal(row?.attempts, 1);
    assert.equal((await pdfObjects(job.job_id)).length, 1);
    // Every hand-off is in the webhook queue once the calls above returned: once it is empty, the
    // receiver has all there will be.
    await webhookQueueDrained();
    assert.equal(webhooksFor(job.job_id).length, 1, 'one webhook');
  });

  it('re-claims the job of a worker that died mid-render once its lease runs out', async () => {
    const job = await queuedJob('<p>the first worker died</p>');
    // The dead worker: it claimed the job and will never finish or release it.
    assert.ok(await claimJob(job.job_id, 'dead-worker', Date.now(), 1_500));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.LongjobQueue?.url,
        MessageBody: JSON.stringify({ job_id: job.job_id, owner: job.owner }),
      }),
    );
    const row = await eventually(
      async () => {
        const r = await getJob(job.job_id);
        return r?.status === 'completed' ? r : undefined;
      },
      30_000,
      'the job to complete',
    );
    assert.equal(row.attempts, 2);
    assert.notEqual(row.lease_token, 'dead-worker');
    await eventually(async () => (webhooksFor(job.job_id).length === 1 ? true : undefined));
  });

  it('finishes a webhook a crash left unsent without rendering again', async () => {
    const job = await queuedJob('<p>crash after upload</p>');
    const [first] = (await processor(sqsEvent(job, 1), lambdaContext)).batchItemFailures;
    assert.equal(first, undefined);
    await eventually(async () => (webhooksFor(job.job_id).length === 1 ? true : undefined));
    // Simulate the crash: the PDF is stored and the job completed ten minutes ago, but the worker
    // died before handing the webhook off.
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    await updateJobRow(
      job.job_id,
      'SET webhook_lease_expires_at = :past, s3_url_expires_at = :expires REMOVE webhook_delivered, webhook_retry_log',
      { ':past': Date.now() - 1, ':expires': new Date(tenMinutesAgo + 3_600_000).toISOString() },
    );
    const rendersBefore = getRenderCount();
    await processor(sqsEvent(job, 1), lambdaContext);
    assert.equal(getRenderCount(), rendersBefore, 'no second render');
    await eventually(async () => (webhooksFor(job.job_id).length === 2 ? true : undefined));
    const row = await getJob(job.job_id);
    assert.equal(row?.webhook_delivered, true);
    assert.equal(row?.webhook_retry_log?.length, 1);
    // The late delivery hands out a URL signed now, good for a full hour, not the completion's.
    const late = JSON.parse(webhooksFor(job.job_id)[1]?.body ?? '{}') as Record<string, unknown>;
    assert.notEqual(late.s3_url_expires_at, row?.s3_url_expires_at);
    assert.match(String(late.s3_url), /X-Amz-Expires=3600/);
    assert.ok(Date.parse(String(late.s3_url_expires_at)) - Date.now() > 3500 * 1000);
  });

  it('answers an Idempotency-Key replay with the original job and a changed body with 409', async () => {
    const key = `order-${randomUUID()}`;
    const first = await submit('<p>idempotent</p>', {}, { 'idempotency-key': key });
    assert.equal(first.res.status, 202);
    const replay = await submit('<p>idempotent</p>', {}, { 'idempotency-key': key });
    assert.equal(replay.res.status, 202);
    assert.equal(replay.body.job_id, first.body.job_id);
    assert.equal(replay.res.headers.get('idempotent-replayed'), 'true');
    const conflict = await submit('<p>something else</p>', {}, { 'idempotency-key': key });
    assert.equal(conflict.res.status, 409);
    assert.equal((conflict.body.error as { code: string }).code, 'IDEMPOTENCY_CONFLICT');
    // Keys are per account: the other account may use the same key for its own job.
    const other = await stack.call('POST', '/longjob', {
      apiKey: 'longjob-key-b',
      body: { input_type: 'html', html: '<p>idempotent</p>' },
      headers: { 'idempotency-key': key },
    });
    assert.equal(other.status, 202);
    assert.notEqual(((await other.json()) as { job_id: string }).job_id, first.body.job_id);
  });

  it('answers 409 while the first request with a key is mid-flight, and takes over a dead one', async () => {
    const request = parseWith(longjobRequestSchema, { input_type: 'html', html: '<p>in flight</p>' });
    const owner = stack.accounts[0]?.user_id ?? '';
    const record = (key: string, ageMs: number) => ({
      idempotency_key: `${owner}#${key}`,
      job_id: randomUUID(), // a job row that was never written
      request_hash: requestHash(request),
      created_at: Date.now() - ageMs,
      ttl: Math.floor(Date.now() / 1000) + 3600,
    });
    const inFlight = `in-flight-${randomUUID()}`;
    await putIdempotencyRecord(record(inFlight, 0), 24 * 3600 * 1000);
    const busy = await submit('<p>in flight</p>', {}, { 'idempotency-key': inFlight });
    assert.equal(busy.res.status, 409);
    assert.equal((busy.body.error as { code: string }).code, 'IDEMPOTENCY_IN_PROGRESS');

    const abandoned = `abandoned-${randomUUID()}`;
    const dead = record(abandoned, 60_000);
    await putIdempotencyRecord(dead, 24 * 3600 * 1000);
    const retried = await submit('<p>in flight</p>', {}, { 'idempotency-key': abandoned });
    assert.equal(retried.res.status, 202);
    assert.notEqual(retried.body.job_id, dead.job_id);
    assert.equal((await getJob(String(retried.body.job_id)))?.job_type, 'long');
  });

  it("hides other accounts' jobs as not found", async () => {
    const { body } = await submit('<p>private</p>');
    const jobId = String(body.job_id);
    for (const [method, path] of [
      ['GET', `/jobs/${jobId}`],
      ['DELETE', `/jobs/${jobId}`],
      ['GET', `/jobs/${randomUUID()}`],
      ['GET', '/jobs/not-a-uuid'],
    ] as const) {
      const res = await stack.call(method, path, { apiKey: 'longjob-key-b' });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    }
  });

  it('says the file expired once the 24 h retention has passed', async () => {
    const job = await queuedJob('<p>old</p>');
    await processor(sqsEvent(job, 1), lambdaContext);
    await updateJobRow(job.job_id, 'SET completed_at = :old', {
      ':old': new Date(Date.now() - 25 * 3600 * 1000).toISOString(),
    });
    const view = (await (await stack.call('GET', `/jobs/${job.job_id}`)).json()) as Record<string, unknown>;
    assert.equal(view.status, 'completed');
    assert.equal(view.file_expired, true);
    assert.equal(view.s3_url, null);
    assert.equal(view.error_code, 'FILE_EXPIRED');
  });

  it('serves the PDF under its filename, with its metadata, outline and paper', async () => {
    const { res, body } = await submit(
      '<!DOCTYPE html><html lang="de"><title>Entwurf</title><h1>Rechnung</h1><h2>Posten</h2></html>',
      {
        options: {
          filename: 'Rechnung März – 東京',
          metadata: {
            title: 'Rechnung März – 東京',
            author: 'Zoë',
            creationDate: '2026-03-01T09:30:00+01:00',
          },
          outline: true,
          width: '148mm',
          height: '210mm',
        },
      },
    );
    assert.equal(res.status, 202);
    const jobId = String(body.job_id);
    const job = await eventually(async () => {
      const view = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as Record<string, unknown>;
      return view.status === 'completed' ? view : undefined;
    });
    const disposition = `inline; filename="Rechnung Marz _ __.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%80%93%20%E6%9D%B1%E4%BA%AC.pdf`;
    // Stored with the object, so every presigned URL (webhook, GET /jobs, re-signed later) serves it.
    const stored = await s3.send(
      new HeadObjectCommand({ Bucket: process.env.PDF_BUCKET, Key: `pdfs/${jobId}.pdf` }),
    );
    assert.equal(stored.ContentDisposition, disposition);
    const download = await fetch(String(job.s3_url));
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-disposition'), disposition);
    const bytes = new Uint8Array(await download.arrayBuffer());
    const info = await pdfInfo(bytes);
    assert.equal(info.Title, 'Rechnung März – 東京');
    assert.equal(info.Author, 'Zoë');
    assert.equal(info.CreationDate, "D:20260301093000+01'00'");
    assert.deepEqual(await pdfOutline(bytes), [
      { title: 'Rechnung', items: [{ title: 'Posten', items: [] }] },
    ]);
    // 148 × 210 mm at puppeteer's 3.78 px a mm: 419.6 × 595.4 points, which Chromium rounds up.
    assert.deepEqual((await parsePdf(bytes)).pageSizes[0], { width: 420, height: 596 });
  });

  it('validates the body exactly like /quickjob, plus webhook_url', async () => {
    const { res, body } = await submit('<p>x</p>', {
      webhook_url: 'ftp://example.com/x',
      options: { scale: 9 },
    });
    assert.equal(res.status, 400);
    const issues = (body.error as { details: { issues: Array<{ path: string }> } }).details.issues;
    assert.deepEqual(issues.map((i) => i.path).sort(), ['options.scale', 'webhook_url']);
  });

  it('retries a failed job under its id from the stored input; only its owner can, and only when failed', async () => {
    type View = Record<string, unknown> & { status: string; retry_count: number; updated_at: string };
    const view = async (jobId: string, apiKey?: string) =>
      (await (await stack.call('GET', `/jobs/${jobId}`, apiKey ? { apiKey } : {})).json()) as View;
    const retry = (jobId: string, apiKey?: string) =>
      stack.call('POST', `/jobs/${jobId}/retry`, apiKey ? { apiKey } : {});
    const errorOf = async (res: Response) =>
      ((await res.json()) as { error: { code: string; details: Record<string, unknown> | null } }).error;

    /** Fails a queued row as the dead-letter handler would, its failure webhook already delivered. */
    const failRow = (jobId: string) =>
      getDocumentClient().send(
        new UpdateCommand({
          TableName: process.env.JOBS_TABLE,
          Key: { job_id: jobId },
          UpdateExpression:
            'SET #s = :failed, error_code = :code, error_message = :message, completed_at = :at, webhook_delivered = :t REMOVE active_owner',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':code': 'PROCESSING_FAILED',
            ':message': 'gave up',
            ':at': new Date().toISOString(),
            ':t': true,
          },
        }),
      );
    // A job SQS gave up on (dead-lettered): its row failed, its input kept.
    const html = pagedHtml(2, 'Retried page');
    const dead = await queuedJob(html);
    await failRow(dead.job_id);
    const before = await view(dead.job_id);
    assert.equal(before.status, 'failed');

    // Account B cannot see or retry it: 404 exactly like GET.
    const foreign = await retry(dead.job_id, stack.apiKeys[1]);
    assert.equal(foreign.status, 404);
    assert.deepEqual(await errorOf(foreign), { code: 'NOT_FOUND', message: 'Job not found.', details: null });
    assert.equal((await view(dead.job_id)).status, 'failed');

    const res = await retry(dead.job_id);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('location'), `/jobs/${dead.job_id}`);
    const queued = (await res.json()) as View;
    assert.equal(queued.job_id, dead.job_id);
    assert.equal(queued.status, 'queued');
    assert.equal(queued.retry_count, 1);
    assert.equal(queued.error_code, null);
    assert.ok(queued.updated_at > before.updated_at);
    const again = await retry(dead.job_id);
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).code, 'JOB_NOT_RETRYABLE');

    const webhook = await eventually(async () => webhooksFor(dead.job_id)[0], 30_000, 'the webhook');
    const payload = JSON.parse(webhook.body) as { status: string; s3_url: string };
    assert.equal(payload.status, 'completed');
    const pdf = await parsePdf(new Uint8Array(await (await fetch(payload.s3_url)).arrayBuffer()));
    assert.deepEqual(pdf.pageTexts, ['Retried page 1 of 2', 'Retried page 2 of 2']);
    const done = await view(dead.job_id);
    assert.equal(done.status, 'completed');
    assert.equal(done.retry_count, 1);

    // Completed, quick, and input gone: 409 with the reason.
    const completed = await retry(dead.job_id);
    assert.equal(completed.status, 409);
    assert.deepEqual((await errorOf(completed)).details, {
      status: 'completed',
      job_type: 'long',
      reason: 'status',
    });
    const quick = await stack.post('/quickjob', { input_type: 'html', html: '<p>q</p>' });
    await quick.arrayBuffer();
    const quickRetry = await retry(quick.headers.get('x-job-id') ?? '');
    assert.equal(quickRetry.status, 409);
    assert.equal((await errorOf(quickRetry)).details?.reason, 'quick_job');
    const expired = await queuedJob('<p>expired</p>');
    await failRow(expired.job_id);
    await s3.send(new DeleteObjectCommand({ Bucket: process.env.PDF_BUCKET, Key: expired.input_key }));
    const gone = await retry(expired.job_id);
    assert.equal(gone.status, 409);
    assert.equal((await errorOf(gone)).details?.reason, 'input_expired');
  });

  it('retries a job that failed in the processor: it runs again and fails the same way', async () => {
    const thrown = await submit('<p>x</p><script>throw new Error("still broken")</script>', {
      options: { failOnConsoleExceptions: true },
    });
    const jobId = String(thrown.body.job_id);
    await eventually(async () => webhooksFor(jobId)[0], 30_000, 'the first webhook');
    await eventually(async () => ((await getJob(jobId))?.webhook_delivered === undefined ? undefined : true));
    const res = await stack.call('POST', `/jobs/${jobId}/retry`);
    assert.equal(res.status, 202);
    await eventually(async () => webhooksFor(jobId)[1], 30_000, 'the second webhook');
    const row = await getJob(jobId);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'CONSOLE_EXCEPTION');
    assert.equal(row?.retry_count, 1);
    assert.equal(row?.attempts, 2);
  });
});
