// Browser tests of the web console: Playwright (playwright-core) drives Debian's Chromium headless
// against a real `appconnect serve` and the Salesforce sandbox, both started here on loopback ports.
//   node tests/browser/run.mjs --build <build dir> [--only a,b,c,d] [--keep]
// Exit 0 when every scenario passed; 1 otherwise, including when Chromium or node_modules is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const build = resolve(arg('--build', join(root, 'build')));
const only = (arg('--only', 'a,b,c,d,e,f,pages') || '').split(',');
const keep = process.argv.includes('--keep');
const chromiumPath = process.env.APPCONNECT_CHROMIUM || '/usr/bin/chromium';

function die(message) {
  console.error('browser tests: FAILED: ' + message);
  process.exit(1);
}

// Missing tools are a failure, never a silent skip.
if (!existsSync(chromiumPath)) die(`no Chromium at ${chromiumPath} (apt-get install chromium, or scripts/lib/install-deps)`);
if (!existsSync(join(here, 'node_modules', 'playwright-core')))
  die(`tests/browser/node_modules is missing: run 'npm ci' in ${here} (scripts/lib/install-deps does it)`);
for (const bin of ['appconnect', 'appconnect-crm-sandbox'])
  if (!existsSync(join(build, 'bin', bin))) die(`${join(build, 'bin', bin)} is missing: build the runtime first`);

const { chromium } = await import(join(here, 'node_modules', 'playwright-core', 'index.mjs'));

const work = mkdtempSync(join(tmpdir(), 'appconnect-browser-'));
const shots = join(build, 'console-screenshots');
mkdirSync(shots, { recursive: true });
const children = [];

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  if (!keep) rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// Starts a child and resolves with the URL of its "listening on http://..." line.
function startListening(name, bin, args) {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${name} did not start in 30 s:\n${out}\n${err}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1].replace(/\/$/, ''));
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (err.length > 200000) err = err.slice(-100000);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited (${code}):\n${out}\n${err.slice(-4000)}`));
    });
  });
}

async function http(method, url, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const textBody = await res.text();
  let json = null;
  try {
    json = JSON.parse(textBody);
  } catch {
    json = null;
  }
  return { status: res.status, json, text: textBody, headers: res.headers };
}

async function until(what, fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------- the world: sandbox CRM, host, tenants, tokens, queued calls

const sandboxUrl = await startListening('the Salesforce sandbox', join(build, 'bin', 'appconnect-crm-sandbox'), [
  '--crm', 'salesforce', '--listen', '127.0.0.1:0', '--port-file', join(work, 'sandbox.port'), '--exit-with-parent',
  '--seed', join(root, 'tools', 'crm-sandbox', 'seeds', 'salesforce-demo.json'),
]);

const bootstrap = 'browser-test-operator-token';
writeFileSync(join(work, 'secrets.key'), Buffer.from('appconnect-browser-test-key-0001').toString('base64') + '\n', { mode: 0o600 });
const creds = { client_id: 'appconnect-demo', client_secret: 'demo-secret' };
const config = {
  data_dir: join(work, 'data'),
  admin_token: bootstrap,
  secrets_key_file: join(work, 'secrets.key'),
  plugin_dirs: [join(build, 'plugins')],
  // No web_dir: the host must find <build>/web beside bin/ by itself.
  // One attempt per job, so a CRM error parks a job as failed at once (the failed-jobs scenario).
  jobs: { max_attempts: 1 },
  tenants: [
    // No conflict rules: every call from a number two CRM records share waits in the queue.
    { id: 'acme', name: 'Acme', settings: { matching: { rules: [] } } },
    { id: 'beta', name: 'Beta' },
  ],
  connections: [
    { id: 'sf-acme', tenant: 'acme', connector: 'salesforce', settings: { login_url: sandboxUrl },
      credentials: { ...creds, refresh_token: 'demo-refresh-token' } },
    // App credentials only: an admin connects it through the OAuth flow.
    { id: 'sf-beta', tenant: 'beta', connector: 'salesforce', settings: { login_url: sandboxUrl }, credentials: creds },
  ],
};
writeFileSync(join(work, 'appconnect.json'), JSON.stringify(config, null, 2));
const host = await startListening('the host', join(build, 'bin', 'appconnect'),
  ['serve', '--config', join(work, 'appconnect.json'), '--listen', '127.0.0.1:0']);
console.log(`host ${host}, sandbox ${sandboxUrl}, work dir ${work}`);

async function mint(name, role, tenant, agent) {
  const r = await http('POST', host + '/v1/admin/tokens', { token: bootstrap, body: { name, role, tenant, agent } });
  check(r.status === 201, `minting ${name}: ${r.status} ${r.text}`);
  return r.json.token;
}
const tokens = {
  adminAcme: await mint('acme-admin', 'admin', 'acme'),
  adminBeta: await mint('beta-admin', 'admin', 'beta'),
  rep101: await mint('maria', 'rep', 'acme', '101'),
  rep102: await mint('li', 'rep', 'acme', '102'),
};

function callEvent(id, phone, extension) {
  return {
    id, tenant: 'acme', kind: 'call', direction: 'inbound', start_time: '2026-11-25T10:30:00+01:00',
    from: { phone }, to: { phone: '+16505550100' },
    agent: { extension_id: extension, email: extension === '101' ? 'maria.garcia@acme-demo.example' : 'li.chen@acme-demo.example' },
    call: { session_id: id, state: 'ended', duration_s: 60, result: 'answered', notes: 'Browser test call ' + id },
  };
}
// 20 calls of agent 101 from the Globex main line, shared by two contacts; 3 of agent 102 from a
// number a contact and a lead share.
const mine = Array.from({ length: 20 }, (_, i) => callEvent(`console-a-${String(i + 1).padStart(2, '0')}`, '(415) 555-0132', '101'));
const theirs = Array.from({ length: 3 }, (_, i) => callEvent(`console-d-${i + 1}`, '+16505550112', '102'));
for (const e of [...mine, ...theirs]) {
  const r = await http('POST', host + '/v1/events', { body: e });
  check(r.status === 202, `posting ${e.id}: ${r.status} ${r.text}`);
}
await until('23 queued items', async () => {
  const r = await http('GET', host + '/v1/admin/unresolved?limit=1000', { token: tokens.adminAcme });
  return r.status === 200 && r.json.items.length === 23;
}, 60000);

// ---------- browser

const profile = mkdtempSync(join(work, 'profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const consoleErrors = [];
const offsite = [];
context.on('request', (req) => {
  const u = new URL(req.url());
  if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'about:'].includes(u.protocol)) offsite.push(req.url());
});

async function newPage(label) {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`[${label}] ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`[${label}] page error: ${e.message}`));
  return page;
}

async function signIn(page, token) {
  await page.goto(host + '/');
  check(page.url().endsWith('/console'), `GET / should land on /console, landed on ${page.url()}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who').filter({ hasText: '·' }).waitFor();
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage });
}

// Accessibility: axe-core (from node_modules, injected through the DevTools protocol, so the console's
// Content-Security-Policy stays as it is) checks each main page; serious and critical violations fail.
const axePath = join(here, 'node_modules', 'axe-core', 'axe.min.js');
if (!existsSync(axePath)) die(`tests/browser/node_modules/axe-core is missing: run 'npm ci' in ${here}`);
const axeSource = readFileSync(axePath, 'utf8');
const a11yFailures = [];
const a11yChecked = [];
async function a11y(page, name) {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  a11yChecked.push(name);
  for (const v of found) {
    const line = `[${name}] ${v.impact} ${v.id}: ${v.help} — ${v.nodes.join(' | ')}`;
    if (v.impact === 'serious' || v.impact === 'critical') a11yFailures.push(line);
    else console.log('  a11y (minor): ' + line);
  }
}

const results = [];
async function scenario(id, title, fn) {
  if (!only.includes(id)) return;
  const started = Date.now();
  try {
    await fn();
    results.push({ id, title, ok: true, ms: Date.now() - started });
    console.log(`PASS (${id}) ${title} [${Date.now() - started} ms]`);
  } catch (e) {
    results.push({ id, title, ok: false, error: e.stack || String(e) });
    console.log(`FAIL (${id}) ${title}\n  ${e.stack || e}`);
  }
}

await scenario('d', "a rep cannot see another rep's items", async () => {
  const page = await newPage('rep 102');
  await signIn(page, tokens.rep102);
  await page.locator('#queue-total').waitFor();
  const total = await page.locator('#queue-total').textContent();
  check(total.startsWith('3 open item(s) for you'), `rep 102 should have 3 items, page says "${total}"`);
  const itemIds = await page.locator('li.item').evaluateAll((els) => els.map((e) => e.dataset.id));
  check(itemIds.length === 3, `rep 102 sees ${itemIds.length} items`);
  const agents = await page.locator('li.item label').allTextContents();
  check(agents.every((t) => t.includes('agent 102')), `rep 102 sees someone else's item: ${agents.join(' | ')}`);
  check(!(await page.getByText('(415) 555-0132').count()) && !(await page.getByText('+14155550132').count()),
    'rep 102 sees the number of rep 101\'s calls');
  check(!(await page.locator('#nav-connections').count()), 'a rep must not get the admin pages');
  await a11y(page, 'queue');
  // The API agrees: the other rep's item is not found for this rep.
  const other = await http('GET', host + '/v1/admin/unresolved?limit=1000', { token: tokens.rep101 });
  const foreign = other.json.items[0].id;
  const peek = await http('GET', host + '/v1/admin/unresolved/' + foreign, { token: tokens.rep102 });
  check(peek.status === 404, `rep 102 reading rep 101's item: ${peek.status}`);
  // The rep's dashboard: charts of their own calls only (3 queued today, none of rep 101's 20).
  await page.goto(host + '/console#/dashboard');
  await page.locator('#chart-outcomes').waitFor();
  const today = (await http('GET', host + '/v1/admin/stats?days=1', { token: tokens.rep102 })).json.to;
  const queuedBar = page.locator(`#chart-outcomes rect[data-day="${today}"][data-series="queued"]`);
  check((await queuedBar.getAttribute('data-value')) === '3', `rep 102's queued bar today: ${await queuedBar.getAttribute('data-value')}`);
  check(!(await page.locator('#tile-unresolved').count()), 'a rep gets the charts, not the tenant tiles');
  await a11y(page, 'rep dashboard');
  await page.close();
});

await scenario('a', 'a rep resolves 20 queued calls in one batch; the CRM shows 20 Tasks', async () => {
  const page = await newPage('rep 101');
  await signIn(page, tokens.rep101);
  await page.locator('#queue-total').waitFor();
  check((await page.locator('#queue-total').textContent()).startsWith('20 open item(s) for you'), 'rep 101 should have 20 items');
  check((await page.locator('section.group').count()) === 1, 'the 20 calls share one number: one group');
  check((await page.locator('.candidate').count()) === 2, 'two contacts share the number: two candidates side by side');
  for (const field of ['Type', 'Owner', 'Last modified', 'Created'])
    check((await page.locator('.candidate dt', { hasText: field }).count()) === 2, `candidates show ${field}`);
  // Keyboard: move down and back, select the whole number, pick candidate 1.
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await page.keyboard.press('a');
  await page.locator('#queue-selected', { hasText: '20 selected' }).waitFor();
  await shot(page, 'queue');
  const candidate = await page.locator('.candidate h3').first().textContent();
  await page.keyboard.press('p');
  await page.keyboard.press('1');
  await page.locator('#status', { hasText: '20 resolved' }).waitFor({ timeout: 30000 });
  await page.locator('#queue-empty').waitFor();
  const tasks = await until('20 Tasks in the sandbox', async () => {
    const r = await http('GET', sandboxUrl + '/__sandbox/records/Task');
    const list = (r.json && (r.json.records || r.json)) || [];
    const ours = list.filter((t) => String(t.CallObject || '').includes('console-a-'));
    return ours.length === 20 ? ours : null;
  }, 60000);
  const who = new Set(tasks.map((t) => t.WhoId));
  check(who.size === 1, `all 20 Tasks should point at the picked contact (${candidate}), got ${[...who].join(',')}`);
  await page.close();
});

await scenario('b', 'an admin connects the sandbox CRM through the OAuth flow', async () => {
  const page = await newPage('admin beta');
  await signIn(page, tokens.adminBeta);
  await page.goto(host + '/console#/connections');
  const pill = page.locator('section.connection[data-id="sf-beta"] .pill');
  await pill.waitFor();
  check((await pill.textContent()) === 'Not connected', `before: ${await pill.textContent()}`);
  await page.locator('#connect-sf-beta').click();
  // The sandbox consents at once and redirects to the host's callback.
  await page.waitForURL(/\/v1\/oauth\/callback/, { timeout: 30000 });
  await page.getByRole('heading', { name: 'Connected' }).waitFor();
  await page.getByRole('link', { name: 'Back to the console' }).click();
  await page.locator('section.connection[data-id="sf-beta"] .pill', { hasText: 'Connected' }).waitFor();
  check((await page.locator('#connect-sf-beta').textContent()) === 'Re-authorize', 'the button now offers re-authorization');
  const api = await http('GET', host + '/v1/admin/connections/sf-beta', { token: tokens.adminBeta });
  check(api.json.health.auth_status.state === 'ok', `auth_status after the flow: ${JSON.stringify(api.json.health)}`);
  // Trial mode from the card, then back through the connection's settings versions.
  await page.locator('#trial-sf-beta').check();
  await page.locator('#trial-agent-sf-beta').fill('101');
  await page.getByRole('button', { name: 'Save trial mode' }).click();
  await page.locator('#status', { hasText: 'Trial mode saved' }).waitFor();
  let conn = await http('GET', host + '/v1/admin/connections/sf-beta', { token: tokens.adminBeta });
  check(conn.json.trial_mode.enabled === true && conn.json.trial_mode.agent === '101', `trial mode: ${JSON.stringify(conn.json.trial_mode)}`);
  await page.locator('#versions-sf-beta summary').click();
  const rows = page.locator('#versions-sf-beta tbody tr');
  await rows.nth(1).waitFor();
  const oldest = await rows.last().getAttribute('data-version');
  await page.getByRole('button', { name: `Roll back sf-beta to version ${oldest}` }).click();
  await page.locator('#status', { hasText: `sf-beta: rolled back to version ${oldest}` }).waitFor();
  conn = await http('GET', host + '/v1/admin/connections/sf-beta', { token: tokens.adminBeta });
  check(!conn.json.trial_mode.enabled, `trial mode after the rollback: ${JSON.stringify(conn.json.trial_mode)}`);
  check(conn.json.health.auth_status.state === 'ok', 'a rollback keeps the authorization');
  await shot(page, 'connections');
  await a11y(page, 'connections');
  await page.close();
});

await scenario('c', 'an admin simulates a rule and rolls a setting back', async () => {
  const page = await newPage('admin acme');
  await signIn(page, tokens.adminAcme);
  await page.goto(host + '/console#/settings');
  await page.locator('#sim-matching').waitFor();
  // Change a setting in the editor, then roll it back from the versions list.
  const editor = page.locator('#settings-json');
  const before = JSON.parse(await editor.inputValue());
  await editor.fill(JSON.stringify({ ...before, matching: { rules: ['last_modified'] } }, null, 2));
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#status', { hasText: 'Settings saved' }).waitFor();
  await page.locator('#versions tbody tr').nth(1).waitFor();
  let tenant = await http('GET', host + '/v1/admin/tenants/acme', { token: tokens.adminAcme });
  check(JSON.stringify(tenant.json.settings.matching.rules) === '["last_modified"]', 'the change was saved');
  const baseline = await page.locator('#versions tbody tr').last().getAttribute('data-version');
  await page.getByRole('button', { name: `Roll back to version ${baseline}` }).click();
  await page.locator('#status', { hasText: `Rolled back to version ${baseline}` }).waitFor();
  tenant = await http('GET', host + '/v1/admin/tenants/acme', { token: tokens.adminAcme });
  check(JSON.stringify(tenant.json.settings.matching.rules) === '[]', `after the rollback: ${JSON.stringify(tenant.json.settings)}`);
  check(JSON.parse(await page.locator('#settings-json').inputValue()).matching.rules.length === 0, 'the editor shows the rolled-back settings');
  // Simulate "type priority: Contact first" on the open queue (rep 102's three contact-or-lead calls).
  await page.locator('#sim-matching').fill(JSON.stringify({ rules: ['type_priority'], type_priority: ['Contact', 'Lead'] }));
  await page.locator('#sim-scope').selectOption('unresolved');
  await page.locator('#sim-run').click();
  const summary = await page.locator('#sim-summary').textContent();
  const counts = [...summary.matchAll(/(\w+): (\d+)/g)];
  check(counts.reduce((n, m) => n + Number(m[2]), 0) === 3, `the simulation covers the 3 open items: "${summary}"`);
  check(!/unresolved|queued/.test(counts.map((m) => m[1]).join(' ')), `type priority decides every one: "${summary}"`);
  const queue = await http('GET', host + '/v1/admin/unresolved?limit=1000', { token: tokens.adminAcme });
  check(queue.json.items.length === 3, 'a simulation writes nothing');
  await shot(page, 'settings');
  await a11y(page, 'settings');
  await page.close();
});

const failedInE = []; // the job ids of scenario e: their stories show the failed attempt
await scenario('e', 'an admin retries one failed job and discards another', async () => {
  // The CRM fails the next two record writes; each call's job fails on its only attempt.
  const fault = await http('POST', sandboxUrl + '/__sandbox/config',
    { body: { fail_next: [{ status: 500, count: 2, path_prefix: '/services/data', method: 'POST' }] } });
  check(fault.status === 200, `sandbox fault: ${fault.status} ${fault.text}`);
  for (const id of ['console-e-1', 'console-e-2']) {
    const r = await http('POST', host + '/v1/events', { body: callEvent(id, '+1 (617) 555-0171', '101') });
    check(r.status === 202, `posting ${id}: ${r.status} ${r.text}`);
  }
  const failedJobs = await until('2 failed jobs', async () => {
    const r = await http('GET', host + '/v1/admin/jobs?state=failed', { token: tokens.adminAcme });
    return r.json.total === 2 ? r.json.jobs : null;
  });
  const page = await newPage('admin acme jobs');
  await signIn(page, tokens.adminAcme);
  await page.goto(host + '/console#/jobs');
  await page.locator('.toolbar p', { hasText: '2 failed job(s)' }).waitFor();
  await shot(page, 'failed-jobs');
  await a11y(page, 'failed jobs');
  const [retry, discard] = failedJobs.map((j) => j.id);
  failedInE.push(retry, discard);
  await page.locator(`tr[data-id="${retry}"]`).getByRole('button', { name: 'Retry' }).click();
  await page.locator('#status', { hasText: `Job ${retry}: queued again` }).waitFor();
  await page.locator(`tr[data-id="${discard}"]`).getByRole('button', { name: 'Discard' }).click();
  await page.locator('#status', { hasText: `Job ${discard}: discarded` }).waitFor();
  await page.locator('.toolbar p', { hasText: '0 failed job(s)' }).waitFor();
  await until('the retried job to be logged', async () => {
    const r = await http('GET', host + '/v1/admin/jobs/' + retry, { token: tokens.adminAcme });
    return r.json.state === 'done';
  });
  const gone = await http('GET', host + '/v1/admin/jobs/' + discard, { token: tokens.adminAcme });
  check(gone.json.state === 'discarded', `discarded job: ${gone.json.state}`);
  await page.close();
});

await scenario('pages', 'every main page renders (sign-in, dashboard, audit with verify) and is screenshot', async () => {
  const page = await newPage('admin acme pages');
  await page.goto(host + '/console');
  await page.getByLabel('API token').waitFor();
  await shot(page, 'sign-in');
  await a11y(page, 'sign-in');
  await signIn(page, tokens.adminAcme);
  await page.goto(host + '/console#/dashboard');
  await page.locator('svg.bars').first().waitFor();
  const done = await http('GET', host + '/v1/admin/jobs?state=done&limit=1', { token: tokens.adminAcme });
  const bar = await page.locator('svg.bars').first().locator('g', { hasText: 'done' }).locator('.bar-value').textContent();
  check(Number(bar) === done.json.total, `dashboard "done" bar ${bar}, API ${done.json.total}`);
  check(done.json.total >= 20, 'the 20 resolved calls are done jobs');
  // Today's bars: the charts draw what GET /v1/admin/stats counts, for the tenant and for sf-acme.
  const stats = (await http('GET', host + '/v1/admin/stats?days=14', { token: tokens.adminAcme })).json;
  const today = stats.to;
  const row = stats.series.find((r) => r.day === today && r.connection === 'sf-acme');
  check(row, `stats have a row for sf-acme today: ${JSON.stringify(stats)}`);
  check(row.logged >= 21, `the 20 resolved calls and the retried one are logged today: ${JSON.stringify(row)}`);
  check(row.queued >= 23 && row.failed === 2, `23 calls were queued and 2 failed today: ${JSON.stringify(row)}`);
  for (const chart of ['#chart-outcomes', '#chart-outcomes-sf-acme'])
    for (const series of ['logged', 'queued', 'failed']) {
      const seg = page.locator(`${chart} rect[data-day="${today}"][data-series="${series}"]`);
      check((await seg.count()) === 1, `${chart} has a ${series} bar for ${today}`);
      check(Number(await seg.getAttribute('data-value')) === row[series], `${chart} ${series} bar is ${await seg.getAttribute('data-value')}, API ${row[series]}`);
    }
  const p50 = page.locator(`#chart-latency-sf-acme rect[data-day="${today}"][data-series="latency_p50_ms"]`);
  check((await p50.count()) === 1 && Number(await p50.getAttribute('data-value')) === row.latency_p50_ms,
    `the latency chart shows today's p50 (${row.latency_p50_ms} ms)`);
  await shot(page, 'dashboard');
  await a11y(page, 'dashboard');
  // An event's story: received, matched, written (the record is the sandbox's Task).
  await page.goto(host + '/console#/event/console-a-01');
  const story = page.locator('section.job-story').first();
  await story.waitFor();
  check((await story.locator('h2').textContent()) === 'sf-acme: done', `story: ${await story.locator('h2').textContent()}`);
  const taskList = (await http('GET', sandboxUrl + '/__sandbox/records/Task')).json.records;
  const task = taskList.find((t) => String(t.CallObject || '').includes('console-a-01'));
  check(task && (await story.textContent()).includes(task.Id), `the story names the Task ${task && task.Id}: ${await story.textContent()}`);
  // Every attempt: first queued for a person, then logged after the rep's decision.
  const attemptResults = await story.locator('table.attempts tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.result));
  check(attemptResults.join(',') === 'queued,logged', `console-a-01's attempts: ${attemptResults.join(',')}`);
  await shot(page, 'event-story');
  await a11y(page, 'event story');
  // A job that failed shows the failed attempt with the CRM's error (scenario e's calls).
  if (only.includes('e'))
    for (const id of ['console-e-1', 'console-e-2']) {
      await page.goto(host + '/console#/event/' + id);
      const rows = page.locator('section.job-story table.attempts tbody tr');
      await rows.first().waitFor();
      const failedRow = page.locator('section.job-story table.attempts tbody tr[data-result="failed"]');
      check((await failedRow.count()) === 1, `${id}: one failed attempt`);
      const err = await failedRow.locator('td.err').textContent();
      check(err !== '—' && err.length > 3, `${id}: the failed attempt shows the CRM error, got "${err}"`);
    }
  await page.close();
  // The audit chain can only be verified by an operator.
  const op = await newPage('operator');
  await signIn(op, bootstrap);
  // An operator picks the tenant the pages work on.
  await op.locator('#tenant-select').selectOption('acme');
  await op.goto(host + '/console#/connections');
  await op.locator('section.connection[data-id="sf-acme"]').waitFor();
  check(!(await op.locator('section.connection[data-id="sf-beta"]').count()), 'the operator sees the picked tenant only');
  const quota = await op.locator('section.connection[data-id="sf-acme"] .quota').textContent();
  const limits = (await http('GET', host + '/healthz')).json.connections?.['sf-acme']?.limits?.daily;
  console.log(`  sf-acme quota as shown: ${quota}`);
  if (limits && limits.remaining !== undefined)
    check(quota.includes(`today ${limits.remaining}`), `quota shown "${quota}", health says ${JSON.stringify(limits)}`);
  else check(quota === 'not reported by the CRM yet', `quota shown "${quota}" without a report`);
  await op.goto(host + '/console#/audit');
  await op.locator('table tbody tr').first().waitFor();
  await op.locator('#verify').click();
  await op.locator('#verify-result', { hasText: 'Chain intact' }).waitFor();
  await shot(op, 'audit', false); // the trail is long: the first screen is enough
  await a11y(op, 'audit');
  await op.close();
  // Static files: types, 404s as JSON, no way out of the web directory.
  const js = await http('GET', host + '/console/app.js');
  check(js.status === 200 && js.headers.get('content-type').startsWith('text/javascript'), 'app.js is served as JavaScript');
  for (const bad of ['/console/nope.js', '/console/..%2Fappconnect.json', '/console/.hidden'])
    check((await http('GET', host + bad)).status === 404 && (await http('GET', host + bad)).json.error.code === 'not_found', `${bad} must be a JSON 404`);
});

// "Create a lead named ... for these" makes ONE lead for the whole selected batch and logs every item to it.
await scenario('f', 'a rep creates one lead for five queued calls of a number', async () => {
  // Two more calls of agent 102 from the number a contact and a lead share: five items in all.
  for (const id of ['console-d-4', 'console-d-5']) {
    const r = await http('POST', host + '/v1/events', { body: callEvent(id, '+16505550112', '102') });
    check(r.status === 202, `posting ${id}: ${r.status} ${r.text}`);
  }
  await until('5 items for rep 102', async () => {
    const r = await http('GET', host + '/v1/admin/unresolved?limit=100', { token: tokens.rep102 });
    return r.status === 200 && r.json.open_total === 5;
  }, 60000);
  const leadsBefore = new Set(((await http('GET', sandboxUrl + '/__sandbox/records/Lead')).json.records || []).map((l) => l.Id));
  const page = await newPage('rep 102 create');
  await signIn(page, tokens.rep102);
  await page.locator('#queue-total', { hasText: '5 open item(s) for you' }).waitFor();
  // The Numbers panel (the server's groups): show the number, then select every item of it.
  await page.getByRole('button', { name: '+16505550112 · 5 item(s)' }).click();
  await page.locator('#queue-total', { hasText: 'from +16505550112' }).waitFor();
  await page.locator('#queue-select-number').click();
  await page.locator('#queue-selected', { hasText: '5 selected (every item from +16505550112)' }).waitFor();
  await page.getByLabel('Or create one lead for all selected items, named').fill('Console Lead');
  await page.getByRole('button', { name: 'Create lead' }).click();
  await page.locator('#status', { hasText: '5 resolved' }).waitFor({ timeout: 30000 });
  await page.locator('#queue-empty').waitFor();
  const tasks = await until('5 Tasks of the batch', async () => {
    const r = await http('GET', sandboxUrl + '/__sandbox/records/Task');
    const ours = (r.json.records || []).filter((t) => String(t.CallObject || '').includes('console-d-'));
    return ours.length === 5 ? ours : null;
  }, 60000);
  const made = ((await http('GET', sandboxUrl + '/__sandbox/records/Lead')).json.records || []).filter((l) => !leadsBefore.has(l.Id));
  check(made.length === 1 && made[0].LastName === 'Console Lead', `one new lead: ${JSON.stringify(made.map((l) => l.LastName))}`);
  check(tasks.every((t) => t.WhoId === made[0].Id), `all 5 Tasks should point at the new lead ${made[0].Id}: ${tasks.map((t) => t.WhoId).join(',')}`);
  await page.close();
});

await context.close();
const failed = results.filter((r) => !r.ok);
if (consoleErrors.length) failed.push({ id: 'console', title: 'console errors', error: consoleErrors.join('\n') });
if (a11yFailures.length) failed.push({ id: 'a11y', title: 'serious or critical accessibility violations (axe-core)', error: a11yFailures.join('\n') });
console.log(`accessibility checked on: ${a11yChecked.join(', ') || 'no page'}`);
if (offsite.length) failed.push({ id: 'network', title: 'requests off the machine', error: offsite.join('\n') });
check(results.length > 0, 'no scenario ran');
console.log(`\n${results.filter((r) => r.ok).length}/${results.length} scenarios passed; screenshots in ${shots}`);
if (failed.length) {
  for (const f of failed) console.log(`FAILED ${f.id}: ${f.title}\n${f.error}`);
  if (!keep) {
    try {
      console.log('host log tail:\n' + readFileSync(join(work, 'data', 'host.log'), 'utf8').slice(-3000));
    } catch {
      // the host logs to stderr; nothing more to show
    }
  }
  process.exit(1);
}
process.exit(0);
