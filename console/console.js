// podpdf console: plain browser JavaScript, no framework, nothing loaded from another origin. It calls
// the API of the origin that served it (GET /jobs, POST /quickjob, POST /longjob, DELETE /jobs/{id})
// with the API key kept in sessionStorage and sent as `Authorization: Bearer`, never in a URL.

const KEY_STORAGE = 'podpdf.apiKey';
/** estimated_completion of the long jobs submitted from this tab, by job id (the job view has none). */
const ESTIMATES_STORAGE = 'podpdf.estimates';
/** Polling of GET /jobs: every 3 s while jobs change, backing off to 30 s while nothing does. */
const POLL_FIRST_MS = 3000;
const POLL_MAX_MS = 30000;
const POLL_BACKOFF = 1.5;

const $ = (id) => document.getElementById(id);

// ---------- starter templates ----------

const TEMPLATES = {
  invoice: `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Invoice INV-2041</title>
<style>
  body { font: 11pt/1.45 sans-serif; color: #222; margin: 0; }
  header { display: flex; justify-content: space-between; border-bottom: 3px solid #1f5fbf; padding-bottom: 12px; }
  h1 { color: #1f5fbf; margin: 0; font-size: 26pt; }
  table { width: 100%; border-collapse: collapse; margin-top: 24px; }
  th, td { padding: 8px; border-bottom: 1px solid #ddd; text-align: left; }
  td.n, th.n { text-align: right; }
  tfoot td { font-weight: bold; border-top: 2px solid #222; }
</style>
</head>
<body>
<header>
  <div><h1>Invoice</h1><p>INV-2041 · issued 1 December 2026 · due 31 December 2026</p></div>
  <div><strong>Northwind Print Co.</strong><br>12 Harbour Road<br>Bristol BS1 4QA</div>
</header>
<p><strong>Bill to:</strong> Contoso Ltd, 400 Market Street, Leeds LS1 2AB</p>
<table>
  <thead><tr><th>Item</th><th class="n">Qty</th><th class="n">Unit</th><th class="n">Amount</th></tr></thead>
  <tbody>
    <tr><td>Brochure design</td><td class="n">1</td><td class="n">£850.00</td><td class="n">£850.00</td></tr>
    <tr><td>Printing, A4 gloss</td><td class="n">500</td><td class="n">£0.90</td><td class="n">£450.00</td></tr>
    <tr><td>Delivery</td><td class="n">1</td><td class="n">£35.00</td><td class="n">£35.00</td></tr>
  </tbody>
  <tfoot><tr><td colspan="3">Total due</td><td class="n">£1,335.00</td></tr></tfoot>
</table>
<p>Thank you for your business. Pay by bank transfer to sort code 12-34-56, account 87654321.</p>
</body>
</html>
`,
  report: `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Quarterly report</title>
<style>
  body { font: 11pt/1.5 serif; color: #222; margin: 0; }
  h1 { font: bold 24pt sans-serif; color: #1d6b35; }
  h2 { font: bold 15pt sans-serif; border-bottom: 1px solid #9fd5b0; page-break-after: avoid; }
  section { page-break-after: always; }
  section:last-child { page-break-after: auto; }
  .bar { height: 14px; background: #1d6b35; margin: 4px 0 10px; }
  .w62 { width: 62%; } .w78 { width: 78%; } .w91 { width: 91%; }
</style>
</head>
<body>
<section>
  <h1>Quarterly report, Q4 2026</h1>
  <p>Orders grew for the third quarter running, led by the print-on-demand line.</p>
  <h2>Summary</h2>
  <ul><li>Revenue: £1.24 m (+14 %)</li><li>New customers: 312</li><li>Median delivery: 2.1 days</li></ul>
</section>
<section>
  <h2>Revenue by quarter</h2>
  <p>Q2</p><div class="bar w62"></div>
  <p>Q3</p><div class="bar w78"></div>
  <p>Q4</p><div class="bar w91"></div>
  <h2>Outlook</h2>
  <p>We expect steady growth in the first quarter and will open a second print site in March.</p>
</section>
</body>
</html>
`,
  blank: `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Untitled</title></head>
<body>
<h1>Hello from podpdf</h1>
</body>
</html>
`,
};

// ---------- the API key ----------

const apiKey = () => sessionStorage.getItem(KEY_STORAGE) ?? '';

const setupKey = () => {
  const input = $('api-key');
  input.value = apiKey();
  input.addEventListener('input', () => {
    const key = input.value.trim();
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  });
  input.addEventListener('change', () => {
    if (location.hash === '#jobs') refreshJobs({ restart: true });
  });
  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    input.value = '';
    input.focus();
  });
};

/** fetch with the key; a missing key is refused here, before any request. */
const api = async (method, path, body) => {
  const key = apiKey();
  if (!key) throw new Error('Enter your API key first.');
  const headers = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    // The key is never remembered by the browser: no cookies, no cache of answers.
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(await errorText(response));
  return response;
};

/** The API's own message (`{ error: { message } }`), or the gateway's (`{ message }`). */
const errorText = async (response) => {
  try {
    const body = await response.json();
    const message = body?.error?.message ?? body?.message;
    if (message) return `${message} (${response.status}${body?.error?.code ? ` ${body.error.code}` : ''})`;
  } catch {
    // not JSON: fall through
  }
  return `The request failed with status ${response.status}.`;
};

// ---------- the options form, generated from the render options' JSON Schema ----------

/** Shown first and always; every other option the schema describes simply goes under "More options". */
const MAIN_OPTIONS = ['format', 'landscape', 'margin', 'scale', 'printBackground'];

const LABELS = {
  format: 'Paper format',
  landscape: 'Landscape',
  margin: 'Margins',
  scale: 'Scale',
  printBackground: 'Print backgrounds',
  preferCSSPageSize: 'Prefer CSS @page size',
  tagged: 'Tagged (accessible) PDF',
  pageRanges: 'Page ranges',
  displayHeaderFooter: 'Header and footer',
  headerTemplate: 'Header template',
  footerTemplate: 'Footer template',
  waitUntil: 'Wait until',
  waitForSelector: 'Wait for selector',
  waitForExpression: 'Wait for expression',
  waitDelay: 'Wait delay (ms)',
  emulatedMediaType: 'CSS media type',
  failOnConsoleExceptions: 'Fail on script errors',
  failOnResourceLoadingFailed: 'Fail on failed loads',
  omitBackground: 'Transparent background',
  outline: 'Outline from headings',
  filename: 'Download file name',
  width: 'Paper width',
  height: 'Paper height',
};

const labelOf = (name) =>
  LABELS[name] ?? name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

/** One control per property: how to build it and how to read its value back (undefined = not sent). */
const controls = [];

const element = (tag, attributes = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child);
  return node;
};

/** A field for a scalar schema (enum, boolean, number/integer, string), or undefined when it has none. */
const scalarField = (id, label, schema) => {
  if (Array.isArray(schema.enum)) {
    const select = element('select', { id });
    if (schema.default === undefined) select.append(element('option', { value: '', text: '(default)' }));
    for (const value of schema.enum) {
      select.append(element('option', { value, text: value, selected: value === schema.default }));
    }
    const read = () => (select.value === '' || select.value === schema.default ? undefined : select.value);
    return {
      node: element('div', { class: 'field' }, [element('label', { for: id, text: label }), select]),
      read,
    };
  }
  if (schema.type === 'boolean') {
    const input = element('input', { id, type: 'checkbox', checked: schema.default === true });
    const read = () => (input.checked === (schema.default === true) ? undefined : input.checked);
    return {
      node: element('div', { class: 'field check' }, [input, element('label', { for: id, text: label })]),
      read,
    };
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const input = element('input', {
      id,
      type: 'number',
      min: schema.minimum,
      max: schema.maximum,
      step: schema.type === 'integer' ? 1 : 'any',
      value: schema.default,
      inputmode: 'decimal',
    });
    const read = () => {
      if (input.value === '') return undefined;
      const value = Number(input.value);
      return value === schema.default ? undefined : value;
    };
    return {
      node: element('div', { class: 'field' }, [element('label', { for: id, text: label }), input]),
      read,
    };
  }
  if (schema.type === 'string') {
    const input = element('input', {
      id,
      type: 'text',
      value: schema.default,
      pattern: schema.pattern,
      maxlength: schema.maxLength,
      spellcheck: 'false',
    });
    const read = () => (input.value === '' || input.value === schema.default ? undefined : input.value);
    return {
      node: element('div', { class: 'field' }, [element('label', { for: id, text: label }), input]),
      read,
    };
  }
  return undefined;
};

/** A field for one property: scalars, or an object of scalars as a fieldset (margins). */
const field = (name, schema) => {
  const id = `opt-${name}`;
  if (schema.type === 'object' && schema.properties) {
    const parts = Object.entries(schema.properties)
      .map(([part, partSchema]) => [part, scalarField(`${id}-${part}`, labelOf(part), partSchema)])
      .filter(([, built]) => built);
    if (parts.length === 0) return undefined;
    const node = element('fieldset', {}, [
      element('legend', { text: labelOf(name) }),
      ...parts.map(([, b]) => b.node),
    ]);
    const read = () => {
      const values = Object.fromEntries(
        parts.map(([part, built]) => [part, built.read()]).filter(([, v]) => v !== undefined),
      );
      return Object.keys(values).length === 0 ? undefined : values;
    };
    return { node, read };
  }
  return scalarField(id, labelOf(name), schema);
};

const buildOptionsForm = async () => {
  const container = $('options');
  try {
    const response = await fetch('/console/render-options.schema.json', { cache: 'no-cache' });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const schema = await response.json();
    const properties = schema.properties ?? {};
    const more = element('div');
    for (const name of [
      ...MAIN_OPTIONS,
      ...Object.keys(properties).filter((n) => !MAIN_OPTIONS.includes(n)),
    ]) {
      const propertySchema = properties[name];
      if (!propertySchema) continue;
      const built = field(name, propertySchema);
      if (!built) continue;
      controls.push({ name, read: built.read });
      (MAIN_OPTIONS.includes(name) ? container : more).append(built.node);
    }
    container.append(element('details', {}, [element('summary', { text: 'More options' }), more]));
    $('options-loading').remove();
  } catch (err) {
    $('options-loading').textContent =
      `The options could not be loaded (${err.message}): renders use the defaults.`;
  }
};

/** The options that differ from their defaults: what the request sends. */
const readOptions = () =>
  Object.fromEntries(
    controls.map(({ name, read }) => [name, read()]).filter(([, value]) => value !== undefined),
  );

// ---------- rendering ----------

let pdfUrl;

const showRenderError = (message) => {
  const node = $('render-error');
  node.textContent = message;
  node.hidden = !message;
};

const busy = (on) => {
  $('render').disabled = on;
  $('render-long').disabled = on;
};

const formatBytes = (bytes) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1048576).toFixed(2)} MB`;

const request = () => ({ input_type: 'html', html: $('html').value, options: readOptions() });

const renderQuick = async () => {
  showRenderError('');
  busy(true);
  $('render-status').textContent = 'Rendering…';
  try {
    const response = await api('POST', '/quickjob', request());
    const blob = await response.blob();
    const pages = Number(response.headers.get('x-pdf-pages'));
    const truncated = response.headers.get('x-pdf-truncated') === 'true';
    const jobId = response.headers.get('x-job-id') ?? '';
    if (pdfUrl) URL.revokeObjectURL(pdfUrl);
    pdfUrl = URL.createObjectURL(blob);
    $('pdf-summary').textContent =
      `Rendered ${pages} ${pages === 1 ? 'page' : 'pages'}${truncated ? ' (cut to 100)' : ''}, ${formatBytes(blob.size)}`;
    const link = $('pdf-link');
    link.href = pdfUrl;
    link.download = `${jobId || 'podpdf'}.pdf`;
    link.hidden = false;
    // A browser without a PDF viewer (headless Chromium among them) would show an empty frame.
    const frame = $('pdf-frame');
    frame.hidden = navigator.pdfViewerEnabled === false;
    if (frame.hidden) frame.removeAttribute('src');
    else frame.src = pdfUrl;
    $('pdf-no-viewer').hidden = !frame.hidden;
    $('render-status').textContent = `Done: job ${jobId}.`;
  } catch (err) {
    $('render-status').textContent = '';
    showRenderError(err.message);
  } finally {
    busy(false);
  }
};

const estimates = () => {
  try {
    return JSON.parse(sessionStorage.getItem(ESTIMATES_STORAGE) ?? '{}');
  } catch {
    return {};
  }
};

const renderLong = async () => {
  showRenderError('');
  busy(true);
  $('render-status').textContent = 'Submitting…';
  try {
    const response = await api('POST', '/longjob', request());
    const job = await response.json();
    if (job.estimated_completion) {
      sessionStorage.setItem(
        ESTIMATES_STORAGE,
        JSON.stringify({ ...estimates(), [job.job_id]: job.estimated_completion }),
      );
    }
    $('render-status').textContent = `Long job ${job.job_id} is ${job.status}.`;
    location.hash = '#jobs';
    refreshJobs({ restart: true });
  } catch (err) {
    $('render-status').textContent = '';
    showRenderError(err.message);
  } finally {
    busy(false);
  }
};

// ---------- the jobs page ----------

let pollTimer;
let pollDelay = POLL_FIRST_MS;
let lastFingerprint = '';
let inFlight = false;

/** What a poll compares: the jobs without their presigned URLs, which are new in every answer. */
const fingerprint = (body) =>
  JSON.stringify([body.active_count, body.jobs.map(({ s3_url, s3_url_expires_at, ...job }) => job)]);

const remainingText = (job) => {
  if (job.status !== 'queued' && job.status !== 'processing') return '';
  const estimate = estimates()[job.job_id];
  if (!estimate) return '';
  const seconds = Math.round((Date.parse(estimate) - Date.now()) / 1000);
  // Far past its estimate the guess says nothing: no hint rather than a wrong one.
  if (seconds < -60) return '';
  return seconds <= 0 ? 'any moment now' : `~${seconds} s remaining`;
};

const detailsText = (job) => {
  if (job.status === 'completed')
    return `${job.pages} ${job.pages === 1 ? 'page' : 'pages'}${job.truncated ? ' (cut to 100)' : ''}`;
  if (job.error_message) return job.error_message;
  return remainingText(job) || (job.status === 'processing' ? 'rendering' : '');
};

const jobRow = (job) => {
  const chips = [element('span', { class: `chip chip-${job.status}`, text: job.status })];
  if (job.test) chips.push(element('span', { class: 'chip chip-sandbox', text: 'sandbox' }));
  if (job.file_expired) chips.push(element('span', { class: 'chip chip-cancelled', text: 'expired' }));
  const shortId = job.job_id.slice(0, 8);
  const actions = element('div', { class: 'actions' });
  if (job.status === 'completed' && job.s3_url) {
    // A presigned link needs no key: the browser downloads it itself (no fetch, so the CSP allows it).
    actions.append(
      element('a', {
        class: 'button',
        href: job.s3_url,
        target: '_blank',
        rel: 'noopener noreferrer',
        'aria-label': `Download the PDF of job ${shortId}`,
        text: 'Download',
      }),
    );
  } else if (job.job_type === 'long') {
    actions.append(
      element('button', {
        type: 'button',
        disabled: true,
        'aria-label': `Download job ${shortId} (not ready)`,
        text: 'Download',
      }),
    );
  }
  if (job.status === 'queued' && job.job_type === 'long') {
    const cancel = element('button', {
      type: 'button',
      'aria-label': `Cancel job ${shortId}`,
      text: 'Cancel',
    });
    cancel.addEventListener('click', () => cancelJob(job.job_id, cancel));
    actions.append(cancel);
  }
  return element('tr', { 'data-job-id': job.job_id, 'data-status': job.status }, [
    element('td', { text: new Date(job.created_at).toLocaleString() }),
    element('td', {}, [element('code', { title: job.job_id, text: shortId })]),
    element('td', { text: job.job_type }),
    element('td', {}, chips),
    element('td', { class: 'details', text: detailsText(job) }),
    element('td', {}, [actions]),
  ]);
};

const cancelJob = async (jobId, button) => {
  button.disabled = true;
  try {
    await api('DELETE', `/jobs/${encodeURIComponent(jobId)}`);
  } catch (err) {
    showJobsError(err.message);
  }
  refreshJobs({ restart: true });
};

const showJobsError = (message) => {
  const node = $('jobs-error');
  node.textContent = message;
  node.hidden = !message;
};

const schedule = () => {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(() => refreshJobs(), pollDelay);
};

/**
 * Loads GET /jobs and draws it. While jobs are active it polls again: after 3 s when something
 * changed, half as often again each time nothing did (up to 30 s), and not at all once
 * `active_count` is 0. `restart` starts over from 3 s (a job was just submitted or cancelled).
 */
const refreshJobs = async ({ restart = false } = {}) => {
  if (restart) {
    pollDelay = POLL_FIRST_MS;
    lastFingerprint = '';
  }
  clearTimeout(pollTimer);
  if (!apiKey()) {
    $('poll-status').textContent = 'Enter your API key to see your jobs.';
    return;
  }
  if (inFlight) return;
  inFlight = true;
  try {
    const response = await api('GET', '/jobs?limit=20');
    const body = await response.json();
    showJobsError('');
    $('jobs-body').replaceChildren(...body.jobs.map(jobRow));
    const print = fingerprint(body);
    pollDelay = print === lastFingerprint ? Math.min(pollDelay * POLL_BACKOFF, POLL_MAX_MS) : POLL_FIRST_MS;
    lastFingerprint = print;
    if (body.active_count > 0) {
      $('poll-status').textContent =
        `${body.active_count} active ${body.active_count === 1 ? 'job' : 'jobs'}: checking again in ${Math.round(pollDelay / 1000)} s.`;
      schedule();
    } else {
      $('poll-status').textContent = 'No active jobs: updates paused. Refresh to check again.';
    }
  } catch (err) {
    showJobsError(err.message);
    // A failed poll is retried on the backoff schedule, never in a tight loop.
    pollDelay = Math.min(pollDelay * POLL_BACKOFF, POLL_MAX_MS);
    $('poll-status').textContent = `Could not load the jobs: retrying in ${Math.round(pollDelay / 1000)} s.`;
    if (apiKey()) schedule();
  } finally {
    inFlight = false;
  }
};

// ---------- sections ----------

const showSection = () => {
  const jobs = location.hash === '#jobs';
  $('playground').hidden = jobs;
  $('jobs').hidden = !jobs;
  for (const [id, current] of [
    ['nav-playground', !jobs],
    ['nav-jobs', jobs],
  ]) {
    if (current) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  if (jobs) refreshJobs({ restart: true });
};

const start = () => {
  setupKey();
  const template = $('template');
  const load = () => {
    $('html').value = TEMPLATES[template.value] ?? '';
  };
  template.addEventListener('change', load);
  load();
  $('render').addEventListener('click', renderQuick);
  $('render-long').addEventListener('click', renderLong);
  $('refresh-jobs').addEventListener('click', () => refreshJobs({ restart: true }));
  window.addEventListener('hashchange', showSection);
  showSection();
  buildOptionsForm();
};

start();
