// Park history: ended calls, newest first, filtered by tenant (the top bar), slot, time and outcome; "Load more"
// follows the server's cursor; a click opens the call's steps; "Export CSV" writes the current filter to a file.
// Caller names are data from the network: text nodes here, quoted and formula-proofed cells in the CSV.
import { api, ApiError } from './api.js';
import { h, mount, toast, duration } from './dom.js';

export const OUTCOMES = {
  ANSWERED: 'Retrieved', RECALLED: 'Answered on recall', ABANDONED: 'Caller hung up',
  TIMED_OUT: 'Timed out', FORCED: 'Hung up by admin', FAILED: 'Failed',
};
const GOOD = new Set(['ANSWERED', 'RECALLED']);
const PAGE = 50;
/** CSV export: pages of 1,000, at most this many (a bounded loop; the file says when it stopped early). */
const EXPORT_PAGES = 100;

/** Whom a recall rang, from a step's detail: "parker 101", "ring group sales" (an "attempt N: " prefix dropped). */
const whom = (detail) => String(detail || '').replace(/^attempt \d+:\s*/, '');

/** One step of a call for people: "retrieved by 103", "caller hung up". */
export function stepText(s, call) {
  const d = s.detail || (/^(RETRIEVED|RECALL_ANSWERED|FORCED)$/.test(s.type) ? call.resolvedBy || '' : '');
  switch (s.type) {
    case 'PARKED': return call.parkedBy ? `parked by ${call.parkedBy}` : 'parked';
    case 'RECALLING': return whom(d) ? `rang ${whom(d)}` : 'recall rang';
    case 'RECALL_FAILED': return 'recall not answered';
    case 'RETRIEVED': return d ? `retrieved by ${d}` : 'retrieved';
    case 'RECALL_ANSWERED': return d ? `answered on recall by ${d}` : 'answered on recall';
    case 'ABANDONED': return 'caller hung up';
    case 'TIMED_OUT': return 'nobody answered the recalls';
    case 'FORCED': return d ? `hung up by ${d}` : 'hung up by an administrator';
    case 'FAILED': return d ? `failed: ${d}` : 'failed';
    default: return `${String(s.type || '').toLowerCase().replace(/_/g, ' ')}${d ? ` — ${d}` : ''}`;
  }
}

/**
 * The steps as lines, oldest first: a recall attempt and its outcome are one line ("rang parker 101 — not
 * answered"; the last attempt's failure is the TIMED_OUT step itself); everything else is one line per step.
 */
export function stepLines(call) {
  const lines = [];
  let ringing = null; // the line of the recall attempt that has no outcome yet
  for (const s of call.steps || []) {
    if (s.type === 'RECALL_FAILED' && ringing) {
      ringing.text += ' — not answered';
      ringing = null;
      continue;
    }
    if (s.type === 'RECALL_ANSWERED' && ringing) ringing.text += ' — answered';
    if (s.type === 'TIMED_OUT' && ringing) ringing.text += ' — not answered'; // the last attempt ends the call
    const line = { at: s.at, text: stepText(s, call) };
    ringing = s.type === 'RECALLING' ? line : null;
    lines.push(line);
  }
  return lines;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A cell a spreadsheet
 * would run as a formula (starting with = + - @, or a tab/CR that some strip first) gets a leading ' (OWASP).
 */
export function csvCell(value) {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['callId', 'tenant', 'slot', 'slotLabel', 'callerName', 'callerNumber', 'parkedBy',
  'parkGroup', 'parkedAt', 'endedAt', 'waitedSeconds', 'resolution', 'resolvedBy', 'recallAttempts', 'node'];

export function toCsv(records) {
  const rows = [CSV_COLUMNS];
  for (const r of records) {
    const slot = r.slot || {};
    const caller = r.caller || {};
    rows.push([r.callId, r.tenant, slot.name, slot.label, caller.name, caller.number, r.parkedBy, r.parkGroup,
      r.parkedAt, r.endedAt, r.waitedSeconds, r.resolution, r.resolvedBy, r.recallAttempts, r.node]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const when = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso || '') : d.toLocaleString(undefined,
    { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
};
/** The value of a datetime-local input as an ISO instant (the browser's time zone), or ''. */
const instant = (local) => {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
};

export class HistoryView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.loadId = 0;
    this.records = [];
    this.cursor = null;
  }

  start() {
    const field = (id, label, input) => h('div', { class: 'filter' }, h('label', { for: id }, label), input);
    this.slot = h('input', { id: 'h-slot', name: 'slot', placeholder: '101 or Sales', maxlength: 64 });
    this.since = h('input', { id: 'h-since', name: 'since', type: 'datetime-local', step: 1 });
    this.until = h('input', { id: 'h-until', name: 'until', type: 'datetime-local', step: 1 });
    this.outcome = h('select', { id: 'h-resolution', name: 'resolution' }, h('option', { value: '' }, 'Any outcome'),
      Object.entries(OUTCOMES).map(([k, v]) => h('option', { value: k }, v)));
    this.outcome.addEventListener('change', () => this.render());
    this.error = h('p', { class: 'form-error banner', role: 'alert', id: 'history-error', hidden: true });
    this.count = h('span', { class: 'muted', id: 'history-count' });
    this.list = h('div', { id: 'history-list' });
    this.more = h('button', { class: 'btn', type: 'button', id: 'history-more', hidden: true,
      onclick: () => this.load(true) }, 'Load more');
    const form = h('form', { class: 'card filters', id: 'history-filters' },
      field('h-slot', 'Slot', this.slot), field('h-since', 'Ended after', this.since),
      field('h-until', 'Ended before', this.until), field('h-resolution', 'Outcome', this.outcome),
      h('div', { class: 'filter filter-actions' },
        h('button', { class: 'btn btn-primary', type: 'submit', id: 'history-apply' }, 'Apply'),
        h('button', { class: 'btn', type: 'button', id: 'history-export', onclick: () => this.exportCsv() },
          'Export CSV')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.load(false);
    });
    mount(this.root,
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, 'History'),
          h('p', { class: 'muted' }, 'Parked calls that ended: who waited where, for how long, and who took them.')),
        h('div', { class: 'page-tools' }, this.count)),
      form, this.error, this.list, h('div', { class: 'more' }, this.more));
    this.load(false);
  }

  stop() {
    this.loadId++;
  }

  tenantChanged() {
    this.load(false);
  }

  /** The REST query of the filters (without the outcome, which filters the loaded rows here). */
  query() {
    const q = {};
    if (this.app.tenant) q.tenant = this.app.tenant;
    if (this.slot.value.trim()) q.slot = this.slot.value.trim();
    const since = instant(this.since.value);
    const until = instant(this.until.value);
    if (since) q.since = since;
    if (until) q.until = until;
    return q;
  }

  async load(more) {
    const id = ++this.loadId;
    const q = { ...this.query(), limit: PAGE };
    if (more && this.cursor) q.cursor = this.cursor;
    this.more.disabled = true;
    if (!more) mount(this.list, h('div', { class: 'card loading' }, 'Loading…'));
    try {
      const page = await api.history(q);
      if (id !== this.loadId) return;
      this.records = more ? this.records.concat(page.records) : page.records;
      this.cursor = page.nextCursor || null;
      this.error.hidden = true;
      this.render();
    } catch (e) {
      if (id !== this.loadId || (e instanceof ApiError && e.status === 401)) return;
      this.error.hidden = false;
      this.error.textContent = e.status === 503 ? `History is not available: ${e.message}`
        : `History could not be loaded: ${e.message}`;
      if (!more) mount(this.list);
    } finally {
      if (id === this.loadId) this.more.disabled = false;
    }
  }

  visible() {
    const o = this.outcome.value;
    return o ? this.records.filter((r) => r.resolution === o) : this.records;
  }

  render() {
    const rows = this.visible();
    this.more.hidden = !this.cursor;
    this.count.textContent = `${rows.length} ${rows.length === 1 ? 'call' : 'calls'}${this.cursor ? ' (more to load)' : ''}`;
    if (!rows.length) {
      mount(this.list, h('div', { class: 'empty', id: 'history-empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '⏱'),
        h('h2', {}, 'No calls match'),
        h('p', { class: 'muted' }, 'Ended parked calls appear here once they are resolved.')));
      return;
    }
    const allTenants = !this.app.tenant && this.app.tenants.length > 1;
    const cell = (label, ...c) => h('td', { 'data-label': label }, ...c);
    mount(this.list, h('div', { class: 'card table-card' }, h('table', { class: 'table history-table', id: 'history-table' },
      h('thead', {}, h('tr', {}, ['Ended', 'Slot', 'Caller', 'Parked by', 'Waited', 'Outcome', 'Taken by', '']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', { dataset: { callId: r.callId, tenant: r.tenant } },
        cell('Ended', h('span', { class: 'num' }, when(r.endedAt))),
        cell('Slot', h('span', { class: 'slot-label' }, (r.slot && (r.slot.label || r.slot.name)) || ''),
          allTenants ? h('span', { class: 'tenant-tag' }, this.app.tenantName(r.tenant)) : null),
        cell('Caller', h('span', { class: 'caller-name' }, (r.caller && r.caller.name) || 'Unknown caller'),
          h('span', { class: 'caller-number muted' }, (r.caller && r.caller.number) || '')),
        cell('Parked by', r.parkedBy || '—'),
        cell('Waited', h('span', { class: 'num' }, duration(r.waitedSeconds))),
        cell('Outcome', h('span', { class: `pill ${GOOD.has(r.resolution) ? 'pill-ok' : 'pill-warn'}` },
          OUTCOMES[r.resolution] || r.resolution)),
        cell('Taken by', r.resolvedBy || '—'),
        h('td', { class: 'row-actions' }, h('button', { class: 'btn btn-sm', type: 'button',
          'aria-label': `Details of the call from ${(r.caller && (r.caller.name || r.caller.number)) || 'unknown'}`,
          onclick: () => this.detail(r) }, 'Details'))))))));
  }

  async detail(r) {
    let call;
    try {
      call = await api.historyCall(r.callId);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast(`Details could not be loaded: ${e.message}`, 'error');
      return;
    }
    const item = (label, value) => [h('dt', {}, label), h('dd', {}, value || '—')];
    const dlg = h('dialog', { class: 'modal', id: 'history-detail', 'aria-labelledby': 'detail-title' },
      h('div', { class: 'modal-head' },
        h('h2', { id: 'detail-title' }, (call.caller && call.caller.name) || (call.caller && call.caller.number) || 'Unknown caller'),
        h('button', { class: 'btn btn-ghost btn-icon', type: 'button', 'aria-label': 'Close', onclick: () => dlg.close() }, '✕')),
      h('dl', { class: 'facts' },
        item('Number', call.caller && call.caller.number),
        item('Slot', call.slot && (call.slot.label || call.slot.name)),
        item('Tenant', this.app.tenantName(call.tenant)),
        item('Parked', when(call.parkedAt)),
        item('Waited', duration(call.waitedSeconds)),
        item('Outcome', OUTCOMES[call.resolution] || call.resolution),
        item('Taken by', call.resolvedBy),
        item('Node', call.node)),
      h('h3', {}, 'Steps'),
      (call.steps || []).length ? h('ol', { class: 'steps', id: 'history-steps' }, stepLines(call).map((l) => h('li', {},
        h('span', { class: 'step-time num muted' }, when(l.at)), h('span', { class: 'step-text' }, l.text))))
        : h('p', { class: 'muted' }, 'No steps recorded.'));
    document.body.appendChild(dlg);
    dlg.addEventListener('close', () => dlg.remove());
    dlg.showModal();
  }

  /** Every record of the current filter (all pages, not only the loaded ones), as a CSV download. */
  async exportCsv() {
    const btn = document.getElementById('history-export');
    btn.disabled = true;
    try {
      const base = { ...this.query(), limit: 1000 };
      const outcome = this.outcome.value;
      let all = [];
      let cursor = null;
      let pages = 0;
      do {
        const page = await api.history(cursor ? { ...base, cursor } : base);
        all = all.concat(outcome ? page.records.filter((x) => x.resolution === outcome) : page.records);
        cursor = page.nextCursor || null;
      } while (cursor && ++pages < EXPORT_PAGES);
      if (cursor) toast(`Exported the newest ${all.length} calls only; narrow the filter for older ones.`, 'info', 8000);
      const url = URL.createObjectURL(new Blob([toCsv(all)], { type: 'text/csv;charset=utf-8' }));
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const a = h('a', { href: url, download: `callpark-history-${stamp}.csv`, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast(`Export failed: ${e.message}`, 'error');
    } finally {
      btn.disabled = false;
    }
  }
}
