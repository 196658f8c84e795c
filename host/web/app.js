// AppConnect web console: one page, hash routes, everything through the admin API (docs/admin/api.md).
// No framework and no build step; every value from the API goes into the page as text, never as markup.

const TOKEN_KEY = 'appconnect.token';
const JOB_STATES = ['pending', 'running', 'done', 'unresolved', 'failed', 'discarded'];
const PAGE_SIZE = 100;

const state = { token: sessionStorage.getItem(TOKEN_KEY) || '', who: null };

// ---------- small helpers

// Builds an element: h('button', {type: 'button', onclick: f}, 'text', child...).
function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'rect', 'text', 'g', 'title', 'line'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function when(ms) {
  if (!ms) return '—';
  return new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function text(v) {
  if (v === undefined || v === null || v === '') return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

// Long JSON stays one line until asked for: a summary that opens to the whole text.
function long(value, limit = 140) {
  if (value.length <= limit) return value;
  return h('details', {}, h('summary', {}, value.slice(0, limit) + '…'), h('pre', {}, value));
}

function setStatus(message, kind = 'info') {
  const el = document.getElementById('status');
  el.textContent = message || '';
  el.className = 'status ' + (message ? kind : '');
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: 'Bearer ' + state.token } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let doc = null;
  try {
    doc = await res.json();
  } catch {
    doc = null;
  }
  if (!res.ok) {
    const err = (doc && doc.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText);
  }
  return doc;
}

const TENANT_KEY = 'appconnect.tenant';

// Admins and reps work in their token's tenant; an operator picks one (kept for the tab).
function tenantOf() {
  if (state.who && state.who.role === 'operator') return sessionStorage.getItem(TENANT_KEY) || 'default';
  return (state.who && state.who.tenant) || 'default';
}

async function tenantPicker() {
  const doc = await api('GET', '/v1/admin/tenants');
  const current = tenantOf();
  const select = h('select', { id: 'tenant-select', onchange: (e) => {
    sessionStorage.setItem(TENANT_KEY, e.target.value);
    route();
  } }, (doc.tenants || []).map((t) => h('option', { value: t.id, selected: t.id === current }, `${t.name || t.id} (${t.id})`)));
  return h('span', { class: 'tenant-pick' }, h('label', { for: 'tenant-select' }, 'Tenant'), select);
}

function isAdmin() {
  return state.who && (state.who.role === 'admin' || state.who.role === 'operator');
}

// ---------- sign in and routing

const PAGES = [
  { id: 'dashboard', title: 'Dashboard', admin: false, render: renderDashboard },
  { id: 'queue', title: 'Unresolved', admin: false, render: renderQueue },
  { id: 'connections', title: 'Connections', admin: true, render: renderConnections },
  { id: 'jobs', title: 'Failed jobs', admin: true, render: renderJobs },
  { id: 'audit', title: 'Audit', admin: true, render: renderAudit },
  { id: 'event', title: 'Event story', admin: true, render: renderEvent },
  { id: 'settings', title: 'Settings', admin: true, render: renderSettings },
];

function visiblePages() {
  return PAGES.filter((p) => !p.admin || isAdmin());
}

function showSignIn(message) {
  state.who = null;
  document.getElementById('signin').hidden = false;
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('tenant').replaceChildren();
  pageEl = null;
  queueKeys.active = false;
  document.getElementById('view').replaceChildren();
  setStatus(message || '', message ? 'error' : 'info');
  document.getElementById('token').focus();
}

async function signIn(token) {
  state.token = token;
  try {
    state.who = await api('GET', '/v1/admin/whoami');
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = '';
    showSignIn(e.status === 401 ? 'That token was not accepted.' : 'Cannot sign in: ' + e.message);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  document.getElementById('signin').hidden = true;
  const who = state.who;
  document.getElementById('who').textContent =
    `${who.name || 'token'} · ${who.role}` + (who.tenant ? ` · ${who.tenant}` : '') + (who.agent ? ` · agent ${who.agent}` : '');
  document.getElementById('signout').hidden = false;
  document.getElementById('tenant').replaceChildren();
  if (who.role === 'operator') {
    try {
      document.getElementById('tenant').append(await tenantPicker());
    } catch (e) {
      setStatus('Cannot list tenants: ' + e.message, 'error');
    }
  }
  const nav = document.getElementById('nav');
  nav.replaceChildren(...visiblePages().map((p) => h('a', { href: '#/' + p.id, id: 'nav-' + p.id }, p.title)));
  nav.hidden = false;
  setStatus('');
  route();
}

let pageEl = null;

function currentView() {
  return pageEl || document.getElementById('view');
}

function route() {
  if (!state.who) return;
  const pages = visiblePages();
  const wanted = (location.hash.match(/^#\/([a-z]+)/) || [])[1];
  const page = pages.find((p) => p.id === wanted) || pages.find((p) => p.id === (isAdmin() ? 'dashboard' : 'queue'));
  if (wanted !== page.id) {
    history.replaceState(null, '', '#/' + page.id);
  }
  for (const a of document.querySelectorAll('#nav a'))
    a.toggleAttribute('aria-current', a.getAttribute('href') === '#/' + page.id);
  document.title = page.title + ' · AppConnect console';
  queueKeys.active = false;
  // Each visit renders into its own element: a slow answer for a page already left lands in a detached
  // element instead of over the page now shown.
  pageEl = h('div', { class: 'page' }, h('h1', {}, page.title), h('p', { class: 'hint' }, 'Loading…'));
  document.getElementById('view').replaceChildren(pageEl);
  const view = pageEl;
  page.render(view).catch((e) => {
    if (view !== pageEl) return;
    if (e.status === 401) showSignIn('Your token is no longer accepted; sign in again.');
    else setStatus(e.message, 'error');
  });
}

// ---------- unresolved queue

// `phone`: show one number's items only; `wholeNumber`: the selection holds every item of that number,
// across pages (fetched as ids), so it survives paging; `groups`: the server's per-number summary.
const queue = { items: [], after: 0, history: [], next: null, total: 0, selected: new Set(), cursor: 0, pickMode: false,
  phone: '', wholeNumber: '', groups: [], totalGroups: 0 };
const queueKeys = { active: false };

function groupsOf(items) {
  const byPhone = new Map();
  for (const it of items) {
    const key = it.phone || '(no number)';
    if (!byPhone.has(key)) byPhone.set(key, []);
    byPhone.get(key).push(it);
  }
  return [...byPhone.entries()].map(([phone, list]) => {
    // Candidates of every item of the number, once each.
    const seen = new Map();
    for (const it of list) for (const c of it.candidates || []) if (!seen.has(c.id)) seen.set(c.id, c);
    return { phone, items: list, candidates: [...seen.values()] };
  });
}

async function loadQueue() {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (queue.after) q.set('after', String(queue.after));
  if (queue.phone) q.set('phone', queue.phone);
  const g = new URLSearchParams({ limit: '20' });
  if (state.who.role === 'operator') {
    q.set('tenant', tenantOf());
    g.set('tenant', tenantOf());
  }
  // One page of items and the number summary: the page never loads the whole queue.
  const [doc, groups] = await Promise.all([api('GET', '/v1/admin/unresolved?' + q), api('GET', '/v1/admin/unresolved/groups?' + g)]);
  queue.items = doc.items || [];
  queue.next = doc.next_after;
  queue.total = doc.open_total;
  queue.groups = groups.groups || [];
  queue.totalGroups = groups.total_groups || 0;
  if (!queue.wholeNumber) queue.selected = new Set([...queue.selected].filter((id) => queue.items.some((i) => i.id === id)));
  queue.cursor = Math.min(queue.cursor, Math.max(0, queue.items.length - 1));
}

async function renderQueue(view) {
  await loadQueue();
  if (view !== pageEl) return; // left while loading
  drawQueue(view);
  queueKeys.active = true;
}

function currentItem() {
  return queue.items[queue.cursor];
}

function targetIds() {
  if (queue.selected.size) return [...queue.selected];
  const cur = currentItem();
  return cur ? [cur.id] : [];
}

async function resolve(ids, decision, label) {
  if (!ids.length) {
    setStatus('Select items first (x, or the checkboxes).', 'error');
    return;
  }
  setStatus(`Resolving ${ids.length} item(s)…`);
  // The API takes 1000 ids per request; a whole number's items go in chunks. A "create" decision is
  // sent once, with the first chunk: that request creates the record, the rest pick it.
  const doc = { resolved: 0, failed: 0 };
  let next = decision;
  for (let i = 0; i < ids.length; i += 1000) {
    const body = { ids: ids.slice(i, i + 1000), ...next };
    if (state.who.role === 'operator') body.tenant = tenantOf();
    const part = await api('POST', '/v1/admin/unresolved/resolve', body);
    doc.resolved += part.resolved;
    doc.failed += part.failed;
    const made = (part.created || [])[0];
    if (next.action === 'create' && made) next = { action: 'pick', contact_id: made.contact.id, contact_type: made.contact.type || '' };
  }
  queue.selected.clear();
  queue.wholeNumber = '';
  await loadQueue();
  drawQueue(currentView());
  setStatus(`${label}: ${doc.resolved} resolved` + (doc.failed ? `, ${doc.failed} failed` : '') + '.',
    doc.failed ? 'error' : 'ok');
}

function pick(candidate) {
  return resolve(targetIds(), { action: 'pick', contact_id: candidate.id, contact_type: candidate.type || '' },
    `Logged to ${candidate.name || candidate.id}`);
}

function skip() {
  return resolve(targetIds(), { action: 'skip' }, 'Skipped');
}

// After a CRM or rules change an admin sends items through matching again (admins only).
async function rerun() {
  const ids = targetIds();
  if (!ids.length) return;
  const body = { ids };
  if (state.who.role === 'operator') body.tenant = tenantOf();
  const doc = await api('POST', '/v1/admin/unresolved/rerun', body);
  queue.selected.clear();
  await loadQueue();
  drawQueue(currentView());
  setStatus(`Rules re-run: ${doc.requeued ?? ids.length} item(s) sent through matching again.`, 'ok');
}

// Every open item id of one number, a thousand per request (ids only are kept).
async function selectWholeNumber(phone) {
  const ids = [];
  let after = 0;
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', phone });
    if (after) q.set('after', String(after));
    if (state.who.role === 'operator') q.set('tenant', tenantOf());
    const doc = await api('GET', '/v1/admin/unresolved?' + q);
    for (const i of doc.items || []) ids.push(i.id);
    if (doc.next_after === null || doc.next_after === undefined) break;
    after = doc.next_after;
  }
  queue.selected = new Set(ids);
  queue.wholeNumber = phone;
  drawQueue(currentView());
  setStatus(`All ${ids.length} item(s) from ${phone} selected.`, 'ok');
}

function showNumber(phone) {
  queue.phone = phone;
  queue.after = 0;
  queue.history = [];
  queue.cursor = 0;
  queue.selected.clear();
  queue.wholeNumber = '';
  return loadQueue().then(() => drawQueue(currentView()));
}

// The server's summary of the open queue by number, biggest first.
function numbersPanel() {
  if (!queue.groups.length) return null;
  const rows = queue.groups.map((g) => h('li', {},
    h('button', { type: 'button', class: 'link', 'aria-pressed': queue.phone === g.phone ? 'true' : 'false',
      onclick: () => showNumber(g.phone).catch(fail) }, `${g.phone || '(no number)'} · ${g.count} item(s)`),
    ` on ${g.connection}`));
  const current = queue.phone ? queue.groups.find((g) => g.phone === queue.phone) : null;
  return h('section', { class: 'card numbers', 'aria-label': 'Numbers' },
    h('h2', {}, `Numbers (${queue.totalGroups})`),
    h('ul', { class: 'number-list' }, rows),
    queue.totalGroups > queue.groups.length ? h('p', { class: 'hint' }, `The ${queue.groups.length} biggest of ${queue.totalGroups}.`) : null,
    queue.phone ? h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'queue-all-numbers', onclick: () => showNumber('').catch(fail) }, 'Show all numbers'),
      h('button', { type: 'button', id: 'queue-select-number', class: 'primary', onclick: () => selectWholeNumber(queue.phone).catch(fail) },
        `Select all ${current ? current.count : ''} from ${queue.phone}`)) : null);
}

function drawQueue(view) {
  const groups = groupsOf(queue.items);
  const head = h('div', { class: 'toolbar' },
    h('p', { id: 'queue-total' }, `${queue.total} open item(s)` + (state.who.role === 'rep' ? ' for you' : '') +
      (queue.items.length ? ` · showing ${queue.items.length}` : '') + (queue.phone ? ` from ${queue.phone}` : '')),
    h('button', { type: 'button', id: 'queue-prev', disabled: !queue.history.length, onclick: () => pageQueue(-1) }, 'Previous page'),
    h('button', { type: 'button', id: 'queue-next', disabled: queue.next === null || queue.next === undefined, onclick: () => pageQueue(1) }, 'Next page'),
    h('button', { type: 'button', id: 'queue-skip', onclick: () => skip().catch(fail) }, 'Skip selected'),
    isAdmin() ? h('button', { type: 'button', id: 'queue-rerun', onclick: () => rerun().catch(fail) }, 'Re-run rules on selected') : null);
  const keys = h('details', { class: 'keys' }, h('summary', {}, 'Keyboard'),
    h('p', {}, 'j / k: next / previous item · x: select item · a: select its whole number · ' +
      'p then 1–9: log selected items to that candidate · s: skip selected · n / b: next / previous page'));
  if (!queue.items.length) {
    view.replaceChildren(h('h1', {}, 'Unresolved'), head, keys, h('p', { class: 'empty', id: 'queue-empty' }, 'Nothing waits for you. 🎉'));
    return;
  }
  let index = 0;
  const sections = groups.map((g, gi) => {
    const allSelected = g.items.every((i) => queue.selected.has(i.id));
    const rows = g.items.map((it) => {
      const myIndex = index++;
      const checkbox = h('input', { type: 'checkbox', id: 'sel-' + it.id, checked: queue.selected.has(it.id),
        onchange: (e) => { e.target.checked ? queue.selected.add(it.id) : queue.selected.delete(it.id); drawQueue(view); } });
      return h('li', { class: 'item' + (myIndex === queue.cursor ? ' current' : ''), dataset: { id: it.id },
        'aria-current': myIndex === queue.cursor ? 'true' : null },
        checkbox,
        h('label', { for: 'sel-' + it.id },
          h('strong', {}, `${it.kind} #${it.id}`), ` · agent ${text(it.agent)} · ${when(it.created_at_ms)}`),
        h('span', { class: 'why' }, it.message || it.reason || ''));
    });
    const cards = g.candidates.map((c, ci) => h('div', { class: 'candidate' },
      h('h3', {}, `${ci + 1}. ${c.name || c.id}`),
      h('dl', {},
        h('dt', {}, 'Type'), h('dd', {}, text(c.type)),
        h('dt', {}, 'Owner'), h('dd', {}, text(c.owner_id)),
        h('dt', {}, 'Company'), h('dd', {}, text(c.company)),
        h('dt', {}, 'Last modified'), h('dd', {}, text(c.modified_at)),
        h('dt', {}, 'Created'), h('dd', {}, text(c.created_at))),
      h('button', { type: 'button', class: 'primary', dataset: { candidate: c.id },
        onclick: () => { selectGroupIfNone(g); pick(c).catch(fail); } }, `Log selected to ${c.name || c.id}`)));
    const lastName = h('input', { id: 'create-' + gi, type: 'text', placeholder: 'Last name' });
    const create = h('form', { class: 'create', onsubmit: (e) => {
      e.preventDefault();
      if (!lastName.value.trim()) return;
      selectGroupIfNone(g);
      resolve(targetIds(), { action: 'create', last_name: lastName.value.trim(), contact_type: 'Lead' },
        `Lead ${lastName.value.trim()} created`).catch(fail);
    } }, h('label', { for: 'create-' + gi }, 'Or create one lead for all selected items, named'), lastName, h('button', { type: 'submit' }, 'Create lead'));
    return h('section', { class: 'group card', 'aria-label': 'Number ' + g.phone },
      h('div', { class: 'group-head' },
        h('h2', {}, `${g.phone} · ${g.items.length} item(s)`),
        h('label', {}, h('input', { type: 'checkbox', class: 'select-group', checked: allSelected, onchange: (e) => {
          for (const i of g.items) e.target.checked ? queue.selected.add(i.id) : queue.selected.delete(i.id);
          drawQueue(view);
        } }), ' Select all in group')),
      h('ul', { class: 'items' }, rows),
      cards.length ? h('div', { class: 'candidates' }, cards) : h('p', { class: 'hint' }, 'No candidates in the CRM.'),
      create);
  });
  view.replaceChildren(h('h1', {}, 'Unresolved'), head, keys, ...[numbersPanel()].filter(Boolean),
    h('p', { id: 'queue-selected' }, `${queue.selected.size} selected` + (queue.wholeNumber ? ` (every item from ${queue.wholeNumber})` : '')),
    ...sections);
  const cur = view.querySelector('.item.current');
  if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: 'nearest' });
}

function selectGroupIfNone(group) {
  if (!queue.selected.size) for (const i of group.items) queue.selected.add(i.id);
}

async function pageQueue(dir) {
  if (dir > 0 && queue.next) {
    queue.history.push(queue.after);
    queue.after = queue.next;
  } else if (dir < 0 && queue.history.length) {
    queue.after = queue.history.pop();
  } else {
    return;
  }
  queue.cursor = 0;
  await loadQueue();
  drawQueue(currentView());
}

function fail(e) {
  if (e && e.status === 401) showSignIn('Your token is no longer accepted; sign in again.');
  else setStatus(e && e.message ? e.message : String(e), 'error');
}

function groupOfCurrent() {
  const cur = currentItem();
  return cur ? groupsOf(queue.items).find((g) => g.items.includes(cur)) : null;
}

// Item order on screen is group order, so j/k walk the grouped list.
function orderedItems() {
  return groupsOf(queue.items).flatMap((g) => g.items);
}

document.addEventListener('keydown', (e) => {
  if (!queueKeys.active || e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = (e.target && e.target.tagName) || '';
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) && e.target.type !== 'checkbox') return;
  const view = currentView();
  const ordered = orderedItems();
  const pos = ordered.indexOf(currentItem());
  const moveTo = (p) => { queue.cursor = queue.items.indexOf(ordered[Math.max(0, Math.min(ordered.length - 1, p))]); };
  if (queue.pickMode) {
    queue.pickMode = false;
    const g = groupOfCurrent();
    const n = Number(e.key);
    if (g && n >= 1 && n <= g.candidates.length) {
      e.preventDefault();
      pick(g.candidates[n - 1]).catch(fail);
    } else {
      setStatus('Pick cancelled.');
    }
    return;
  }
  switch (e.key) {
    case 'j': moveTo(pos + 1); break;
    case 'k': moveTo(pos - 1); break;
    case 'x': { const c = currentItem(); if (c) queue.selected.has(c.id) ? queue.selected.delete(c.id) : queue.selected.add(c.id); break; }
    case 'a': { const g = groupOfCurrent(); if (g) for (const i of g.items) queue.selected.add(i.id); break; }
    case 'p': {
      const g = groupOfCurrent();
      if (!g || !g.candidates.length) { setStatus('No candidate to pick for this number.', 'error'); return; }
      queue.pickMode = true;
      setStatus(`Log ${targetIds().length} item(s) to which candidate? Press 1–${g.candidates.length}.`);
      e.preventDefault();
      return;
    }
    case 's': e.preventDefault(); skip().catch(fail); return;
    case 'n': pageQueue(1).catch(fail); return;
    case 'b': pageQueue(-1).catch(fail); return;
    default: return;
  }
  e.preventDefault();
  drawQueue(view);
});

// ---------- connections

function healthLabel(c) {
  const hlt = c.health || {};
  if (!c.enabled) return ['Disabled', 'muted'];
  if (hlt.needs_reauthorization) return ['Needs re-authorization', 'bad'];
  const circuit = hlt.circuit && hlt.circuit.circuit;
  if (circuit && circuit !== 'closed') return ['CRM unavailable (' + circuit + ')', 'bad'];
  const auth = hlt.auth_status;
  const authState = auth && (auth.status || auth.state);
  if (authState === 'ok' || authState === 'connected') return ['Connected', 'good'];
  if (c.credentials_set && c.credentials_set.includes('refresh_token')) return ['Connected', 'good'];
  return ['Not connected', 'warn'];
}

async function renderConnections(view) {
  const q = state.who.role === 'operator' ? '?tenant=' + encodeURIComponent(tenantOf()) : '';
  const doc = await api('GET', '/v1/admin/connections' + q);
  const list = doc.connections || [];
  // What each CRM last said about its limits is on the host's health document (no token needed).
  let limits = {};
  try {
    const health = await fetch('/healthz').then((r) => r.json());
    limits = health.connections || {};
  } catch {
    limits = {};
  }
  const cards = list.map((c) => {
    const [label, tone] = healthLabel(c);
    const hlt = c.health || {};
    const trial = c.trial_mode || {};
    const trialOn = h('input', { type: 'checkbox', id: 'trial-' + c.id, checked: !!trial.enabled });
    const trialAgent = h('input', { type: 'text', id: 'trial-agent-' + c.id, value: trial.agent || '' });
    const connected = label === 'Connected';
    return h('section', { class: 'card connection', dataset: { id: c.id } },
      h('h2', {}, `${c.id} `, h('span', { class: 'pill ' + tone, dataset: { health: label } }, label)),
      h('dl', {},
        h('dt', {}, 'CRM'), h('dd', {}, c.connector),
        h('dt', {}, 'Last success'), h('dd', {}, when(hlt.last_success_ms)),
        h('dt', {}, 'Last error'), h('dd', {}, hlt.last_error ? `${text(hlt.last_error)} (${when(hlt.last_error_ms)})` : '—'),
        h('dt', {}, 'Circuit'), h('dd', {}, text(hlt.circuit && hlt.circuit.circuit)),
        h('dt', {}, 'Quota left'), h('dd', { class: 'quota' }, quotaText(limits[c.id] && limits[c.id].limits)),
        h('dt', {}, 'Trial mode'), h('dd', {}, trial.enabled ? `on, agent ${text(trial.agent)}` : 'off')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', id: 'connect-' + c.id, onclick: () => connect(c).catch(fail) },
          connected ? 'Re-authorize' : 'Connect'),
        h('button', { type: 'button', id: 'toggle-' + c.id, onclick: () => patchConnection(c.id, { enabled: !c.enabled }, c.enabled ? 'Disabled' : 'Enabled').catch(fail) },
          c.enabled ? 'Disable' : 'Enable')),
      h('form', { class: 'inline', onsubmit: (e) => {
        e.preventDefault();
        patchConnection(c.id, { trial_mode: { enabled: trialOn.checked, agent: trialAgent.value.trim() } }, 'Trial mode saved').catch(fail);
      } },
      h('label', { for: 'trial-' + c.id }, trialOn, ' Trial mode'),
      h('label', { for: 'trial-agent-' + c.id }, 'Trial agent'), trialAgent,
      h('button', { type: 'submit' }, 'Save trial mode')),
      connectionVersions(c));
  });
  view.replaceChildren(h('h1', {}, 'Connections'),
    cards.length ? h('div', { class: 'grid' }, cards) : h('p', { class: 'empty' }, 'No connections yet.'));
}

// The connection's settings versions, loaded when opened; each can be rolled back to.
function connectionVersions(c) {
  const body = h('div', {}, h('p', { class: 'hint' }, 'Loading…'));
  const details = h('details', { class: 'versions', id: 'versions-' + c.id }, h('summary', {}, 'Settings versions'), body);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    try {
      const doc = await api('GET', `/v1/admin/connections/${encodeURIComponent(c.id)}/settings/versions`);
      const rows = (doc.versions || []).map((v) => h('tr', { dataset: { version: v.version } },
        h('td', {}, String(v.version)), h('td', {}, when(v.at_ms)), h('td', {}, text(v.actor)),
        h('td', { class: 'detail' }, long(JSON.stringify(v.settings))),
        h('td', {}, h('button', { type: 'button', 'aria-label': `Roll back ${c.id} to version ${v.version}`, onclick: async () => {
          try {
            await api('POST', `/v1/admin/connections/${encodeURIComponent(c.id)}/settings/rollback`, { version: v.version });
            await renderConnections(currentView());
            setStatus(`${c.id}: rolled back to version ${v.version}.`, 'ok');
          } catch (err) { fail(err); }
        } }, 'Roll back'))));
      body.replaceChildren(rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Version', 'When', 'Actor', 'Settings', ''].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows))
        : h('p', { class: 'empty' }, 'No versions yet: the first change stores one.'));
    } catch (err) { fail(err); }
  });
  return details;
}

function quotaText(l) {
  if (!l) return 'not reported by the CRM yet';
  const parts = [];
  if (l.daily && l.daily.remaining !== undefined)
    parts.push(`today ${l.daily.remaining}` + (l.daily.limit !== undefined ? ` of ${l.daily.limit}` : ''));
  if (l.window && l.window.remaining !== undefined)
    parts.push(`this window ${l.window.remaining}` + (l.window.max !== undefined ? ` of ${l.window.max}` : ''));
  if (l.daily && l.daily.waiting_ms) parts.push(`spent: waiting ${Math.ceil(l.daily.waiting_ms / 60000)} min`);
  return parts.length ? parts.join(' · ') : 'not reported by the CRM yet';
}

async function patchConnection(id, body, label) {
  await api('PATCH', '/v1/admin/connections/' + encodeURIComponent(id), body);
  await renderConnections(currentView());
  setStatus(`${label}: ${id}.`, 'ok');
}

async function connect(c) {
  setStatus('Opening the CRM’s consent page…');
  const doc = await api('POST', '/v1/admin/connections/' + encodeURIComponent(c.id) + '/oauth/start');
  location.assign(doc.authorize_url);
}

// ---------- failed jobs

const jobsPage = { after: 0, history: [] };

async function renderJobs(view) {
  const q = new URLSearchParams({ state: 'failed', limit: '50' });
  if (jobsPage.after) q.set('after', String(jobsPage.after));
  if (state.who.role === 'operator') q.set('tenant', tenantOf());
  const doc = await api('GET', '/v1/admin/jobs?' + q);
  const rows = (doc.jobs || []).map((j) => h('tr', { dataset: { id: j.id } },
    h('td', {}, String(j.id)), h('td', {}, j.connection), h('td', {}, j.conversation_key),
    h('td', {}, String(j.attempts)), h('td', { class: 'err' }, text(j.last_error)), h('td', {}, when(j.updated_at_ms)),
    h('td', {},
      h('button', { type: 'button', onclick: () => jobAction(j.id, 'retry').catch(fail) }, 'Retry'), ' ',
      h('button', { type: 'button', onclick: () => jobAction(j.id, 'discard').catch(fail) }, 'Discard'))));
  view.replaceChildren(h('h1', {}, 'Failed jobs'),
    h('div', { class: 'toolbar' }, h('p', {}, `${doc.total} failed job(s)`),
      h('button', { type: 'button', disabled: !jobsPage.history.length, onclick: () => { jobsPage.after = jobsPage.history.pop(); renderJobs(view).catch(fail); } }, 'Previous page'),
      h('button', { type: 'button', disabled: doc.next_after === null, onclick: () => { jobsPage.history.push(jobsPage.after); jobsPage.after = doc.next_after; renderJobs(view).catch(fail); } }, 'Next page')),
    rows.length ? h('table', {}, h('caption', {}, 'Jobs that used all their attempts, with the CRM’s error'),
      h('thead', {}, h('tr', {}, ['Job', 'Connection', 'Conversation', 'Attempts', 'Error', 'Updated', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)) : h('p', { class: 'empty' }, 'No failed jobs.'));
}

async function jobAction(id, action) {
  await api('POST', `/v1/admin/jobs/${id}/${action}`);
  await renderJobs(currentView());
  setStatus(`Job ${id}: ${action === 'retry' ? 'queued again' : 'discarded'}.`, 'ok');
}

// ---------- audit

const auditPage = { after: 0, history: [] };

async function renderAudit(view) {
  const q = new URLSearchParams({ limit: '50' });
  if (auditPage.after) q.set('after', String(auditPage.after));
  const doc = await api('GET', '/v1/admin/audit?' + q);
  const rows = (doc.entries || []).map((e) => h('tr', {},
    h('td', {}, String(e.position)), h('td', {}, when(e.at_ms || e.ts_ms || e.at)), h('td', {}, text(e.actor)),
    h('td', {}, text(e.action)),
    h('td', {}, String(e.action || '').startsWith('decision.') && e.subject
      ? h('a', { href: '#/event/' + encodeURIComponent(e.subject) }, e.subject) : text(e.subject)), h('td', { class: 'detail' }, long(text(e.detail)))));
  const verifyOut = h('p', { id: 'verify-result', role: 'status' });
  const verify = state.who.role === 'operator'
    ? h('button', { type: 'button', id: 'verify', onclick: async () => {
      try {
        const v = await api('POST', '/v1/admin/audit/verify');
        verifyOut.textContent = v.intact ? `Chain intact: ${v.entries} entries verified.` : `Chain BROKEN: ${JSON.stringify(v)}`;
        verifyOut.className = v.intact ? 'ok' : 'error';
      } catch (e) { fail(e); }
    } }, 'Verify the chain')
    : h('p', { class: 'hint' }, 'Verifying the whole chain needs an operator token.');
  view.replaceChildren(h('h1', {}, 'Audit'),
    h('div', { class: 'toolbar' }, verify,
      h('button', { type: 'button', disabled: !auditPage.history.length, onclick: () => { auditPage.after = auditPage.history.pop(); renderAudit(view).catch(fail); } }, 'Previous page'),
      h('button', { type: 'button', disabled: doc.next_after === null, onclick: () => { auditPage.history.push(auditPage.after); auditPage.after = doc.next_after; renderAudit(view).catch(fail); } }, 'Next page')),
    verifyOut,
    rows.length ? h('table', {}, h('caption', {}, 'Audit trail, oldest first'),
      h('thead', {}, h('tr', {}, ['#', 'When', 'Actor', 'Action', 'Subject', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)) : h('p', { class: 'empty' }, 'No audit entries.'));
}

// ---------- an event's story: received, then per connection how it was matched and written

// Every attempt of a job: when, what came of it, the CRM's error and when the next try is due.
function attemptTable(job) {
  const history = job.history || [];
  if (!history.length) return h('p', { class: 'hint' }, 'No attempt recorded yet.');
  const errorText = (e) => (e ? long(text(e.message ? `${e.code}: ${e.message}` : e)) : '—');
  return h('table', { class: 'attempts', id: 'attempts-' + job.id },
    h('caption', {}, `Every attempt (${history.length})`),
    h('thead', {}, h('tr', {}, ['#', 'Started', 'Took', 'Result', 'CRM error', 'Next attempt'].map((x) => h('th', { scope: 'col' }, x)))),
    // "#" counts rows: the job's own counter starts again when a person's decision sends it back.
    h('tbody', {}, history.map((a, i) => h('tr', { dataset: { attempt: a.attempt, result: a.result } },
      h('td', {}, String(i + 1)), h('td', {}, when(a.started_at_ms)), h('td', {}, duration(a.finished_at_ms - a.started_at_ms)),
      h('td', {}, a.result), h('td', { class: 'err' }, errorText(a.error)), h('td', {}, when(a.next_attempt_at_ms))))));
}

async function renderEvent(view) {
  const wanted = decodeURIComponent((location.hash.match(/^#\/event\/(.+)$/) || [])[1] || '');
  const input = h('input', { id: 'event-id', type: 'text', value: wanted });
  const form = h('form', { class: 'inline', onsubmit: (e) => {
    e.preventDefault();
    if (input.value.trim()) location.hash = '#/event/' + encodeURIComponent(input.value.trim());
  } }, h('label', { for: 'event-id' }, 'Event id'), input, h('button', { type: 'submit', class: 'primary' }, 'Show'));
  const parts = [h('h1', {}, 'Event story'), h('section', { class: 'card' }, form)];
  if (wanted) {
    // GET /v1/events/{id} is the ingest side's route: open, or guarded by the ingest token when one is set.
    const res = await fetch(`/v1/events/${encodeURIComponent(wanted)}?tenant=${encodeURIComponent(tenantOf())}`);
    const doc = await res.json().catch(() => null);
    if (!res.ok) {
      parts.push(h('p', { class: 'error', id: 'event-error' }, res.status === 401
        ? 'This host guards event reads with the ingest token; the console cannot show them.'
        : (doc && doc.error && doc.error.message) || `no event '${wanted}'`));
    } else {
      const ev = doc.event || {};
      parts.push(h('section', { class: 'card', id: 'event-received' }, h('h2', {}, 'Received'),
        h('dl', {}, h('dt', {}, 'Kind'), h('dd', {}, text(doc.kind)), h('dt', {}, 'Conversation'), h('dd', {}, text(doc.conversation_key)),
          h('dt', {}, 'From'), h('dd', {}, text(ev.from && ev.from.phone)), h('dt', {}, 'Agent'),
          h('dd', {}, text(ev.agent && (ev.agent.extension_id || ev.agent.email))), h('dt', {}, 'Sequence'), h('dd', {}, text(doc.seq)))));
      for (const j of doc.jobs || []) {
        const out = j.outcome || {};
        const ex = out.explanation || {};
        parts.push(h('section', { class: 'card job-story', dataset: { job: j.id } },
          h('h2', {}, `${j.connection}: ${j.state}`),
          h('ol', { class: 'story' },
            h('li', {}, `Matched: ${text(ex.decided_by || (j.state === 'unresolved' ? 'waiting in the queue' : ''))}` +
              (ex.candidates !== undefined ? ` (${ex.candidates} candidate(s))` : '')),
            h('li', {}, `Written: ${text(out.action)}` + (out.record ? ` · record ${text(out.record.id || out.record)}` : '')),
            // A done job may still carry the error of an earlier attempt or its queue reason; only an
            // unfinished or failed job's error is news.
            h('li', {}, `Attempts: ${j.attempts}`, j.last_error && j.state !== 'done' ? [' · last error ', long(text(j.last_error))] : null),
            j.reason ? h('li', {}, 'Why it waits: ', long(text(j.reason.message || j.reason))) : null),
          attemptTable(j),
          h('details', {}, h('summary', {}, 'Full outcome'), h('pre', {}, JSON.stringify(j.outcome || j.reason || {}, null, 2)))));
      }
    }
  }
  if (view !== pageEl) return;
  view.replaceChildren(...parts);
}

// ---------- dashboard

function bars(title, data) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const rowH = 28;
  const width = 560;
  const labelW = 110;
  const svg = h('svg', { viewBox: `0 0 ${width} ${data.length * rowH + 8}`, role: 'img', 'aria-label': title, class: 'bars' },
    h('title', {}, title),
    data.map((d, i) => {
      const w = Math.round(((width - labelW - 60) * d.value) / max);
      return h('g', { transform: `translate(0 ${i * rowH + 4})` },
        h('text', { x: 0, y: 17, class: 'bar-label' }, d.label),
        h('rect', { x: labelW, y: 3, width: Math.max(w, d.value ? 2 : 0), height: 18, rx: 3, class: 'bar ' + d.label }),
        h('text', { x: labelW + w + 6, y: 17, class: 'bar-value' }, String(d.value)));
    }));
  return h('figure', { class: 'card chart' }, h('figcaption', {}, title), svg,
    h('table', { class: 'sr-only' }, h('tbody', {}, data.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.label), h('td', {}, String(d.value)))))));
}

// The days of a stats answer, oldest first ("YYYY-MM-DD", UTC).
function daysBetween(from, to) {
  const out = [];
  for (let t = Date.parse(from + 'T00:00:00Z'); t <= Date.parse(to + 'T00:00:00Z'); t += 86400000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7200000) return `${Math.round(ms / 60000)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}

const OUTCOMES = [
  { key: 'logged', label: 'Logged' },
  { key: 'placeholder', label: 'Placeholder created' },
  { key: 'queued', label: 'Queued (unresolved)' },
  { key: 'failed', label: 'Failed' },
];

// One stacked bar per day. Every bar segment carries its day, series and value (data-*), a tooltip,
// and the same numbers are in a table for screen readers.
function stackedDays(id, title, days, byDay, series) {
  const width = 640, height = 200, left = 36, bottom = 22, top = 8;
  const plotH = height - bottom - top;
  const slot = (width - left) / Math.max(1, days.length);
  const barW = Math.max(4, Math.min(36, slot * 0.7));
  const max = Math.max(1, ...days.map((d) => series.reduce((n, s) => n + ((byDay.get(d) || {})[s.key] || 0), 0)));
  const y = (v) => top + plotH - (plotH * v) / max;
  const labelEvery = Math.ceil(days.length / 8);
  const svg = h('svg', { id, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'daychart' },
    h('title', {}, title),
    h('line', { x1: left, y1: y(0), x2: width, y2: y(0), class: 'axis' }),
    h('text', { x: left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    h('text', { x: left - 6, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
    days.map((d, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      let base = 0;
      const row = byDay.get(d) || {};
      return h('g', { class: 'day', dataset: { day: d } },
        series.map((s) => {
          const v = row[s.key] || 0;
          if (!v) return null;
          const seg = h('rect', { x, y: y(base + v), width: barW, height: Math.max(1, y(base) - y(base + v)),
            class: 'seg s-' + s.key, dataset: { day: d, series: s.key, value: v } }, h('title', {}, `${d} · ${s.label}: ${v}`));
          base += v;
          return seg;
        }),
        i % labelEvery === 0 || i === days.length - 1
          ? h('text', { x: x + barW / 2, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, d.slice(5)) : null);
    }));
  const legend = h('ul', { class: 'legend' }, series.map((s) => h('li', {}, h('span', { class: 'swatch s-' + s.key, 'aria-hidden': 'true' }), s.label)));
  const table = h('table', { class: 'sr-only' }, h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', {}, days.filter((d) => byDay.has(d)).map((d) => h('tr', {}, h('th', { scope: 'row' }, d),
      series.map((s) => h('td', {}, String((byDay.get(d) || {})[s.key] || 0)))))));
  return h('figure', { class: 'card chart' }, h('figcaption', {}, title), svg, legend, table);
}

// p50 and p95 of the delay from call end to CRM record, side by side per day.
function latencyDays(id, title, days, byDay) {
  const width = 640, height = 200, left = 56, bottom = 22, top = 8;
  const plotH = height - bottom - top;
  const slot = (width - left) / Math.max(1, days.length);
  const barW = Math.max(3, Math.min(16, slot * 0.35));
  const max = Math.max(1, ...days.map((d) => (byDay.get(d) || {}).latency_p95_ms || 0));
  const y = (v) => top + plotH - (plotH * v) / max;
  const labelEvery = Math.ceil(days.length / 8);
  const svg = h('svg', { id, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'daychart' },
    h('title', {}, title),
    h('line', { x1: left, y1: y(0), x2: width, y2: y(0), class: 'axis' }),
    h('text', { x: left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, duration(max)),
    days.map((d, i) => {
      const row = byDay.get(d) || {};
      const x = left + i * slot + slot / 2 - barW;
      const bar = (key, dx) => (row[key] === null || row[key] === undefined ? null
        : h('rect', { x: x + dx, y: y(row[key]), width: barW, height: Math.max(1, y(0) - y(row[key])), class: 'seg s-' + key,
          dataset: { day: d, series: key, value: row[key] } }, h('title', {}, `${d} · ${key === 'latency_p50_ms' ? 'p50' : 'p95'}: ${duration(row[key])}`)));
      return h('g', { class: 'day', dataset: { day: d } }, bar('latency_p50_ms', 0), bar('latency_p95_ms', barW),
        i % labelEvery === 0 || i === days.length - 1
          ? h('text', { x: x + barW, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, d.slice(5)) : null);
    }));
  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch s-latency_p50_ms', 'aria-hidden': 'true' }), 'p50'),
    h('li', {}, h('span', { class: 'swatch s-latency_p95_ms', 'aria-hidden': 'true' }), 'p95'));
  const table = h('table', { class: 'sr-only' }, h('caption', {}, title),
    h('thead', {}, h('tr', {}, ['Day', 'p50', 'p95', 'Calls'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, days.filter((d) => (byDay.get(d) || {}).latency_samples).map((d) => {
      const r = byDay.get(d);
      return h('tr', {}, h('th', { scope: 'row' }, d), h('td', {}, duration(r.latency_p50_ms)), h('td', {}, duration(r.latency_p95_ms)),
        h('td', {}, String(r.latency_samples)));
    })));
  return h('figure', { class: 'card chart' }, h('figcaption', {}, title), svg, legend, table);
}

// Charts of GET /v1/admin/stats: outcomes per day for all connections together and for each one, and
// the latency per connection.
function statsCharts(stats) {
  const days = daysBetween(stats.from, stats.to);
  const all = new Map();
  const perConnection = new Map();
  for (const r of stats.series || []) {
    if (!perConnection.has(r.connection)) perConnection.set(r.connection, new Map());
    perConnection.get(r.connection).set(r.day, r);
    const sum = all.get(r.day) || {};
    for (const s of OUTCOMES) sum[s.key] = (sum[s.key] || 0) + (r[s.key] || 0);
    all.set(r.day, sum);
  }
  const charts = [stackedDays('chart-outcomes', `Outcomes per day, last ${stats.days} days (UTC)`, days, all, OUTCOMES)];
  for (const [connection, byDay] of [...perConnection.entries()].sort()) {
    const safe = connection.replace(/[^A-Za-z0-9_-]/g, '_');
    charts.push(h('section', { class: 'connection-stats', dataset: { connection } }, h('h2', {}, connection),
      h('div', { class: 'grid' },
        stackedDays('chart-outcomes-' + safe, `${connection}: outcomes per day`, days, byDay, OUTCOMES),
        latencyDays('chart-latency-' + safe, `${connection}: call end to CRM record`, days, byDay))));
  }
  if (!perConnection.size) charts.push(h('p', { class: 'empty', id: 'stats-empty' }, `Nothing logged or queued in the last ${stats.days} days.`));
  return charts;
}

async function renderDashboard(view) {
  const tq = state.who.role === 'operator' ? '&tenant=' + encodeURIComponent(tenantOf()) : '';
  const stats = await api('GET', '/v1/admin/stats?days=14' + tq);
  if (!isAdmin()) { // a rep's own numbers: the stats API counts only their calls and queue items
    if (view !== pageEl) return;
    view.replaceChildren(h('h1', {}, 'Dashboard'), h('p', { class: 'hint' }, 'Your calls and queue items.'), ...statsCharts(stats));
    return;
  }
  const totals = await Promise.all(JOB_STATES.map((s) => api('GET', `/v1/admin/jobs?state=${s}&limit=1${tq}`).then((d) => d.total)));
  const unresolved = await api('GET', '/v1/admin/unresolved?limit=1' + tq);
  const conns = await api('GET', '/v1/admin/connections' + (tq ? '?' + tq.slice(1) : ''));
  const jobs = JOB_STATES.map((s, i) => ({ label: s, value: totals[i] }));
  const health = new Map();
  for (const c of conns.connections || []) {
    const [label] = healthLabel(c);
    health.set(label, (health.get(label) || 0) + 1);
  }
  if (view !== pageEl) return;
  view.replaceChildren(h('h1', {}, 'Dashboard'),
    h('div', { class: 'tiles' },
      h('a', { class: 'tile card', href: '#/queue' }, h('span', { class: 'big', id: 'tile-unresolved' }, String(unresolved.open_total)), ' open in the queue'),
      h('a', { class: 'tile card', href: '#/jobs' }, h('span', { class: 'big', id: 'tile-failed' }, String(totals[JOB_STATES.indexOf('failed')])), ' failed jobs'),
      h('a', { class: 'tile card', href: '#/connections' }, h('span', { class: 'big' }, String((conns.connections || []).length)), ' connections')),
    ...statsCharts(stats),
    h('div', { class: 'grid' }, bars('Jobs by state', jobs),
      bars('Connections by health', [...health.entries()].map(([label, value]) => ({ label, value })))));
}

// ---------- settings and rules

async function renderSettings(view) {
  const tenant = tenantOf();
  const t = await api('GET', '/v1/admin/tenants/' + encodeURIComponent(tenant));
  const versions = await api('GET', `/v1/admin/tenants/${encodeURIComponent(tenant)}/settings/versions`);
  const editor = h('textarea', { id: 'settings-json', rows: 16, spellcheck: 'false' }, JSON.stringify(t.settings || {}, null, 2));
  const save = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    let next;
    try {
      next = JSON.parse(editor.value);
    } catch (err) {
      setStatus('The settings are not valid JSON: ' + err.message, 'error');
      return;
    }
    if (!next || typeof next !== 'object' || Array.isArray(next)) { setStatus('The settings must be a JSON object.', 'error'); return; }
    // PATCH is a merge patch: keys that disappeared are sent as null to remove them.
    const patch = { ...next };
    for (const k of Object.keys(t.settings || {})) if (!(k in next)) patch[k] = null;
    try {
      await api('PATCH', '/v1/admin/tenants/' + encodeURIComponent(tenant), { settings: patch });
      await renderSettings(view);
      setStatus('Settings saved as a new version.', 'ok');
    } catch (err) { fail(err); }
  } }, h('label', { for: 'settings-json' }, `Settings of tenant ${tenant} (JSON)`), editor, h('button', { type: 'submit', class: 'primary' }, 'Save settings'));

  const vrows = (versions.versions || []).map((v) => h('tr', { dataset: { version: v.version } },
    h('td', {}, String(v.version)), h('td', {}, when(v.at_ms)), h('td', {}, text(v.actor)),
    h('td', { class: 'detail' }, JSON.stringify(v.settings)),
    h('td', {}, h('button', { type: 'button', 'aria-label': `Roll back to version ${v.version}`, onclick: async () => {
      try {
        await api('POST', `/v1/admin/tenants/${encodeURIComponent(tenant)}/settings/rollback`, { version: v.version });
        await renderSettings(view);
        setStatus(`Rolled back to version ${v.version}.`, 'ok');
      } catch (err) { fail(err); }
    } }, 'Roll back'))));

  const matching = h('textarea', { id: 'sim-matching', rows: 8, spellcheck: 'false' }, JSON.stringify((t.settings || {}).matching || {}, null, 2));
  const scope = h('select', { id: 'sim-scope' }, h('option', { value: 'unresolved' }, 'the open unresolved queue'), h('option', { value: 'events' }, 'these events'));
  const events = h('input', { id: 'sim-events', type: 'text', placeholder: 'event ids, comma-separated' });
  const result = h('div', { id: 'sim-result', role: 'status' });
  const simulate = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    let m;
    try { m = JSON.parse(matching.value || '{}'); } catch (err) { setStatus('The rules are not valid JSON: ' + err.message, 'error'); return; }
    const body = { matching: m };
    if (state.who.role === 'operator') body.tenant = tenant;
    if (scope.value === 'unresolved') body.scope = 'unresolved';
    else body.events = events.value.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const doc = await api('POST', '/v1/admin/rules/simulate', body);
      const summary = Object.entries(doc.summary || {}).map(([k, v]) => `${k}: ${v}`).join(' · ') || 'nothing to simulate';
      result.replaceChildren(h('p', { id: 'sim-summary' }, `Would be: ${summary}`),
        h('table', {}, h('caption', {}, 'Simulation, nothing is written'),
          h('thead', {}, h('tr', {}, ['Job', 'Outcome', 'Detail'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, (doc.results || []).map((r) => h('tr', {}, h('td', {}, text(r.job)), h('td', {}, text(r.outcome)),
            h('td', { class: 'detail' }, long(JSON.stringify(r.explanation || r.detail || r))))))));
    } catch (err) { fail(err); }
  } },
  h('label', { for: 'sim-matching' }, 'Matching rules to try (the "matching" settings)'), matching,
  h('label', { for: 'sim-scope' }, 'Run them on'), scope,
  h('label', { for: 'sim-events' }, 'Event ids (for “these events”)'), events,
  h('button', { type: 'submit', class: 'primary', id: 'sim-run' }, 'Simulate'));

  view.replaceChildren(h('h1', {}, 'Settings'),
    h('section', { class: 'card' }, h('h2', {}, 'Tenant settings'), save),
    h('section', { class: 'card' }, h('h2', {}, 'Versions'),
      vrows.length ? h('table', { id: 'versions' }, h('caption', {}, 'Newest first'),
        h('thead', {}, h('tr', {}, ['Version', 'When', 'Actor', 'Settings'].map((x) => h('th', { scope: 'col' }, x)),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Action')))),
        h('tbody', {}, vrows)) : h('p', { class: 'empty' }, 'No versions yet: the first change stores one.')),
    h('section', { class: 'card' }, h('h2', {}, 'Simulate rules'), simulate, result));
}

// ---------- start

document.getElementById('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = document.getElementById('token').value.trim();
  if (token) signIn(token);
});
document.getElementById('signout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = '';
  showSignIn();
});
window.addEventListener('hashchange', route);
if (state.token) signIn(state.token);
else showSignIn();
