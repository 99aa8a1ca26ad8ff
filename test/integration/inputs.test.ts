import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';
import { useHostResolver } from '../../src/net/address-policy.ts';
import { type LoopbackSite, PIXEL_PNG, startLoopbackSite } from '../helpers/loopback-site.ts';
import { parsePdf } from '../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { pollUntil } from '../helpers/tenants.ts';

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details: Record<string, unknown> } })
    .error;
const textOf = async (res: Response) =>
  (await parsePdf(new Uint8Array(await res.arrayBuffer()))).pageTexts.join(' ');

/**
 * URL and Markdown input on both endpoints. Loopback sites stand in for public hosts (this stack
 * allows private networks); the refusals of private hosts are in quickjob.test.ts, on a stack that
 * does not.
 */
describe('URL and Markdown input', () => {
  let stack: TestStack;
  let site: LoopbackSite;
  let thirdParty: LoopbackSite;
  /** The third party under a host name of its own (cookies are per host, whatever the port). */
  const thirdPartyUrl = (path: string) => thirdParty.url(path).replace('127.0.0.1', 'third-party.test');
  before(async () => {
    useHostResolver(async (host) =>
      host === 'third-party.test' ? [{ address: '127.0.0.1', family: 4 }] : lookup(host, { all: true }),
    );
    thirdParty = await startLoopbackSite((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PIXEL_PNG);
    });
    site = await startLoopbackSite((req, res) => {
      const page = (body: string, status = 200) =>
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      if (req.path === '/report')
        page(`<h1>Report for ${req.headers['user-agent']}</h1>
          <p>cookie: ${req.headers.cookie ?? 'none'}</p><p>auth: ${req.headers.authorization ?? 'none'}</p>
          <img src="${thirdPartyUrl('/pixel.png')}"><img src="/logo.png">`);
      else if (req.path === '/logo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL_PNG);
      else if (req.path === '/moved') res.writeHead(302, { location: '/report' }).end();
      else if (req.path === '/to-metadata')
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.path === '/gone') page('<h1>Custom not found page</h1>', 404);
      else page('<p>home</p>');
    });
    stack = await startTestStack({ env: { PODPDF_ALLOW_PRIVATE_NETWORK: 'true' } });
  });
  after(async () => {
    useHostResolver(undefined);
    await stack.stop();
    await site.close();
    await thirdParty.close();
  });

  it('prints the page at a URL with its headers, cookies and user agent, which reach its own origin only', async () => {
    const res = await stack.post('/quickjob', {
      input_type: 'url',
      url: site.url('/moved'),
      http_headers: { Authorization: 'Bearer for-the-site' },
      cookies: [{ name: 'session', value: 'abc123' }],
      user_agent: 'podpdf-test-agent',
    });
    assert.equal(res.status, 200, JSON.stringify(res.status === 200 ? '' : await errorOf(res)));
    const text = await textOf(res);
    assert.match(text, /Report for podpdf-test-agent/);
    assert.match(text, /cookie: session=abc123/);
    assert.match(text, /auth: Bearer for-the-site/);
    // The site's own image got the header; the third party's did not, nor the cookie.
    assert.equal(site.requestsTo('/logo.png')[0]?.headers.authorization, 'Bearer for-the-site');
    const third = thirdParty.requestsTo('/pixel.png')[0];
    assert.ok(third, 'the third-party image was loaded');
    assert.equal(third.headers.authorization, undefined);
    assert.equal(third.headers.cookie, undefined);
  });

  it('answers 422 SOURCE_HTTP_ERROR for an error status unless the request accepts it', async () => {
    const refused = await stack.post('/quickjob', { input_type: 'url', url: site.url('/gone') });
    assert.equal(refused.status, 422);
    const error = await errorOf(refused);
    assert.equal(error.code, 'SOURCE_HTTP_ERROR');
    assert.deepEqual(error.details, { status: 404, url: site.url('/gone') });
    assert.ok(refused.headers.get('x-job-id'), 'the failure is recorded as a job');

    const accepted = await stack.post('/quickjob', {
      input_type: 'url',
      url: site.url('/gone'),
      accept_statuses: [404],
    });
    assert.equal(accepted.status, 200);
    assert.match(await textOf(accepted), /Custom not found page/);
  });

  it('refuses a redirect into the metadata service at the hop, without connecting to it', async () => {
    const res = await stack.post('/quickjob', { input_type: 'url', url: site.url('/to-metadata') });
    assert.equal(res.status, 422);
    const error = await errorOf(res);
    assert.equal(error.code, 'SOURCE_UNREACHABLE');
    assert.equal(error.details.url, 'http://169.254.169.254/latest/meta-data/');
    assert.match(String(error.details.reason), /not a public address/);
  });

  it('renders Markdown with GitHub extensions and a default stylesheet, on both endpoints', async () => {
    const markdown =
      '# Quarterly report\n\n| Item | Amount |\n|---|---|\n| Widgets | 42 |\n\n- [x] shipped\n\n~~old~~ note[^1]\n\n[^1]: A footnote.\n\n<script>document.title = "ran"</script>';
    const quick = await stack.post('/quickjob', { input_type: 'markdown', markdown });
    assert.equal(quick.status, 200);
    const text = await textOf(quick);
    for (const expected of ['Quarterly report', 'Widgets', '42', 'shipped', 'old', 'A footnote.', '<script>'])
      assert.ok(text.includes(expected), `${expected} in: ${text}`);

    const submitted = await stack.post('/longjob', {
      input_type: 'markdown',
      markdown: '# From a long job',
      css: 'h1 { color: #c00 }',
    });
    assert.equal(submitted.status, 202);
    const { job_id: jobId } = (await submitted.json()) as { job_id: string };
    const job = await pollUntil(
      async () => {
        const view = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as {
          status: string;
          s3_url?: string;
          mode: string;
        };
        return view.status === 'completed' || view.status === 'failed' ? view : undefined;
      },
      30_000,
      'the long job',
    );
    assert.equal(job.status, 'completed');
    assert.equal(job.mode, 'markdown');
    assert.match(await textOf(await fetch(String(job.s3_url))), /From a long job/);
  });

  it('renders a URL as a long job; headers and cookies travel in the message, not the job row', async () => {
    const submitted = await stack.post('/longjob', {
      input_type: 'url',
      url: site.url('/report'),
      http_headers: { Authorization: 'Bearer long-job-secret' },
    });
    assert.equal(submitted.status, 202);
    const { job_id: jobId } = (await submitted.json()) as { job_id: string };
    const job = await pollUntil(
      async () => {
        const view = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as Record<string, unknown>;
        return view.status === 'completed' || view.status === 'failed' ? view : undefined;
      },
      30_000,
      'the long job',
    );
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.mode, 'url');
    assert.match(await textOf(await fetch(String(job.s3_url))), /auth: Bearer long-job-secret/);
    const { getJob } = await import('../../src/adapters/jobs-table.ts');
    assert.doesNotMatch(JSON.stringify(await getJob(jobId)), /long-job-secret/);
  });
});
