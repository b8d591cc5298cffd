// Strait's dashboard: reads the admin API it is served by (GET only) and draws it. No library, no external asset.
'use strict';
(function () {
  const BASE = location.pathname.replace(/\/ui\/?$/, '');
  const REFRESH_MS = 2000;
  const SVG = 'http://www.w3.org/2000/svg';
  const errorsBox = document.getElementById('js-errors');
  const reportError = (msg) => { errorsBox.hidden = false; errorsBox.textContent += 'dashboard error: ' + msg + '\n'; };
  window.addEventListener('error', (e) => reportError(e.message));
  window.addEventListener('unhandledrejection', (e) => reportError(String(e.reason)));

  // ---------------------------------------------------------------- helpers
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  function append(el, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  async function get(path) {
    try {
      const res = await fetch(BASE + path, { cache: 'no-store', headers: { Accept: 'application/json' } });
      let body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      return { ok: res.ok, status: res.status, body };
    } catch (e) {
      return { ok: false, status: 0, body: null };
    }
  }
  const fmt = {
    rate: (v) => v === null || v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(2),
    pct: (v) => v === null || v === undefined ? '–' : (v * 100).toFixed(v === 0 || v === 1 ? 0 : 1) + '%',
    ms: (v) => v === null || v === undefined ? '–' : v >= 100 ? v.toFixed(0) + ' ms' : v >= 10 ? v.toFixed(1) + ' ms' : v.toFixed(2) + ' ms',
    int: (v) => v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'),
    time: (ms) => new Date(ms).toISOString().slice(11, 23),
  };
  const td = (cls, v, title) => h('td', { class: cls, title }, v);
  const empty = (text) => h('div', { class: 'empty' }, text);
  const table = (id, heads, rows) => h('table', { id },
    h('thead', null, h('tr', null, heads.map((x) => h('th', { class: x.startsWith('#') ? 'num' : null }, x.replace(/^#/, ''))))),
    h('tbody', null, rows));
  function stateClass(text) {
    const t = String(text || '').toLowerCase();
    if (t.includes('half')) return 'warn';
    if (t.includes('open')) return 'bad';
    if (t.includes('closed')) return 'ok';
    return '';
  }
  const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#06b6d4', '#84cc16', '#ec4899', '#64748b'];

  // ---------------------------------------------------------------- charts
  function polyline(values, w, hgt, max, color) {
    const n = values.length;
    const pts = values.map((v, i) => [n === 1 ? w : (i * w) / (n - 1), hgt - (max > 0 ? ((v || 0) / max) * (hgt - 2) : 0) - 1]);
    return s('polyline', { points: pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '), stroke: color });
  }
  function spark(values, color) {
    const max = Math.max(0, ...values.map((v) => v || 0));
    return s('svg', { class: 'spark', viewBox: '0 0 120 24', preserveAspectRatio: 'none' }, polyline(values, 120, 24, max, color));
  }
  function chart(series) { // [{name, values, color}], one shared scale
    const max = Math.max(0, ...series.flatMap((x) => x.values.map((v) => v || 0)));
    return h('div', { class: 'card' },
      h('div', { class: 'legend' }, series.map((x) => h('span', null, h('i', { style: 'background:' + x.color }), x.name)),
        h('span', { class: 'muted' }, 'max ' + fmt.rate(max) + '/s, last 60 s')),
      s('svg', { class: 'chart', viewBox: '0 0 600 140', preserveAspectRatio: 'none' },
        s('line', { x1: 0, y1: 139, x2: 600, y2: 139, stroke: '#dde1e7' }),
        series.map((x) => polyline(x.values, 600, 140, max, x.color))));
  }

  // ---------------------------------------------------------------- traffic
  function trafficRows(list, labelOf) {
    return list.map((r) => {
      const w = r.window;
      return h('tr', { 'data-name': r.name },
        td('c-name', labelOf(r)),
        td('num c-rps', fmt.rate(w.requestsPerSecond)),
        h('td', null, spark(r.series.rps, '#3b82f6')),
        td('num c-err' + (w.errorRate > 0 ? ' bad-text' : ''), fmt.pct(w.errorRate)),
        td('num c-p50', fmt.ms(w.p50Ms)), td('num c-p90', fmt.ms(w.p90Ms)), td('num c-p99', fmt.ms(w.p99Ms)),
        td('num c-window', fmt.int(w.requests)),
        td('num c-total', fmt.int(r.total.requests)), td('num c-total-errors', fmt.int(r.total.errors)));
    });
  }
  const TRAFFIC_HEADS = ['#req/s (1 min)', 'last minute', '#error rate', '#p50', '#p90', '#p99', '#requests (1 min)', '#requests (total)', '#5xx (total)'];
  function sumSeries(list, field) {
    const byT = new Map();
    for (const r of list) r.series.t.forEach((t, i) => byT.set(t, (byT.get(t) || 0) + (r.series[field][i] || 0)));
    return [...byT.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }
  function renderTraffic(el, hist) {
    const routes = hist.routes;
    const clusters = hist.clusters;
    const win = routes.reduce((a, r) => ({ req: a.req + r.window.requests, err: a.err + r.window.errors }), { req: 0, err: 0 });
    const seconds = routes.length && routes[0].series.t.length ? routes[0].series.t.length * hist.intervalSeconds : 0;
    const errPerSecond = routes.map((r) => ({ series: { t: r.series.t, e: r.series.rps.map((v, i) => (v || 0) * (r.series.errorRate[i] || 0)) } }));
    el.replaceChildren(
      h('div', { class: 'stats' },
        stat('requests/s (1 min)', fmt.rate(seconds ? win.req / seconds : null), 'total-rps'),
        stat('error rate (5xx, 1 min)', fmt.pct(win.req ? win.err / win.req : null), 'total-err'),
        stat('requests in the last minute', fmt.int(win.req), 'total-window'),
        stat('routes / services', routes.length + ' / ' + clusters.length, null)),
      h('h2', null, 'Requests per second, all routes'),
      chart([{ name: 'requests/s', values: sumSeries(routes, 'rps'), color: '#3b82f6' },
        { name: '5xx/s', values: sumSeries(errPerSecond, 'e'), color: '#dc2626' }]),
      h('h2', null, 'Routes'),
      routes.length ? table('traffic-routes', ['route'].concat(TRAFFIC_HEADS), trafficRows(routes, (r) => r.name || '(no route matched)'))
        : empty('No request yet.'),
      h('h2', null, 'Services (clusters): latency of the upstream call'),
      clusters.length ? table('traffic-clusters', ['cluster'].concat(TRAFFIC_HEADS), trafficRows(clusters, (r) => r.name))
        : empty('No upstream call yet.'),
      h('p', { class: 'muted' }, 'From /metrics (strait_requests_total, strait_request_duration_seconds, strait_upstream_duration_seconds), '
        + 'read once a second; percentiles as histogram_quantile() computes them from the buckets.'));
  }
  function stat(k, v, id) {
    return h('div', { class: 'stat', id }, h('div', { class: 'v' }, v), h('div', { class: 'k' }, k));
  }

  // ---------------------------------------------------------------- routes and listeners
  function filterChips(filters) {
    return (filters || []).map((f, i) => {
      const name = Object.keys(f)[0];
      return h('span', { class: 'chip order', 'data-n': i + 1, title: JSON.stringify(f[name], null, 1) }, name);
    });
  }
  function matchText(m) {
    if (!m) return '';
    const parts = [(m.pathKind || '') + ' ' + (m.path || '')];
    if (m.hosts && m.hosts.length) parts.push('hosts ' + m.hosts.join(', '));
    if (m.methods && m.methods.length) parts.push(m.methods.join(','));
    for (const k of ['headers', 'query', 'cookies']) if (m[k] && m[k].length) parts.push(m[k].length + ' ' + k);
    return parts.join(' · ');
  }
  function renderRoutes(el, config) {
    const listeners = config.listeners || [];
    const routes = config.routes || [];
    el.replaceChildren(
      h('h2', null, 'Listeners'),
      listeners.length ? table('listeners', ['name', 'address', 'protocols', 'TLS', 'filters (in order)'], listeners.map((l) =>
        h('tr', { 'data-name': l.name }, td('', l.name), td('', l.address), td('', (l.protocols || []).join(', ')),
          td('', l.tls ? 'yes' : 'no'), h('td', null, filterChips(l.filters)))))
        : empty('No listener.'),
      h('h2', null, 'Routes (matched in this order)'),
      routes.length ? table('routes', ['#', 'route', 'match', 'cluster', 'filters (in order)', 'timeout', 'retries'], routes.map((r, i) =>
        h('tr', { 'data-name': r.name }, td('num', i + 1), td('', r.name), td('', matchText(r.match)), td('', r.cluster || '–'),
          h('td', { class: 'c-filters' }, filterChips(r.filters)), td('', r.timeout || '–'),
          td('', r.retries ? r.retries.attempts + ' on ' + (r.retries.retryOn || []).join(', ') : '–'))))
        : empty('No route.'));
  }

  // ---------------------------------------------------------------- clusters
  function renderClusters(el, clusters) {
    const names = Object.keys(clusters.clusters || {});
    if (!names.length) { el.replaceChildren(empty('No cluster.')); return; }
    el.replaceChildren(...names.map((name) => {
      const c = clusters.clusters[name];
      const cb = c.circuitBreaker || {};
      const od = c.outlierDetection || {};
      const overflows = Object.entries(cb.overflows || {}).filter((e) => e[1] > 0).map((e) => e[0] + ' ' + e[1]).join(', ');
      const eps = c.endpoints || [];
      const healthy = eps.filter((e) => e.healthy).length;
      return h('div', { class: 'card cluster', 'data-name': name },
        h('h2', null, name + ' ', h('span', { class: 'muted' }, (c.loadBalancer || '') + ' · ' + (c.protocol || '') + ' · '
          + healthy + '/' + eps.length + ' healthy')),
        h('div', null, 'Circuit breaker ', h('span', { class: 'badge c-breaker ' + stateClass(cb.state) }, cb.state || 'none'),
          ' in flight ' + (cb.requestsInFlight ?? 0) + ', pending ' + (cb.pendingRequests ?? 0)
          + (overflows ? ', overflows: ' + overflows : ''),
          ' · Outlier detection ', od.enabled ? 'on, ' + (od.ejectionsTotal || 0) + ' ejections' : 'off',
          od.ejected && od.ejected.length ? h('span', { class: 'bad-text' }, ', ejected now: ' + od.ejected.map((x) => x.id || x).join(', ')) : ''),
        table(null, ['endpoint', 'health', 'ejected', '#ejections', '#active', '#pool active/idle/pending', 'last check', 'labels'],
          eps.map((e) => h('tr', { 'data-endpoint': e.id },
            h('td', null, h('span', { class: 'dot ' + (e.healthy ? 'ok' : 'bad') }), e.id),
            td('', e.healthy ? 'healthy' : e.passesHealthChecks === false ? 'failing checks' : 'unhealthy'),
            td(e.ejected ? 'bad-text' : '', e.ejected ? 'yes' : 'no'),
            td('num', e.ejections ?? 0), td('num', e.activeRequests ?? 0),
            td('num', e.pool ? e.pool.active + ' / ' + e.pool.idle + ' / ' + e.pool.pending : '–'),
            td('', e.lastCheck ? (e.lastCheck.passed ? 'passed' : 'failed') + ' (' + e.lastCheck.detail + ', ' + e.lastCheck.tookMs + ' ms)' : '–'),
            td('muted', Object.entries(e.labels || {}).map((l) => l[0] + '=' + l[1]).join(' '))))));
    }));
  }

  // ---------------------------------------------------------------- errors
  function renderErrors(el, errors, tracesAvailable) {
    const list = errors.errors || [];
    el.replaceChildren(
      h('p', { class: 'muted' }, fmt.int(errors.total) + ' failed exchanges since start; the last ' + errors.capacity + ' are kept. '
        + 'A 5xx from the upstream, or an answer Strait made itself (with its reason).'),
      list.length ? table('errors', ['time (UTC)', '#status', 'method', 'path', 'route', 'cluster', 'endpoint', 'answered by', 'reason', '#duration', 'trace'],
        list.map((e) => h('tr', null, td('', fmt.time(e.epochMillis)), td('num bad-text', e.status), td('', e.method), td('', e.path),
          td('', e.route || '–'), td('', e.cluster || '–'), td('', e.endpoint || '–'), td('', e.responder), td('c-reason', e.reason || '–'),
          td('num', fmt.ms(e.durationMillis)),
          h('td', null, e.traceId ? (tracesAvailable ? h('a', { href: '#traces/' + e.traceId }, e.traceId.slice(0, 8)) : e.traceId.slice(0, 8)) : '–'))))
        : empty('No error. Exchanges that end with a 5xx, or that Strait answers or cuts itself, show here.'));
  }

  // ---------------------------------------------------------------- traces
  function renderTraceList(el, res) {
    const list = res && res.ok && res.body ? res.body.traces || [] : null;
    if (list === null) {
      el.replaceChildren(empty('Recent traces are not available on this admin API (GET /traces answered '
        + (res ? res.status || 'nothing' : 'nothing') + '). Turn tracing on (observability.tracing) to keep the last traces in memory.'));
      return;
    }
    if (!list.length) { el.replaceChildren(empty('No trace yet: send a request through a route with tracing on.')); return; }
    el.replaceChildren(table('traces', ['start (UTC)', 'root', 'service', '#duration', '#spans', 'services', 'status'], list.map((t) =>
      h('tr', { 'data-trace': t.traceId }, td('', fmt.time(t.startEpochMillis)),
        h('td', null, h('a', { href: '#traces/' + t.traceId }, t.rootName)), td('', t.rootService),
        td('num', fmt.ms(t.durationMillis)), td('num', t.spanCount), td('', (t.services || []).join(', ')),
        td(t.error ? 'bad-text' : '', t.error ? 'error' : 'ok')))));
  }
  function spanOrder(spans) { // depth-first from the roots, children by start time
    const ids = new Set(spans.map((x) => x.spanId));
    const kids = new Map();
    for (const sp of spans) {
      const p = sp.parentSpanId && ids.has(sp.parentSpanId) ? sp.parentSpanId : null;
      if (!kids.has(p)) kids.set(p, []);
      kids.get(p).push(sp);
    }
    for (const k of kids.values()) k.sort((a, b) => a.startEpochNanos - b.startEpochNanos);
    const out = [];
    const walk = (p, depth) => { for (const sp of kids.get(p) || []) { out.push([sp, depth]); if (depth < 50) walk(sp.spanId, depth + 1); } };
    walk(null, 0);
    return out;
  }
  function renderWaterfall(el, id, res) {
    const back = h('p', null, h('a', { href: '#traces' }, '← all traces'));
    if (!res.ok) {
      el.replaceChildren(back, empty(res.status === 404 ? 'Trace ' + id + ' is not (or no longer) kept.' : 'GET /traces/' + id + ' answered ' + res.status + '.'));
      return;
    }
    const spans = res.body.spans || [];
    if (!spans.length) { el.replaceChildren(back, empty('Trace ' + id + ' has no span.')); return; }
    const t0 = Math.min(...spans.map((x) => x.startEpochNanos));
    const t1 = Math.max(...spans.map((x) => x.endEpochNanos));
    const total = Math.max(1, t1 - t0);
    const order = spanOrder(spans);
    const services = [...new Set(order.map(([x]) => x.service))];
    const color = (sv) => PALETTE[services.indexOf(sv) % PALETTE.length];
    el.replaceChildren(back,
      h('h2', null, 'Trace ' + id + ' · ' + fmt.ms(total / 1e6) + ' · ' + spans.length + ' spans'),
      h('div', { class: 'legend' }, services.map((sv) => h('span', null, h('i', { style: 'background:' + color(sv) }), sv))),
      h('div', { class: 'card wf', id: 'waterfall' }, order.map(([sp, depth]) => {
        const left = ((sp.startEpochNanos - t0) / total) * 100;
        const width = ((sp.endEpochNanos - sp.startEpochNanos) / total) * 100;
        const code = sp.attributes ? sp.attributes['http.response.status_code'] : undefined;
        const title = sp.name + '\n' + sp.kind + ' · ' + sp.service + ' · ' + fmt.ms(sp.durationMillis) + '\n'
          + Object.entries(sp.attributes || {}).map((a) => a[0] + ': ' + a[1]).join('\n');
        return h('div', { class: 'wf-row', 'data-span': sp.spanId, title },
          h('div', { class: 'wf-label', style: 'padding-left:' + (6 + depth * 16) + 'px' },
            h('b', null, sp.service), ' ', sp.name, ' ', h('span', { class: 'muted' }, sp.kind.toLowerCase() + (code ? ' ' + code : ''))),
          h('div', { class: 'wf-track' },
            h('div', { class: 'wf-bar' + (sp.status === 'ERROR' ? ' error' : ''), style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%;background:' + color(sp.service) }),
            h('span', { class: 'wf-time', style: left + width > 88 ? 'right:' + (100.5 - left - width).toFixed(3) + '%;color:#fff'
              : 'left:' + (left + width + 0.5).toFixed(3) + '%' }, fmt.ms(sp.durationMillis))));
      })));
  }

  // ---------------------------------------------------------------- service map
  function layers(nodes, edges) { // longest path from the nodes nobody calls; cycles cut by visiting order
    const ids = nodes.map((n) => n.id).sort();
    const out = new Map(ids.map((i) => [i, []]));
    const indeg = new Map(ids.map((i) => [i, 0]));
    for (const e of edges) if (out.has(e.source) && out.has(e.destination) && e.source !== e.destination) {
      out.get(e.source).push(e.destination);
      indeg.set(e.destination, indeg.get(e.destination) + 1);
    }
    const layer = new Map();
    let queue = ids.filter((i) => indeg.get(i) === 0);
    if (!queue.length && ids.length) queue = [ids[0]];
    queue.forEach((i) => layer.set(i, 0));
    for (let round = 0; round < ids.length && queue.length; round++) {
      const next = [];
      for (const i of queue) for (const d of out.get(i)) {
        if ((layer.get(d) ?? -1) < layer.get(i) + 1 && layer.get(i) + 1 < ids.length) { layer.set(d, layer.get(i) + 1); next.push(d); }
      }
      queue = [...new Set(next)].sort();
    }
    for (const i of ids) if (!layer.has(i)) layer.set(i, 0);
    const columns = [];
    for (const i of ids) { const l = layer.get(i); (columns[l] = columns[l] || []).push(i); }
    return columns.filter((c) => c && c.length);
  }
  function lock(x, y, closed) {
    return s('g', { class: closed ? 'lock' : 'lock open', transform: 'translate(' + (x - 6) + ',' + (y - 16) + ')' },
      s('path', { d: closed ? 'M3 7 V4.5 a3 3 0 0 1 6 0 V7' : 'M3 7 V4.5 a3 3 0 0 1 6 0', fill: 'none', stroke: closed ? '#15803d' : '#d97706', 'stroke-width': 1.6 }),
      s('rect', { x: 1, y: 7, width: 10, height: 8, rx: 1.5, fill: closed ? '#15803d' : '#d97706' }));
  }
  function renderMap(box, graph) {
    const nodes = graph.nodes || [];
    const edges = graph.edges || [];
    if (!nodes.length) { box.replaceChildren(empty('No service has reported traffic in the last ' + (graph.windowSeconds || 60) + ' s.')); return; }
    const columns = layers(nodes, edges);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const NW = 190, NH = 50, COL = 430, ROW = 110, PAD = 30;
    const pos = new Map();
    columns.forEach((col, c) => col.forEach((id, r) => pos.set(id, { x: PAD + c * COL, y: PAD + r * ROW })));
    const width = PAD * 2 + (columns.length - 1) * COL + NW;
    const height = PAD * 2 + (Math.max(...columns.map((c) => c.length)) - 1) * ROW + NH + 20;
    const svg = s('svg', { id: 'service-map', width, height, viewBox: '0 0 ' + width + ' ' + height },
      s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#475569' }))));
    for (const e of edges) {
      const a = pos.get(e.source), b = pos.get(e.destination);
      if (!a || !b) continue;
      let d, mx, my;
      if (b.x > a.x) {
        const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
        d = 'M' + x1 + ' ' + y1 + ' C' + (x1 + 80) + ' ' + y1 + ' ' + (x2 - 80) + ' ' + y2 + ' ' + x2 + ' ' + y2;
        mx = (x1 + x2) / 2; my = (y1 + y2) / 2;
      } else { // same column or backwards: an arc below
        const x1 = a.x + NW / 2, y1 = a.y + NH, x2 = b.x + NW / 2 + (a === b ? 30 : 0), y2 = b.y + NH;
        const low = Math.max(y1, y2) + 45;
        d = 'M' + x1 + ' ' + y1 + ' C' + x1 + ' ' + low + ' ' + x2 + ' ' + low + ' ' + x2 + ' ' + y2;
        mx = (x1 + x2) / 2; my = low - 8;
      }
      const failing = e.successRate !== null && e.successRate !== undefined && e.successRate < 0.95;
      svg.append(s('g', { class: 'edge ' + (e.mtls ? 'mtls' : 'plain') + (failing ? ' failing' : ''), 'data-source': e.source, 'data-destination': e.destination },
        s('title', null, e.source + ' → ' + e.destination + (e.mtls ? ' (mTLS)' : ' (plaintext)')),
        s('path', { d, 'marker-end': 'url(#arrow)' }),
        lock(mx - 62, my - 14, e.mtls),
        s('text', { class: 'elabel', x: mx - 52, y: my - 18 }, fmt.rate(e.requestsPerSecond) + ' rps · ' + fmt.pct(e.successRate)),
        s('text', { class: 'elabel', x: mx - 52, y: my - 5 }, 'p50 ' + fmt.ms(e.p50Ms) + ' · p99 ' + fmt.ms(e.p99Ms))));
    }
    for (const [id, p] of pos) {
      const n = byId.get(id);
      svg.append(s('g', { class: 'node ' + (n.kind || 'service'), 'data-id': id, transform: 'translate(' + p.x + ',' + p.y + ')' },
        s('rect', { width: NW, height: NH, rx: 8 }),
        s('text', { x: 10, y: 20, 'font-weight': 600 }, n.service || id),
        s('text', { x: 10, y: 38, fill: '#6b7280' }, (n.namespace || '') + ' · ' + n.workloads + ' workload' + (n.workloads === 1 ? '' : 's')
          + (n.kind === 'unknown' ? ' · unknown' : ''))));
    }
    box.replaceChildren(svg);
  }
  function renderMesh(el, graphRes, statusRes) {
    const parts = [];
    if (graphRes && graphRes.ok && graphRes.body) {
      const g = graphRes.body;
      const box = h('div', { class: 'card map' });
      renderMap(box, g);
      parts.push(h('h2', null, 'Service dependency map (last ' + g.windowSeconds + ' s)'),
        h('p', { class: 'muted' }, 'Solid green with a closed lock: mutual TLS. Dashed orange with an open lock: plaintext. Red: success rate under 95%.'),
        box,
        (g.edges || []).length ? table('mesh-edges', ['source', 'destination', '#req/s', '#requests', '#errors', '#success', '#p50', '#p99', 'mTLS'],
          g.edges.map((e) => h('tr', null, td('', e.source), td('', e.destination), td('num', fmt.rate(e.requestsPerSecond)), td('num', fmt.int(e.requests)),
            td('num', fmt.int(e.errors)), td('num', fmt.pct(e.successRate)), td('num', fmt.ms(e.p50Ms)), td('num', fmt.ms(e.p99Ms)),
            td('', e.mtls ? 'yes' : 'no')))) : '');
    } else {
      parts.push(h('h2', null, 'Service dependency map'), empty('GET /mesh/graph is not available here (answered ' + (graphRes ? graphRes.status : 'nothing') + ').'));
    }
    const workloads = statusRes && statusRes.ok && statusRes.body ? statusRes.body.workloads || [] : null;
    if (workloads) {
      parts.push(h('h2', null, 'Workloads (' + workloads.length + ')'),
        workloads.length ? table('workloads', ['namespace', 'service', 'instance', 'identity', 'address', 'zone', 'last seen', 'labels'],
          workloads.map((w) => h('tr', null, td('', w.namespace), td('', w.service), td('', w.instanceId), td('muted', w.identity), td('', w.address),
            td('', w.zone || '–'), td('', (w.lastSeen || '').slice(11, 19)), td('muted', Object.entries(w.labels || {}).map((l) => l[0] + '=' + l[1]).join(' ')))))
          : empty('No workload registered.'));
    }
    el.replaceChildren(...parts);
  }

  // ---------------------------------------------------------------- tabs and refresh
  const TABS = {
    traffic: { sources: ['/stats/history'], render: (el, r) => renderTraffic(el, r['/stats/history'].body) },
    routes: { sources: ['/config'], render: (el, r) => renderRoutes(el, r['/config'].body) },
    clusters: { sources: ['/clusters'], render: (el, r) => renderClusters(el, r['/clusters'].body) },
    errors: { sources: ['/errors'], render: (el, r) => renderErrors(el, r['/errors'].body, available.has('traces')) },
    mesh: { sources: ['/mesh/graph', '/status'], render: (el, r) => renderMesh(el, r['/mesh/graph'], r['/status']) },
    traces: { sources: ['/traces?limit=50'], render: (el, r) => renderTraceList(el, r['/traces?limit=50']) },
  };
  const available = new Set();
  let timer = null;

  async function probe() {
    const checks = await Promise.all(['/stats/history', '/config', '/clusters', '/errors', '/mesh/graph', '/status', '/traces?limit=1'].map(get));
    const [hist, config, clusters, errors, graph, status, traces] = checks;
    if (hist.ok) available.add('traffic');
    if (config.ok) available.add('routes');
    if (clusters.ok) available.add('clusters');
    if (errors.ok) available.add('errors');
    if (graph.ok || (status.ok && status.body && status.body.workloads)) available.add('mesh');
    if (traces.ok) available.add('traces');
    document.getElementById('where').textContent = (status.ok && status.body && status.body.trustDomain
      ? 'control plane · ' + status.body.trustDomain : 'proxy admin') + ' · ' + location.host;
    const nav = document.getElementById('nav');
    nav.replaceChildren(...Object.keys(TABS).filter((t) => available.has(t) || t === 'traces').map((t) =>
      h('a', { href: '#' + t, 'data-tab': t }, document.getElementById('tab-' + t).dataset.title)));
  }

  function currentTab() {
    const [tab, arg] = location.hash.replace(/^#/, '').split('/');
    const shown = [...document.querySelectorAll('#nav a')].map((a) => a.dataset.tab);
    return { tab: shown.includes(tab) ? tab : shown[0], arg: arg ? decodeURIComponent(arg) : null };
  }

  async function refresh() {
    clearTimeout(timer);
    const { tab, arg } = currentTab();
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.tab === tab);
    for (const sec of document.querySelectorAll('main section')) sec.hidden = sec.id !== 'tab-' + tab;
    const el = document.getElementById('tab-' + tab);
    try {
      if (tab === 'traces' && arg) {
        renderWaterfall(el, arg, await get('/traces/' + encodeURIComponent(arg)));
      } else {
        const spec = TABS[tab];
        const results = {};
        await Promise.all(spec.sources.map(async (src) => { results[src] = await get(src); }));
        const missing = spec.sources.find((src) => !results[src].ok);
        if (missing && tab !== 'traces' && tab !== 'mesh') el.replaceChildren(empty('GET ' + missing + ' answered ' + (results[missing].status || 'nothing') + '.'));
        else spec.render(el, results);
      }
      document.getElementById('updated').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
      document.body.dataset.rendered = tab;
    } finally {
      if (!(tab === 'traces' && arg)) timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  window.addEventListener('hashchange', refresh);
  probe().then(refresh);
})();
