// The operator's dashboard: plain scripts (this one and dashboard-render.js, its rendering helpers), served as
// they are written (no bundler, no framework, no CDN).
//
// Why this rendering approach: the server answers JSON only (the same endpoints the tests call with
// supertest), and this file builds the page from it with DOM calls, setting every value with textContent
// and never innerHTML. So a company text or an AI answer holding <script>, <img onerror> or a javascript:
// link can only ever be text, by construction rather than by escaping; the script is a same-origin file,
// so helmet's Content-Security-Policy (script-src 'self', no inline script or handler) stays as it is; and
// changing the page needs no build step and no template language, just this file and index.html.
/* global AutoseoRender */
'use strict';

(function () {
  const { $, setText, cell, formatDuration, formatDate, timelineChart } = AutoseoRender;
  const TOKEN_KEY = 'autoseo.dashboard.token';
  const REFRESH_MS = 5000;

  const view = { page: 1, limit: 20, status: '', search: '', openId: null, paused: null, timer: null, running: false, again: false };

  class AuthError extends Error {}

  // The token lives in this tab's sessionStorage and travels only in the Authorization header: no cookie,
  // so a request another site makes the browser send carries no credential at all.
  async function api(path, method, body, token) {
    const headers = { Accept: 'application/json' };
    const bearer = token === undefined ? sessionStorage.getItem(TOKEN_KEY) : token;
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method: method || 'GET',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    const answer = await response.json().catch(() => null);
    const message = answer && answer.message ? [].concat(answer.message).join('\n') : 'HTTP ' + response.status;
    if (response.status === 401) throw new AuthError(message);
    if (!response.ok) throw new Error(message);
    return answer;
  }

  function showLogin(message) {
    stopRefresh();
    $('app').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token-input').focus();
  }

  function showApp() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = !sessionStorage.getItem(TOKEN_KEY);
  }

  function stopRefresh() {
    clearTimeout(view.timer);
    view.timer = null;
  }

  function scheduleRefresh() {
    stopRefresh();
    view.timer = setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    // One refresh at a time; a refresh asked for meanwhile (an action, a filter) runs right after.
    if (view.running) {
      view.again = true;
      return;
    }
    view.running = true;
    view.again = false;
    try {
      const [overview, timeline, records] = await Promise.all([
        api('/dashboard/api/overview'),
        api('/dashboard/api/timeline'),
        api('/dashboard/api/records?' + recordsQuery()),
      ]);
      renderOverview(overview);
      renderTimeline(timeline.hours);
      renderRecords(records);
      if (view.openId !== null) renderDetail(await api('/clients/' + view.openId));
      setText('updated', 'updated ' + new Date().toLocaleTimeString());
      showApp();
      scheduleRefresh();
    } catch (error) {
      if (error instanceof AuthError) {
        const hadToken = Boolean(sessionStorage.getItem(TOKEN_KEY));
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin(hadToken ? 'The token was refused (' + error.message + '); give it again.' : '');
      } else {
        setText('updated', 'refresh failed: ' + error.message);
        scheduleRefresh();
      }
    } finally {
      view.running = false;
      if (view.again) refresh();
    }
  }

  function recordsQuery() {
    const query = new URLSearchParams({ page: String(view.page), limit: String(view.limit) });
    if (view.status) query.set('context_status', view.status);
    if (view.search) query.set('search', view.search);
    return query.toString();
  }

  function renderOverview(overview) {
    setText('driver', 'queue: ' + overview.driver);
    const queue = overview.queue;
    setText('count-waiting', queue && queue.waiting);
    setText('count-active', queue && queue.active);
    setText('count-delayed', queue && queue.delayed);
    setText('count-failed', queue && queue.failed);
    setText('queue-state', queue ? (queue.paused ? 'paused' : 'running') : 'no queue');
    setText('oldest-wait', queue && queue.oldestWaitingMs !== null ? formatDuration(queue.oldestWaitingMs) : null);
    $('queue-message').textContent = overview.queueMessage || '';
    view.paused = queue ? queue.paused : null;
    $('pause-toggle').textContent = view.paused ? 'Resume queue' : 'Pause queue';
    $('pause-toggle').disabled = !queue;
    $('retry-all').disabled = !queue || queue.failed === 0;

    const ai = overview.ai;
    setText('ai-status', ai.status);
    $('ai-status').className = 'value ' + (ai.status === 'up' ? 'good' : 'bad');
    const breaker = ai.breaker;
    setText('ai-breaker', breaker.state + (breaker.retryAt ? ', retries ' + new Date(breaker.retryAt).toLocaleTimeString() : ''));
    const calls = ai.calls;
    setText('ai-latency', calls.calls === 0 ? 'no calls yet' : calls.medianMs + ' ms, ' + calls.lastMs + ' ms');
    setText('ai-probe', ai.probeLatencyMs === null ? null : ai.probeLatencyMs + ' ms');
    $('ai-message').textContent = ai.protocol + ' · ' + ai.model + (ai.message ? ' · ' + ai.message : '');
  }

  function renderTimeline(hours) {
    const chart = timelineChart(hours);
    $('chart').replaceChildren(chart.svg);
    $('timeline-totals').textContent = ' · ' + chart.processed + ' processed, ' + chart.failed + ' failed';
  }

  function renderRecords(records) {
    const rows = records.data.map((record) => {
      const row = document.createElement('tr');
      row.dataset.id = record.id;
      if (record.id === view.openId) row.className = 'open';
      row.append(
        cell(record.id),
        cell(record.client_name, 'client'),
        cell(record.client_email, 'email'),
        cell(record.context_status, 'status status-' + record.context_status),
        cell(record.context_attempts),
        cell(formatDate(record.context_processed_at)),
      );
      row.addEventListener('click', () => openRecord(record.id));
      return row;
    });
    $('records-body').replaceChildren(...rows);
    const { page, limit, total, total_exact: exact, next_cursor: nextCursor } = records.meta;
    // total_exact false: at least `total` match (10,000, or a search's matches among the newest): "N+"; "next" follows next_cursor.
    const last = Math.max(1, Math.ceil(total / limit));
    $('page-info').textContent = exact
      ? 'page ' + page + ' of ' + last + ' · ' + total + ' record(s)'
      : 'page ' + page + ' · ' + total + '+ records';
    $('page-prev').disabled = page <= 1;
    $('page-next').disabled = !nextCursor;
  }

  function renderDetail(record) {
    $('detail').hidden = false;
    $('detail-title').textContent = 'Record ' + record.id + ': ' + record.client_name;
    setText('detail-status', record.context_status);
    setText('detail-attempts', record.context_attempts);
    setText('detail-processed-at', formatDate(record.context_processed_at));
    setText('detail-error', record.context_error);
    setText('detail-url', record.url);
    $('detail-original').textContent = record.company_context_original;
    $('detail-processed').textContent = record.context_status === 'processed' ? record.company_context : '(not processed)';
    $('retry-record').disabled = record.context_status !== 'failed';
  }

  async function openRecord(id) {
    view.openId = id;
    try {
      renderDetail(await api('/clients/' + id));
      $('detail').scrollIntoView({ block: 'nearest' });
    } catch (error) {
      report(error);
    }
  }

  function report(outcome) {
    const failed = outcome instanceof Error;
    $('result').textContent = failed ? outcome.message : outcome;
    $('result').className = 'result ' + (failed ? 'bad' : 'good');
    if (outcome instanceof AuthError) refresh();
  }

  // A DOM dialog rather than window.confirm: it is styled with the page and drivable by tests.
  function confirmAction(message) {
    const dialog = $('confirm');
    $('confirm-message').textContent = message;
    return new Promise((resolve) => {
      const finish = (answer) => {
        $('confirm-ok').removeEventListener('click', yes);
        $('confirm-cancel').removeEventListener('click', no);
        dialog.removeEventListener('cancel', no);
        dialog.close();
        resolve(answer);
      };
      const yes = () => finish(true);
      const no = () => finish(false);
      $('confirm-ok').addEventListener('click', yes);
      $('confirm-cancel').addEventListener('click', no);
      dialog.addEventListener('cancel', no);
      dialog.showModal();
    });
  }

  async function act(question, path, body) {
    if (!(await confirmAction(question))) return;
    try {
      const answer = await api(path, 'POST', body);
      report(answer.message || 'Done: record ' + answer.id + ' is ' + answer.context_status + '.');
    } catch (error) {
      report(error);
    }
    await refresh();
  }

  async function login(event) {
    event.preventDefault();
    const token = $('token-input').value.trim();
    try {
      await api('/dashboard/api/overview', 'GET', undefined, token);
    } catch (error) {
      $('login-error').textContent = error instanceof AuthError ? error.message : 'The service did not answer: ' + error.message;
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    await refresh();
  }

  function wire() {
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('');
    });
    $('pause-toggle').addEventListener('click', () => {
      const pause = !view.paused;
      act(pause ? 'Pause the queue? Workers take no new jobs until it is resumed.' : 'Resume the queue?', '/dashboard/api/pause', {
        paused: pause,
      });
    });
    $('retry-all').addEventListener('click', () => act('Retry every failed job?', '/dashboard/api/retry-all'));
    $('retry-record').addEventListener('click', () =>
      act('Retry the failed job of record ' + view.openId + '?', '/dashboard/api/records/' + view.openId + '/retry'),
    );
    $('reprocess-record').addEventListener('click', () =>
      act('Process record ' + view.openId + ' again from its original text?', '/clients/' + view.openId + '/context/reprocess'),
    );
    $('close-detail').addEventListener('click', () => {
      view.openId = null;
      $('detail').hidden = true;
    });
    $('filters').addEventListener('submit', (event) => event.preventDefault());
    $('status-filter').addEventListener('change', () => {
      view.status = $('status-filter').value;
      view.page = 1;
      refresh();
    });
    let typing;
    $('search').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        view.search = $('search').value.trim();
        view.page = 1;
        refresh();
      }, 300);
    });
    $('page-prev').addEventListener('click', () => {
      view.page = Math.max(1, view.page - 1);
      refresh();
    });
    $('page-next').addEventListener('click', () => {
      view.page += 1;
      refresh();
    });
  }

  wire();
  // Without a stored token the first call goes without one: it answers 401 when API_TOKEN is set (the login
  // shows, nothing was read) and the data when the service runs without a token (development).
  refresh();
})();
