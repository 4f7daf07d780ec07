// The raftcron web UI: a few pages over the node's JSON API (POST /api/v1/<Service>/<Method>).
// Every value from the API reaches the page through text nodes (el() below), never as markup.
'use strict';

(() => {
  const REFRESH_MS = 3000;
  const TOKEN_KEY = 'raftcron.token';

  // ---- DOM ------------------------------------------------------------------------------------

  /** An element; attrs are set as attributes except on* (handlers); children are nodes or text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function frag(...children) {
    const fragment = document.createDocumentFragment();
    fragment.append(...children);
    return fragment;
  }

  function badge(text, kind) {
    return el('span', { class: 'badge ' + (kind || text) }, text);
  }

  /** A table whose cells carry their column name, so that phone width can show them as cards. */
  function table(columns, rows, empty) {
    const body = el('tbody');
    if (rows.length === 0) {
      body.append(el('tr', {}, el('td', { class: 'empty', colspan: columns.length }, empty)));
    }
    for (const row of rows) {
      const tr = el('tr', row.attrs);
      row.cells.forEach((cell, i) => tr.append(el('td', { 'data-label': columns[i], class: row.classes && row.classes[i] }, cell)));
      body.append(tr);
    }
    return el('table', {}, el('thead', {}, el('tr', {}, columns.map((c) => el('th', {}, c)))), body);
  }

  /** Replaces the container's content with build(), unless data is what it last showed. */
  function redraw(container, data, build) {
    const key = JSON.stringify(data);
    if (container.dataset.shown === key) return;
    container.dataset.shown = key;
    container.replaceChildren(build());
  }

  /** A relative time ("in 5s") that the clock tick below keeps current without a redraw. */
  function rel(ts, ahead) {
    return el('span', { class: 'rel muted small', 'data-ts': ts, 'data-ahead': ahead }, relative(ts, ahead));
  }

  setInterval(() => document.querySelectorAll('.rel[data-ts]').forEach((node) => {
    node.textContent = relative(node.dataset.ts, 'ahead' in node.dataset);
  }), 1000);

  /** An enum value for people: FIRE_ALL → fire-all; unspecified → the default it stands for. */
  function policy(value, unspecifiedMeans) {
    return !value || value.endsWith('_UNSPECIFIED') ? unspecifiedMeans + ' (default)' : value.toLowerCase().replace(/_/g, '-');
  }

  function flash(message, isError) {
    const box = document.getElementById('flash');
    box.textContent = message;
    box.className = 'banner' + (isError ? ' error' : '');
    delete box.dataset.fromRefresh;
    box.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => { box.hidden = true; }, isError ? 10000 : 4000);
  }

  // ---- formatting -----------------------------------------------------------------------------

  function time(ts) {
    return ts ? ts.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '—';
  }

  /** "in 5s" or "5s ago"; for a time that should lie ahead (a next slot), "due" once it is past. */
  function relative(ts, ahead) {
    if (!ts) return '';
    const seconds = Math.round((Date.parse(ts) - Date.now()) / 1000);
    if (ahead && seconds <= 0) return 'due';
    const span = humanSeconds(Math.abs(seconds));
    return seconds >= 0 ? 'in ' + span : span + ' ago';
  }

  function humanSeconds(s) {
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
  }

  function duration(start, end) {
    if (!start || !end) return '—';
    const ms = Date.parse(end) - Date.parse(start);
    return ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : humanSeconds(Math.round(ms / 1000));
  }

  function jobHref(name) {
    return '#/jobs/' + encodeURIComponent(name);
  }

  // ---- API ------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Calls a gRPC method through the JSON gateway, e.g. call('JobService/GetJob', {name}). */
  async function call(method, request) {
    const headers = { 'Content-Type': 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    const response = await fetch('/api/v1/' + method, { method: 'POST', headers, body: JSON.stringify(request || {}) });
    const body = await response.json().catch(() => ({ code: 'HTTP_' + response.status, message: response.statusText }));
    if (response.status === 401) document.getElementById('auth').hidden = false;
    if (!response.ok) throw new ApiError(response.status, body.code, body.message || body.code);
    return body;
  }

  /**
   * call() again while the cluster answers 503 (no leader yet, a leader change): the API asks
   * for a retry. Only for idempotent requests.
   */
  async function callRetrying(method, request) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(method, request);
      } catch (e) {
        if (e.status !== 503 || attempt === 5) throw e;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  // ---- pages ----------------------------------------------------------------------------------
  // A page is { match, nav?, mount(match) → { refresh(), dispose?() } }. Adding a page (alerts,
  // say) is one more entry here; pages with a nav title get a link in the header.

  const PAGES = [
    { match: /^\/jobs$/, nav: 'Jobs', href: '#/jobs', mount: jobsPage },
    { match: /^\/jobs\/([^/]+)$/, section: 'Jobs', mount: (m) => jobPage(decodeURIComponent(m[1])) },
    { match: /^\/cluster$/, nav: 'Cluster', href: '#/cluster', mount: clusterPage },
    { match: /^\/alerts$/, nav: 'Alerts', href: '#/alerts', mount: alertsPage },
  ];

  function jobsPage() {
    const filter = el('input', { type: 'search', id: 'job-filter', placeholder: 'Filter jobs', 'aria-label': 'filter' });
    const state = el('select', { id: 'job-state', 'aria-label': 'state' },
      el('option', { value: 'all' }, 'All jobs'), el('option', { value: 'active' }, 'Active'), el('option', { value: 'paused' }, 'Paused'));
    const count = el('span', { class: 'muted small' });
    const holder = el('div');
    let rows = [];
    let total = 0;
    const draw = () => {
      const text = filter.value.trim().toLowerCase();
      const shown = rows.filter(({ job }) =>
        (!text || job.spec.name.toLowerCase().includes(text) || job.spec.schedule.toLowerCase().includes(text)
          || (job.scheduleDescription || '').toLowerCase().includes(text))
        && (state.value === 'all' || (state.value === 'paused') === job.paused));
      // Only the first page of jobs is loaded (the default ListJobs page); say so when there are more.
      count.textContent = shown.length + ' of ' + rows.length + ' jobs'
        + (total > rows.length ? ' (the first ' + rows.length + ' by name; ' + total + ' in all)' : '');
      redraw(holder, shown, () => table(
        ['Name', 'Schedule', 'Zone', 'Next slot', 'Last run', 'Status', 'Fired', 'Skipped'],
        shown.map(({ job, last }) => ({
          attrs: { 'data-job': job.spec.name, class: 'job' },
          classes: [null, null, null, null, null, null, 'num', 'num'],
          cells: [
            el('a', { href: jobHref(job.spec.name) }, job.spec.name),
            [el('code', {}, job.spec.schedule), el('div', { class: 'muted small' }, job.scheduleDescription || '')],
            job.spec.timeZone || 'UTC',
            job.nextSlot ? [time(job.nextSlot), el('div', {}, rel(job.nextSlot, true))] : '—',
            last ? [badge(last.state), el('div', { class: 'muted small' }, time(last.slot))] : el('span', { class: 'muted' }, 'no runs'),
            job.paused ? badge('paused', 'paused') : badge('active', 'healthy'),
            job.firedCount,
            job.skippedCount,
          ],
        })),
        rows.length === 0 ? 'No jobs yet: create one with "raftcron job create".' : 'No job matches the filter.'));
    };
    filter.addEventListener('input', draw);
    state.addEventListener('change', draw);
    main(el('h1', {}, 'Jobs'), el('div', { class: 'toolbar' }, filter, state, count), holder);
    return {
      async refresh() {
        const page = await call('JobService/ListJobs', {});
        const jobs = page.jobs || [];
        total = Number(page.total || jobs.length);
        // The last run of each job: one small read per job, in parallel.
        const lasts = await Promise.all(jobs.map((job) =>
          call('RunService/ListRuns', { job: job.spec.name, limit: 1 }).then((r) => r.runs[0], () => undefined)));
        rows = jobs.map((job, i) => ({ job, last: lasts[i] }));
        draw();
      },
    };
  }

  function jobPage(name) {
    const title = el('h1', {}, name);
    const facts = el('dl', { class: 'facts card', id: 'job-facts' });
    const actions = el('div', { class: 'actions' });
    const preview = el('div', { id: 'preview' });
    const explainInput = el('input', { type: 'text', id: 'explain-slot', placeholder: '2026-11-25T06:00:00Z', 'aria-label': 'slot' });
    const explainResult = el('div', { id: 'explain-result', class: 'verdict' });
    const explainForm = el('form', { id: 'explain-form', class: 'toolbar' }, explainInput, el('button', { type: 'submit' }, 'Explain'));
    const runs = el('div', { id: 'runs' });
    let job = null;

    explainForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      explainResult.replaceChildren();
      const slot = explainInput.value.trim();
      if (Number.isNaN(Date.parse(slot))) {
        explainResult.replaceChildren(badge('invalid', 'FAILED'), ' ', 'Give a time such as 2026-11-25T06:00:00Z.');
        return;
      }
      try {
        const answer = await call('JobService/ExplainSlot', { name, slot: new Date(slot).toISOString() });
        explainResult.replaceChildren(badge(answer.verdict), ' ', answer.message);
      } catch (e) {
        explainResult.replaceChildren(badge(e.code || 'error', 'FAILED'), ' ', e.message);
      }
    });

    // Pause and resume are idempotent; a trigger is made so by its request id, one per click.
    const act = (label, method, after, klass) =>
      el('button', {
        class: klass, id: label.toLowerCase().replace(/\W+/g, '-') + '-btn',
        onclick: async (event) => {
          event.target.disabled = true;
          const request = method === 'JobService/TriggerJob' ? { name, requestId: 'ui-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8) } : { name };
          try {
            await after(await callRetrying(method, request));
            await page.refresh();
          } catch (e) {
            flash(label + ' failed: ' + e.message, true);
          } finally {
            event.target.disabled = false;
          }
        },
      }, label);
    const pause = act('Pause', 'JobService/PauseJob', () => flash('Paused ' + name));
    const resume = act('Resume', 'JobService/ResumeJob', () => flash('Resumed ' + name), 'primary');
    const trigger = act('Trigger now', 'JobService/TriggerJob', (run) => flash('Triggered run ' + run.runId));
    const remove = el('button', {
      class: 'danger', id: 'delete-btn',
      onclick: async () => {
        if (!window.confirm('Delete job "' + name + '"? No slot of it will fire again.')) return;
        try {
          await call('JobService/DeleteJob', { name });
          flash('Deleted ' + name);
          location.hash = '#/jobs';
        } catch (e) {
          flash('Delete failed: ' + e.message, true);
        }
      },
    }, 'Delete');
    actions.append(pause, resume, trigger, remove);

    function drawJob() {
      const spec = job.spec;
      redraw(facts, job, () => frag(
        el('dt', {}, 'Schedule'), el('dd', {}, el('code', {}, spec.schedule), ' ', el('span', { class: 'muted' }, job.scheduleDescription || '')),
        el('dt', {}, 'Zone'), el('dd', {}, spec.timeZone || 'UTC'),
        el('dt', {}, 'Status'), el('dd', { id: 'job-status' }, job.paused ? badge('paused', 'paused') : badge('active', 'healthy'),
          job.paused && job.pausedAt ? el('span', { class: 'muted small' }, ' since ' + time(job.pausedAt)) : ''),
        el('dt', {}, 'Next slot'), el('dd', {}, time(job.nextSlot), ' ', rel(job.nextSlot, true)),
        el('dt', {}, 'Fired / skipped'), el('dd', {}, job.firedCount + ' / ' + job.skippedCount),
        el('dt', {}, 'Policies'), el('dd', { class: 'small' }, 'misfire ' + policy(spec.misfire, 'fire-all') + ', overlap ' + policy(spec.overlap, 'allow')),
        el('dt', {}, 'Command'), el('dd', {}, el('code', {}, spec.executor && spec.executor.shell ? spec.executor.shell.command : '—')),
        el('dt', {}, 'Version'), el('dd', { class: 'mono' }, job.version)));
      pause.hidden = job.paused;
      resume.hidden = !job.paused;
    }

    function drawRuns(list) {
      redraw(runs, list, () => table(
        ['Slot', 'State', 'Attempt', 'Fired by', 'Worker', 'Started', 'Finished', 'Duration', 'Error'],
        list.map((run) => ({
          attrs: { class: 'run', 'data-run-id': run.runId },
          classes: [null, null, 'num', 'fired-by', 'worker', null, null, 'num', null],
          cells: [
            [time(run.slot), run.origin === 'MANUAL' || run.origin === 'BACKFILL' ? el('div', { class: 'muted small' }, run.origin.toLowerCase()) : ''],
            badge(run.state),
            run.attempt,
            run.firedBy ? [el('span', { class: 'node' }, run.firedBy), el('div', { class: 'muted small' }, 'term ' + run.term + ' · index ' + run.fireIndex)] : '—',
            run.worker || '—',
            time(run.startedAt),
            time(run.finishedAt),
            duration(run.startedAt, run.finishedAt),
            run.error || run.skipReason || '',
          ],
        })),
        'No runs yet.'));
    }

    main(
      el('div', { class: 'muted small' }, el('a', { href: '#/jobs' }, '← Jobs')),
      title, facts, actions,
      el('div', { class: 'grid2' },
        el('section', {}, el('h2', {}, 'Next slots'), preview),
        el('section', {}, el('h2', {}, 'Why did it (not) run at…?'), el('div', { class: 'card' }, explainForm, explainResult))),
      el('h2', {}, 'Runs'), runs);

    const page = {
      async refresh() {
        try {
          job = await call('JobService/GetJob', { name });
        } catch (e) {
          if (e.status !== 404) throw e;
          main(el('h1', {}, name), el('p', {}, 'Job "' + name + '" does not exist. ', el('a', { href: '#/jobs' }, 'All jobs')));
          return;
        }
        drawJob();
        const [next, recent] = await Promise.all([
          call('JobService/PreviewJob', { name, count: 5 }),
          call('RunService/ListRuns', { job: name, limit: 50 }),
        ]);
        redraw(preview, next, () => table(['Slot (UTC)', 'Local (' + next.timeZone + ')', 'DST'],
          next.slots.map((s) => ({ cells: [time(s.slot), s.localTime, s.dstNote || '—'] })), 'No further slot.'));
        drawRuns(recent.runs);
      },
    };
    return page;
  }

  function clusterPage() {
    const summary = el('dl', { class: 'facts card', id: 'cluster-summary' });
    const nodes = el('div', { id: 'nodes' });
    main(el('h1', {}, 'Cluster'), summary, el('h2', {}, 'Nodes'), nodes);
    return {
      async refresh() {
        const status = await call('ClusterService/GetStatus', {});
        redraw(summary, status, () => frag(
          el('dt', {}, 'Leader'), el('dd', { id: 'leader' }, status.leaderId || 'none known'),
          el('dt', {}, 'Term'), el('dd', {}, status.term),
          el('dt', {}, 'Nodes'), el('dd', {}, status.nodes.length)));
        redraw(nodes, status.nodes, () => table(
          ['Node', 'Role', 'Raft', 'gRPC', 'Term', 'Applied index', 'Health'],
          status.nodes.map((n) => ({
            attrs: { class: 'cluster-node', 'data-node': n.nodeId },
            classes: [null, null, 'mono', 'mono', 'num', 'num', null],
            cells: [
              [n.nodeId, n.nodeId === status.leaderId ? el('span', { class: 'muted small' }, ' (leader)') : ''],
              badge(n.role),
              n.raftAddr, n.grpcAddr, n.term, n.appliedIndex,
              n.error ? [badge('unhealthy'), el('div', { class: 'muted small' }, n.error)] : badge('healthy'),
            ],
          })),
          'No node registered yet.'));
      },
    };
  }

  /** Built-in alerts from the replicated state: firing first, resolved ones on request. */
  function alertsPage() {
    const resolved = el('input', { type: 'checkbox', id: 'alerts-resolved' });
    const list = el('div');
    resolved.addEventListener('change', () => refresh());
    main(el('h1', {}, 'Alerts'), el('label', { class: 'small' }, resolved, ' show resolved'), list);
    return {
      async refresh() {
        const answer = await call('AlertService/ListAlerts', { includeResolved: resolved.checked });
        const alerts = answer.alerts || [];
        redraw(list, alerts, () => table(
          ['State', 'Kind', 'Job', 'Run', 'Since', 'Detail'],
          alerts.map((a) => ({
            attrs: { class: 'alert', 'data-alert': a.id },
            cells: [
              badge(a.state),
              a.kind,
              a.job ? el('a', { href: jobHref(a.job) }, a.job) : '—',
              a.runId ? el('code', {}, a.runId) : '—',
              a.since ? [time(a.since), el('div', { class: 'muted small' }, a.resolvedAt ? 'resolved ' + time(a.resolvedAt) : '')] : '—',
              a.detail || '',
            ],
          })),
          'No alert is firing.'));
      },
    };
  }

  // ---- routing and refresh ----------------------------------------------------------------------

  function main(...children) {
    document.getElementById('main').replaceChildren(...children);
  }

  let current = null;
  let timer = null;

  /** Refreshes the page and the node line; a refresh error shows until a refresh succeeds. */
  async function refresh() {
    const page = current;
    const box = document.getElementById('flash');
    try {
      await page.refresh();
      if (box.dataset.fromRefresh) {
        box.hidden = true;
        delete box.dataset.fromRefresh;
      }
    } catch (e) {
      if (page !== current) return;
      flash(e.message, true);
      box.dataset.fromRefresh = 'yes';
    }
    call('ClusterService/GetNodeStatus', {})
      .then((n) => { document.getElementById('node').textContent = 'served by ' + n.nodeId + ' (' + n.role.toLowerCase() + ')'; })
      .catch(() => {});
  }

  function route() {
    const path = location.hash.replace(/^#/, '') || '/jobs';
    const entry = PAGES.find((p) => p.match.test(path));
    if (!entry) {
      location.hash = '#/jobs';
      return;
    }
    const section = entry.nav || entry.section;
    document.getElementById('nav').replaceChildren(...PAGES.filter((p) => p.nav)
      .map((p) => el('a', { href: p.href, class: p.nav === section ? 'active' : null }, p.nav)));
    clearInterval(timer);
    current = entry.mount(path.match(entry.match));
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  }

  document.getElementById('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById('auth-token').value);
    document.getElementById('auth').hidden = true;
    refresh();
  });
  window.addEventListener('hashchange', route);
  route();
})();
