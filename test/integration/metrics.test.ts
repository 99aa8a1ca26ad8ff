import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { logged } from '../helpers/log-lines.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

/** The metrics of EMF lines: name → the lines' dimension values and the value. */
const emfMetrics = (lines: Record<string, unknown>[]) =>
  lines
    .filter((line) => line._aws !== undefined)
    .map((line) => {
      const aws = line._aws as {
        CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[];
      };
      const [directive] = aws.CloudWatchMetrics;
      const [definition] = directive?.Metrics ?? [];
      return { namespace: directive?.Namespace, name: definition?.Name, unit: definition?.Unit, line };
    });

describe('metrics', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ env: { PODPDF_LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await stack.stop();
  });

  it('writes CloudWatch EMF lines for requests, renders, pages and job outcomes', async () => {
    const lines = await logged(async () => {
      const res = await stack.post('/quickjob', {
        input_type: 'html',
        html: '<p>one</p><p style="break-before: page">two</p>',
      });
      await res.arrayBuffer();
      await (await stack.call('GET', '/jobs/00000000-0000-4000-8000-000000000000')).arrayBuffer();
    });
    const metrics = emfMetrics(lines);
    const find = (name: string, match: Record<string, unknown> = {}) =>
      metrics.find((m) => m.name === name && Object.entries(match).every(([k, v]) => m.line[k] === v));
    assert.equal(find('Requests', { route: 'POST /quickjob', status: '200' })?.namespace, 'podpdf');
    assert.ok(find('Requests', { route: 'GET /jobs/{job_id}', status: '404' }));
    const render = find('RenderTime', { job_type: 'quick' });
    assert.equal(render?.unit, 'Milliseconds');
    assert.ok(Number(render?.line.RenderTime) > 0);
    assert.equal(find('Pages', { job_type: 'quick' })?.line.Pages, 2);
    assert.ok(find('JobOutcomes', { job_type: 'quick', outcome: 'completed' }));
    for (const m of metrics) assert.equal(m.line.stage, 'local');
  });
});
