// The arr-lab dashboard: plain DOM and the control API, no framework and no build step. Every
// switch is a call to the same API a test or script uses (/api/openapi.json).
const token = new URLSearchParams(location.search).get('token') ?? '';
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) {
    const issues = (data.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('\n');
    throw new Error(`${res.status} ${issues || data.error}`);
  }
  return data;
}

function report(err) {
  alert(err.message ?? String(err));
}

// ---- tabs -------------------------------------------------------------------------------------
for (const tab of document.querySelectorAll('[role=tab]')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('[role=tab]')) t.setAttribute('aria-selected', String(t === tab));
    for (const name of ['lab', 'exercises', 'trainer']) $(`#view-${name}`).hidden = tab.dataset.tab !== name;
    if (tab.dataset.tab === 'trainer') loadTrainer();
  });
}

// ---- farm view and switches ------------------------------------------------------------------
let presets = [];
let behaviours = [];
let farmBuilt = false;
const fmtBytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const clockText = (ms) => new Date(ms).toISOString().slice(11, 23);

function renderFarm(farm) {
  $('#farm-name').textContent = `— farm ${farm.name} · ARR ${farm.arr} · time scale ${farm.timeScale}`;
  $('#clock').textContent = clockText(farm.now);
  const tbody = $('#farm-table tbody');
  const members = new Map(farm.members.map((m) => [m.name, m]));
  tbody.replaceChildren(
    ...farm.servers.map((s) => {
      const c = s.counters;
      const member = members.get(s.address);
      const host = member ? (member.offline === false ? 'online' : member.offline === 'silent' ? 'offline (silent)' : 'offline (refusing)') : '';
      return el('tr', { 'data-server': s.address },
        el('td', {}, s.address), el('td', {}, s.availability),
        el('td', { class: s.healthy ? 'healthy' : 'unhealthy' }, s.healthy ? 'Healthy' : 'Unhealthy'),
        el('td', {}, s.state), el('td', {}, c.currentRequests), el('td', {}, c.totalRequests), el('td', {}, c.failedRequests),
        el('td', {}, Math.round(c.responseTime)), el('td', {}, `${fmtBytes(c.bytesSent)}/${fmtBytes(c.bytesReceived)}`), el('td', {}, host));
    }),
  );
  if (document.activeElement !== $('#timeout-s')) $('#timeout-s').value = String(farm.settings.protocol.timeout / 1000);
  $('#settings-text').textContent = JSON.stringify(farm.settings, null, 2);
  const load = farm.load;
  if (load) {
    $('#load-toggle').textContent = load.running ? 'Stop load' : 'Start load';
    $('#load-status').textContent = load.running ? `running: ${load.rate} req/s on ${load.path}, ${load.sent} sent` : '';
  }
  if (!farmBuilt) buildSwitches(farm);
}

/** The switch panel: pick a member, then a seed fault, any behaviour with options on a route, or a server action. */
function buildSwitches(farm) {
  farmBuilt = true;
  $('#sw-member').replaceChildren(...farm.members.map((m) => el('option', { value: m.name }, m.name)));
  $('#sw-preset').replaceChildren(...presets.map((p) => el('option', { value: p.name }, p.label)));
  $('#sw-behaviour').replaceChildren(...behaviours.map((b) => el('option', { value: b.name, title: b.summary }, b.name)));
  const servers = new Set(farm.servers.map((s) => s.address));
  const member = () => $('#sw-member').value;
  const showServerRow = () => ($('#sw-server-row').hidden = !servers.has(member()));
  $('#sw-member').addEventListener('change', showServerRow);
  showServerRow();
  const act = (action) => api('POST', '/api/actions', action).catch(report);
  $('#sw-apply-preset').addEventListener('click', () =>
    api('PUT', `/api/members/${member()}/script`, presets.find((p) => p.name === $('#sw-preset').value).script).catch(report));
  $('#sw-apply-behaviour').addEventListener('click', () => applyBehaviour(member(), $('#sw-behaviour').value, $('#sw-route').value, $('#sw-options').value));
  $('#sw-apply-host').addEventListener('click', () => {
    const v = $('#sw-host').value;
    act({ offline: { [member()]: v === 'online' ? false : v === 'silent' ? 'silent' : true } });
  });
  $('#sw-apply-availability').addEventListener('click', () => act({ availability: { [member()]: $('#sw-availability').value } }));
  $('#sw-healthy').addEventListener('click', () => act({ health: { [member()]: 'healthy' } }));
  $('#sw-unhealthy').addEventListener('click', () => act({ health: { [member()]: 'unhealthy' } }));
}

function applyBehaviour(member, name, route, optionsText) {
  let step = name;
  const text = optionsText.trim();
  if (text) {
    let options;
    try {
      options = JSON.parse(text);
    } catch {
      options = text; // a bare duration such as 45s
    }
    step = { [name]: options };
  }
  // A route-specific rule; the rest of the site keeps the default page.
  api('PUT', `/api/members/${member}/script`, [{ route: route || '/', do: [step] }]).catch(report);
}

$('#timeout-apply').addEventListener('click', () => api('POST', '/api/actions', { timeout: `${$('#timeout-s').value}s` }).catch(report));
$('#load-toggle').addEventListener('click', async () => {
  const running = $('#load-toggle').textContent.startsWith('Stop');
  const order = running ? { action: 'stop' } : { action: 'start', rate: Number($('#load-rate').value), path: $('#load-path').value };
  try {
    const state = await api('POST', '/api/load', order);
    $('#load-toggle').textContent = state.running ? 'Stop load' : 'Start load';
  } catch (err) {
    report(err);
  }
});

// ---- requests --------------------------------------------------------------------------------
const MAX_ROWS = 300;
let selected;

function statusText(r) {
  return r.networkError ? 'net err' : r.substatus ? `${r.status}.${r.substatus}` : String(r.status);
}

function addRequests(list) {
  const tbody = $('#requests tbody');
  for (const r of list) {
    // The first batch can overlap the list fetched at start.
    if (tbody.querySelector(`tr[data-id="${r.id}"]`)) continue;
    const row = el('tr', { 'data-id': r.id, tabindex: 0, 'aria-label': `request ${r.id} ${r.method} ${r.uri} ${statusText(r)}` },
      el('td', {}, r.id), el('td', {}, clockText(r.at)), el('td', {}, `${r.method} ${r.uri}`),
      el('td', { class: `status s${String(r.status)[0]}` }, statusText(r)),
      el('td', { class: 'code' }, r.errorCode ?? (r.win32 ? String(r.win32) : '')),
      el('td', {}, r.timeTaken), el('td', {}, r.members.join(', ')));
    const open = () => openRequest(r.id, row);
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); }
      if (e.key === 'ArrowDown') row.nextElementSibling?.focus();
      if (e.key === 'ArrowUp') row.previousElementSibling?.focus();
    });
    tbody.prepend(row);
  }
  while (tbody.children.length > MAX_ROWS) tbody.lastElementChild.remove();
}

// A request can wait a long nominal time (a 45 s page at real time): say it is on its way.
let inFlight = 0;
const showInFlight = () => ($('#send-status').textContent = inFlight ? `${inFlight} in flight…` : '');
$('#send-btn').addEventListener('click', async () => {
  inFlight++;
  showInFlight();
  try {
    await api('POST', '/api/send', { path: $('#send-path').value || '/' });
  } catch (err) {
    report(err);
  } finally {
    inFlight--;
    showInFlight();
  }
});
$('#send-path').addEventListener('keydown', (e) => e.key === 'Enter' && $('#send-btn').click());

async function openRequest(id, row) {
  if (selected) selected.removeAttribute('aria-selected');
  selected = row;
  row?.setAttribute('aria-selected', 'true');
  let d;
  try {
    d = await api('GET', `/api/requests/${id}`);
  } catch (err) {
    return report(err);
  }
  $('#detail').hidden = false;
  $('#detail-h').textContent = `Request ${id}: ${d.request.method} ${d.request.uri} → ${statusText(d.request)} ${d.request.errorCode ?? ''}`;
  $('#timeline').replaceChildren(timelineSvg(d.timeline));
  const x = d.explanation;
  $('#explanation').replaceChildren(
    el('dl', { class: 'explain' },
      el('dt', {}, 'What happened'), el('dd', {}, x.summary),
      x.row ? [el('dt', {}, 'Classification row'), el('dd', { class: 'row-id' }, `${x.row.id}: ${x.row.winhttp ?? 'no WinHTTP error'} → page ${x.row.errorCode}, W3SVC ${x.row.w3svc} (phases ${x.row.phases.join(', ')})`)] : null,
      x.decode ? [el('dt', {}, `arr-lab decode ${x.decode.input}`), el('dd', {}, el('pre', {}, x.decode.lines.join('\n')))] : null,
      el('dt', {}, 'Evidence'), el('dd', {}, `${x.evidence.level} — ${x.evidence.label}`),
      el('dt', {}, 'Fix'), el('dd', { class: 'fix' }, x.fix)),
  );
  const a = d.artifacts;
  $('#artifacts').replaceChildren(el('div', {},
    el('h3', {}, 'Log lines'),
    ...a.logs.map((l) => [el('div', { class: 'muted' }, `${l.host} ${l.kind} ${l.file ?? ''}${l.line ? `:${l.line}` : ''}`), el('pre', { class: 'logline' }, l.text)]),
    a.winhttp.length ? [el('h3', {}, 'WinHTTP trace (ARR)'), el('pre', {}, a.winhttp.join('\n'))] : null,
    ...a.freb.map((f) => [el('h3', {}, `FREB ${f.host}: ${f.file}`), el('pre', {}, f.events.map((e) => `${e.at}  ${e.name.padEnd(34)} ${e.data}`).join('\n'))]),
    a.errorPage ? [el('h3', {}, 'Error page the client got'), el('iframe', { sandbox: '', srcdoc: a.errorPage, title: 'error page', style: 'width:100%;height:18rem;border:1px solid #ccc' })] : null,
  ));
  $('#detail-close').focus();
}
$('#detail-close').addEventListener('click', () => {
  $('#detail').hidden = true;
  selected?.focus();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('#detail').hidden) $('#detail-close').click();
});

/** The phases on the nominal axis, one lane per party, and the timer that fired. */
function timelineSvg(t) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const W = 900, left = 130, laneH = 30, top = 22;
  const span = Math.max(1, t.to - t.from);
  const x = (ms) => left + ((ms - t.from) / span) * (W - left - 10);
  const H = top + t.lanes.length * laneH + 24;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'request timeline' });
  for (let i = 0; i <= 4; i++) {
    const ms = (span * i) / 4;
    svg.append(s('text', { x: x(t.from + ms), y: 12, 'text-anchor': 'middle' }, `+${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`));
    svg.append(s('line', { x1: x(t.from + ms), x2: x(t.from + ms), y1: 15, y2: H - 20, stroke: '#ddd' }));
  }
  t.lanes.forEach((lane, i) => {
    const y = top + i * laneH;
    svg.append(s('text', { x: 4, y: y + 18 }, lane.party));
    for (const sp of lane.spans) {
      const r = s('rect', { x: x(sp.start), y: y + 4, width: Math.max(2, x(sp.end) - x(sp.start)), height: laneH - 10, class: `span-${sp.kind}` });
      r.append(s('title', {}, `${sp.label}: ${((sp.end - sp.start) / 1000).toFixed(3)} s`));
      svg.append(r);
      if (x(sp.end) - x(sp.start) > 90) svg.append(s('text', { x: x(sp.start) + 4, y: y + 18 }, sp.label));
    }
  });
  if (t.timer) {
    const tx = x(t.timer.firedAt);
    svg.append(s('line', { x1: tx, x2: tx, y1: 15, y2: H - 18, class: 'timer' }));
    const anchor = tx > W / 2 ? 'end' : 'start';
    svg.append(s('text', { x: tx + (anchor === 'end' ? -4 : 4), y: H - 4, 'text-anchor': anchor, class: 'timer-label' }, `timer: ${t.timer.name} = ${t.timer.ms / 1000} s fired`));
  }
  const wrap = el('div', {});
  wrap.append(svg);
  wrap.append(el('p', { class: 'muted' }, `nominal ${((t.to - t.from) / 1000).toFixed(3)} s from first to last party; ${t.timer ? `the ${t.timer.name} ended it` : 'no timer fired'}`));
  return wrap;
}

// ---- charts (uPlot) --------------------------------------------------------------------------
const OUTCOMES = ['200', '502.3', '502.4', '503', 'other'];
const COLORS = { '200': '#2e7d32', '502.3': '#c62828', '502.4': '#6a1b9a', '503': '#ef6c00', other: '#607d8b' };
const POINTS = 120;
const outcomeData = [[], ...OUTCOMES.map(() => [])];
const latencyData = [[], [], [], []];
let outcomeChart, latencyChart;

function makeCharts() {
  const box = $('#charts');
  const width = Math.max(260, Math.floor(box.clientWidth / 2) - 12);
  const height = Math.max(120, box.clientHeight - 95);
  const axes = [{}, { size: 60 }];
  outcomeChart = new uPlot({ title: 'Outcomes / s', width, height, axes, series: [{}, ...OUTCOMES.map((o) => ({ label: o, stroke: COLORS[o], width: 2 }))] }, outcomeData, $('#chart-outcomes'));
  latencyChart = new uPlot({
    title: 'ARR time-taken percentiles (nominal ms)', width, height, axes,
        // Windows without requests have no percentile: lines span them rather than break.
    series: [{}, ...[['p50', '#0b5cad'], ['p90', '#ef6c00'], ['p99', '#c62828']].map(([label, stroke]) => ({ label, stroke, width: 2, spanGaps: true, points: { show: true, size: 5 } }))],
  }, latencyData, $('#chart-latency'));
}

function plot(batch) {
  if (!batch.windowMs) return;
  const t = Date.now() / 1000;
  const perS = 1000 / batch.windowMs;
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const [k, n] of Object.entries(batch.outcomes)) counts[k in counts ? k : 'other'] += n;
  outcomeData[0].push(t);
  OUTCOMES.forEach((o, i) => outcomeData[i + 1].push(counts[o] * perS));
  latencyData[0].push(t);
  const none = batch.latency.count === 0;
  latencyData[1].push(none ? null : batch.latency.p50);
  latencyData[2].push(none ? null : batch.latency.p90);
  latencyData[3].push(none ? null : batch.latency.p99);
  for (const series of [...outcomeData, ...latencyData]) if (series.length > POINTS) series.shift();
  outcomeChart?.setData(outcomeData);
  latencyChart?.setData(latencyData);
}

// ---- live stream -----------------------------------------------------------------------------
function connect() {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  source.addEventListener('open', () => {
    $('#conn').textContent = 'live';
    $('#conn').className = 'pill live';
  });
  source.addEventListener('error', () => {
    $('#conn').textContent = 'disconnected';
    $('#conn').className = 'pill down';
  });
  source.addEventListener('batch', (e) => {
    const batch = JSON.parse(e.data);
    renderFarm(batch.farm);
    addRequests(batch.requests);
    for (const ev of batch.events) {
      $('#events').prepend(el('li', { class: 'event' }, `${clockText(ev.at)} Event ${ev.id} (${ev.level}): ${ev.message}`));
    }
    plot(batch);
  });
}

// ---- exercises -------------------------------------------------------------------------------
let exercises;
let hintsShown = 0;

async function loadExercises() {
  try {
    exercises = await api('GET', '/api/exercises');
  } catch {
    $('#tab-exercises').hidden = true;
    return;
  }
  $('#ex-select').replaceChildren(...exercises.exercises.map((e) => el('option', { value: e.name }, e.title)));
  $('#ex-cause').replaceChildren(...exercises.causes.map((c) => el('option', { value: c.id }, c.text)));
  $('#ex-fix').replaceChildren(...exercises.fixes.map((f) => el('option', { value: f.id }, f.text)));
  if (exercises.current) $('#ex-select').value = exercises.current;
  showExercise();
  // The trainer token sees the answers: that is what makes this the trainer's dashboard.
  if (exercises.exercises[0]?.cause) $('#tab-trainer').hidden = false;
}

function currentExercise() {
  return exercises.exercises.find((e) => e.name === $('#ex-select').value);
}

function showExercise() {
  const e = currentExercise();
  if (!e) return;
  $('#ex-title').textContent = e.title;
  $('#ex-symptom').textContent = e.symptom;
  $('#ex-hints').replaceChildren();
  $('#ex-verdict').replaceChildren();
  $('#ex-outcomes').textContent = '';
  hintsShown = 0;
}

function showFixValue() {
  const fix = exercises.fixes.find((f) => f.id === $('#ex-fix').value);
  $('#ex-value-label').hidden = !fix?.value;
  if (fix?.value) {
    $('#ex-value-name').textContent = fix.value.label;
    $('#ex-value').value = String(fix.value.default);
  }
}

$('#ex-select').addEventListener('change', showExercise);
$('#ex-fix').addEventListener('change', showFixValue);
$('#ex-start').addEventListener('click', async () => {
  $('#ex-outcomes').textContent = 'setting the lab up…';
  try {
    const r = await api('POST', `/api/exercises/${$('#ex-select').value}/start`);
    $('#ex-outcomes').textContent = `What users get: ${r.outcomes.join(', ')}. Look at the Lab tab's requests and artifacts.`;
  } catch (err) {
    report(err);
  }
});
$('#ex-hint').addEventListener('click', async () => {
  const e = currentExercise();
  if (hintsShown >= e.hints) return;
  const h = await api('GET', `/api/exercises/${e.name}/hint?n=${hintsShown}&learner=${encodeURIComponent($('#ex-learner').value)}`);
  $('#ex-hints').append(el('li', {}, h.hint));
  hintsShown++;
});
$('#ex-answer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const fix = exercises.fixes.find((f) => f.id === $('#ex-fix').value);
  $('#ex-verdict').replaceChildren(el('p', { class: 'muted' }, 'applying your fix in a fresh lab and replaying the traffic…'));
  try {
    const v = await api('POST', `/api/exercises/${$('#ex-select').value}/answer`, {
      learner: $('#ex-learner').value || 'anonymous', cause: $('#ex-cause').value, fix: fix.id,
      ...(fix.value ? { value: Number($('#ex-value').value) } : {}),
    });
    $('#ex-verdict').replaceChildren(
      el('p', { class: v.correct ? 'verdict-ok' : 'verdict-bad' }, v.correct ? '✔ ' : '✘ ', v.message),
      el('p', { class: 'muted' }, `Replay after your fix: ${v.replay.join(', ')}`),
    );
  } catch (err) {
    report(err);
  }
});

async function loadTrainer() {
  let view;
  try {
    view = await api('GET', '/api/trainer');
  } catch (err) {
    $('#trainer').textContent = err.message;
    return;
  }
  $('#trainer').replaceChildren(
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Exercise'), el('th', {}, 'Answer'), el('th', {}, 'Learners'))),
      el('tbody', {}, view.exercises.map((e) => el('tr', {},
        el('td', {}, e.name === view.current ? `▶ ${e.title}` : e.title),
        el('td', { style: 'white-space:normal' }, `${e.cause} / ${e.fix} — ${e.answer}`),
        el('td', { style: 'white-space:normal' }, e.learners.length
          ? e.learners.map((l) => `${l.learner}: ${l.solved ? 'solved' : 'not yet'} (${l.attempts} tries, ${l.hints} hints)`).join('; ')
          : '—'))))),
  );
}

// ---- start -----------------------------------------------------------------------------------
async function main() {
  $('#bundle').href = `/api/bundle?token=${encodeURIComponent(token)}`;
  $('#yaml').href = `/api/scenario.yaml?token=${encodeURIComponent(token)}`;
  [presets, behaviours] = await Promise.all([api('GET', '/api/presets'), api('GET', '/api/behaviours')]);
  renderFarm(await api('GET', '/api/farm'));
  const recent = await api('GET', '/api/requests?limit=100');
  addRequests(recent.requests);
  makeCharts();
  connect();
  await loadExercises();
  showFixValue();
}
main().catch((err) => {
  $('#conn').textContent = `error: ${err.message}`;
  $('#conn').className = 'pill down';
});
