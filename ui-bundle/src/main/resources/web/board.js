// The live board: parked calls of the tenants the user may see, kept current by server-sent events
// (a snapshot, then one event per change, in sequence), waiting times ticking client-side.
import { api, ApiError } from './api.js';
import { h, mount, toast, confirmDialog, duration } from './dom.js';
import { matches, installShortcuts, shortcutsDialog } from './boardkeys.js';
import { countdownText, urgency } from './countdown.js';
import { Notifier } from './notify.js';
import { ScopeChips } from './boardfilter.js';
import { sendToMeButton } from './sendtome.js';

const FINAL = new Set(['RETRIEVED', 'RECALL_ANSWERED', 'ABANDONED', 'TIMED_OUT', 'FORCED', 'FAILED']);
const ENDINGS = {
  RETRIEVED: 'retrieved', RECALL_ANSWERED: 'answered on recall', ABANDONED: 'caller hung up',
  TIMED_OUT: 'nobody answered the recalls', FORCED: 'hung up by an operator', FAILED: 'failed',
};

/** "Parked", "Recalling 2/3 — parker", "Recalling 1/2 — ring group". */
export function stateText(call) {
  if (call.state === 'RECALLING') {
    const who = { RING_GROUP: 'ring group', FINAL_DESTINATION: 'final destination' }[call.recallTarget] || 'parker';
    const n = call.recallAttempt ? `${call.recallAttempt}/${call.retries}` : '';
    return `Recalling ${n} — ${who}`.replace('  ', ' ');
  }
  return call.recallAttempt ? `Parked · ${call.recallAttempt}/${call.retries} recalls` : 'Parked';
}

/** Who a recall step rings, in words: the parker's name once known ("Bob"), else the extension. */
function parkerName(board, c) {
  const u = (board.users.get(c.tenant) || []).find((x) => x.extension === c.parkedBy);
  return (u && u.displayName) || c.parkedBy || 'the parker';
}

export class BoardView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.calls = new Map(); // id -> call
    this.lastSeq = -1;
    this.source = null;
    this.timer = null;
    this.retry = null;
    this.users = new Map(); // tenant -> users (for "send to extension")
    this.sent = new Map(); // call id -> extension it was sent to (for the success toast)
    this.firstSeen = new Map(); // id -> epoch ms when this page first showed the call (highlights new calls)
  }

  start() {
    this.notifier = new Notifier(this.app.session);
    this.chips = new ScopeChips(this.app.session, () => this.render());
    this.status = h('span', { id: 'live-status', class: 'live', dataset: { state: 'connecting' } },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'live-text' }, 'Connecting…'));
    this.count = h('span', { class: 'muted', id: 'call-count' });
    this.search = h('input', { type: 'search', id: 'board-search', class: 'board-search', placeholder: 'Search  /',
      'aria-label': 'Search by slot, group or caller', autocomplete: 'off', oninput: () => this.render() });
    const help = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', id: 'shortcuts-help',
      'aria-label': 'Keyboard shortcuts', title: 'Keyboard shortcuts (?)', onclick: () => shortcutsDialog() }, '?');
    this.list = h('div', { class: 'board', id: 'board' });
    // what changed, for screen readers: one short sentence per park or pickup (the rows themselves are not live)
    this.announcer = h('div', { id: 'board-announcer', class: 'sr-only', role: 'status', 'aria-live': 'polite',
      'aria-atomic': 'true' });
    mount(this.root,
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, 'Live board'),
          h('p', { class: 'muted' }, 'Parked calls, updated as they happen.')),
        h('div', { class: 'page-tools' }, this.chips.element, this.search, this.count, this.status,
          this.notifier.control, help)),
      this.list, this.announcer);
    this.render();
    this.connect();
    this.timer = setInterval(() => this.tick(), 1000);
    this.removeShortcuts = installShortcuts(this);
  }

  stop() {
    this.stopped = true;
    if (this.removeShortcuts) this.removeShortcuts();
    document.title = 'Call Park';
    clearInterval(this.timer);
    clearTimeout(this.retry);
    if (this.source) this.source.close();
    this.source = null;
  }

  tenantChanged() {
    this.render();
  }

  setStatus(state, text) {
    this.status.dataset.state = state;
    this.status.querySelector('.live-text').textContent = text;
  }

  connect() {
    if (this.source) this.source.close();
    const es = new EventSource(api.eventsUrl(), { withCredentials: true });
    this.source = es;
    es.addEventListener('open', () => this.setStatus('open', 'Live'));
    es.addEventListener('snapshot', (ev) => {
      // a fresh snapshot (first connect or reconnect) replaces everything; sequence numbers restart with it
      const data = JSON.parse(ev.data);
      this.calls.clear();
      for (const c of data.calls || []) this.calls.set(c.id, c);
      this.lastSeq = Number(ev.lastEventId || 0);
      this.setStatus('open', 'Live');
      this.render();
    });
    es.addEventListener('park', (ev) => {
      const seq = Number(ev.lastEventId);
      if (Number.isFinite(seq) && seq <= this.lastSeq) return; // already applied
      if (Number.isFinite(seq)) this.lastSeq = seq;
      this.apply(JSON.parse(ev.data));
    });
    es.addEventListener('send-failed', (ev) => {
      const d = JSON.parse(ev.data);
      const call = this.calls.get(d.callId);
      const who = call ? (call.caller.name || call.caller.number) : 'the call';
      toast(`Could not connect ${who} to ${d.extension}: ${d.message || d.reason}`, 'error', 8000);
    });
    es.addEventListener('error', () => {
      // The stream broke or was refused. We reconnect ourselves instead of letting EventSource retry: its retry
      // cannot carry X-Requested-With, so a 401 for an ended session could make the browser pop up its own Basic
      // login dialog. The session check (a fetch with the header) decides: valid → a new stream with a fresh
      // snapshot; 401 → our login form; server unreachable → try again with a growing pause.
      if (this.source !== es) return;
      es.close();
      this.source = null;
      this.reconnect(1000);
    });
  }

  reconnect(delay) {
    this.setStatus('connecting', 'Reconnecting…');
    clearTimeout(this.retry);
    this.retry = setTimeout(async () => {
      try {
        await api.session();
      } catch (e) {
        if (e.status === 401) return; // the shell shows the login form
        this.setStatus('down', 'Disconnected — retrying');
        if (!this.stopped) this.reconnect(Math.min(delay * 2, 10000));
        return;
      }
      if (!this.stopped) this.connect();
    }, delay);
  }

  apply(event) {
    const call = event.call;
    if (!call || !call.id) return;
    this.announce(event);
    if (FINAL.has(event.type) || call.state === 'ENDED') {
      const had = this.calls.delete(call.id);
      if (had && event.type === 'FORCED') toast(`Call from ${call.caller.name || call.caller.number} hung up.`, 'info');
      if (had && event.type === 'RETRIEVED' && this.sent.has(call.id)) {
        toast(`${call.caller.name || call.caller.number} is connected to ${this.sent.get(call.id)}.`, 'success');
      }
      this.sent.delete(call.id);
      this.render(call.id, ENDINGS[event.type]);
      return;
    }
    const old = this.calls.get(call.id);
    if (old && typeof old.version === 'number' && typeof call.version === 'number' && call.version < old.version) return;
    this.calls.set(call.id, call);
    this.render();
  }

  /** "Customer parked on 102 by Bob", "Customer picked up from 102": into the aria-live region. */
  announce(event) {
    const c = event.call;
    if (this.app.tenant && c.tenant !== this.app.tenant) return;
    const who = (c.caller && (c.caller.name || c.caller.number)) || 'A caller';
    const where = (c.slot && (c.slot.label || c.slot.name)) || '';
    let text = null;
    if (event.type === 'PARKED') text = `${who} parked on ${where}${c.parkedBy ? ` by ${parkerName(this, c)}` : ''}`;
    else if (event.type === 'RETRIEVED') text = `${who} picked up from ${where}`;
    else if (event.type === 'RECALL_ANSWERED') text = `${who} answered on recall`;
    else if (event.type === 'ABANDONED') text = `${who} hung up while parked on ${where}`;
    if (text) this.announcer.textContent = text + '.';
    if (event.type === 'PARKED') this.notifier.parked(c, text);
    if (event.type === 'RECALLING') this.notifier.recalling(c, `${who} from ${where} recalls you`);
  }

  seen(id) {
    if (!this.firstSeen.has(id)) this.firstSeen.set(id, Date.now());
    for (const k of this.firstSeen.keys()) if (!this.calls.has(k)) this.firstSeen.delete(k);
    return this.firstSeen.get(id);
  }

  visibleCalls() {
    const t = this.app.tenant;
    return [...this.calls.values()]
      .filter((c) => !t || c.tenant === t)
      .sort((a, b) => (a.parkedAt < b.parkedAt ? -1 : a.parkedAt > b.parkedAt ? 1 : 0));
  }

  /** Marks the call the shortcuts act on (j/k) and moves the keyboard focus to its row. */
  select(id) {
    this.selected = id;
    for (const r of this.list.querySelectorAll('.board-row.call')) {
      const on = r.dataset.callId === id;
      r.classList.toggle('is-selected', on);
      r.setAttribute('aria-selected', String(on));
      if (on) r.focus();
    }
  }

  render() {
    const all = this.visibleCalls();
    // the count in the tab title: the board is often a background tab at a reception desk (all calls, not filtered)
    document.title = all.length ? `(${all.length}) Call Park` : 'Live board · Call Park';
    const calls = all.filter((c) => matches(c, this.search.value) && this.chips.keeps(c));
    const n = all.length === 1 ? '1 parked call' : `${all.length} parked calls`;
    this.count.textContent = calls.length === all.length ? n : `${calls.length} of ${n}`;
    if (!calls.length && all.length) {
      this.table = null;
      this.rows = new Map();
      mount(this.list, h('div', { class: 'empty', id: 'board-empty' },
        h('h2', {}, 'No parked call matches'), h('p', { class: 'muted' }, this.chips.filtering()
          ? 'Choose All to see every call, or press Esc in the search box to clear it.'
          : 'Press Esc in the search box to clear it.')));
      return;
    }
    if (!calls.length) {
      this.table = null;
      this.rows = new Map();
      mount(this.list, h('div', { class: 'empty', id: 'board-empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '☎'),
        h('h2', {}, 'No parked calls'),
        h('p', { class: 'muted' }, 'Parked calls appear here at once.')));
      return;
    }
    const allTenants = !this.app.tenant && this.app.tenants.length > 1;
    const edit = this.app.session.canOperate; // hang up / send to: callpark-operator or -admin
    const toMe = edit && (this.app.session.links || []).length > 0; // "Send to me" on the calls of linked tenants
    if (!this.table) {
      this.rows = new Map(); // id -> {sig, el}: unchanged rows stay in place (keeps keyboard focus)
      this.table = h('div', { class: `board-table${edit ? '' : ' read-only'}${toMe ? ' has-me' : ''}`, role: 'table',
        'aria-label': 'Parked calls' },
        h('div', { class: 'board-row board-head', role: 'row' },
          h('span', { role: 'columnheader' }, 'Slot'),
          h('span', { role: 'columnheader' }, 'Caller'),
          h('span', { role: 'columnheader' }, 'Parked by'),
          h('span', { role: 'columnheader' }, 'Waiting'),
          h('span', { role: 'columnheader' }, 'State'),
          h('span', { role: 'columnheader', class: 'actions-head' }, edit ? 'Actions' : '')));
      mount(this.list, this.table);
    }
    const wanted = new Set(calls.map((c) => c.id));
    for (const [id, r] of this.rows) {
      if (!wanted.has(id)) {
        r.el.remove();
        this.rows.delete(id);
      }
    }
    let before = this.table.firstElementChild; // the head row
    for (const c of calls) {
      const sig = JSON.stringify([c, allTenants, this.person(c.tenant, c.parkedBy)]);
      let r = this.rows.get(c.id);
      if (!r || r.sig !== sig) {
        const el = this.row(c, allTenants, edit);
        if (r) r.el.replaceWith(el);
        r = { sig, el };
        this.rows.set(c.id, r);
      }
      if (before.nextElementSibling !== r.el) before.after(r.el);
      before = r.el;
    }
    this.tick();
  }

  row(c, allTenants, edit) {
    const slot = c.slot || {};
    const recalling = c.state === 'RECALLING';
    const seen = this.seen(c.id);
    const fresh = Date.now() - seen < 1000;
    const sel = this.selected === c.id;
    return h('div', { class: `board-row call${recalling ? ' is-recalling' : ''}${fresh ? ' is-new' : ''}${sel ? ' is-selected' : ''}`,
      role: 'row', tabindex: '-1', 'aria-selected': String(sel), onclick: () => { this.selected = c.id; },
      dataset: { callId: c.id, tenant: c.tenant, firstSeen: String(seen) } },
      h('span', { class: 'cell slot', role: 'cell', 'data-label': 'Slot' },
        h('span', { class: 'slot-main' },
          h('span', { class: `kind kind-${(slot.kind || '').toLowerCase()}` }, slot.kind === 'GROUP' ? 'Group' : 'Ext'),
          h('span', { class: 'slot-label' }, slot.label || slot.name || '')),
        allTenants ? h('span', { class: 'tenant-tag' }, this.app.tenantName(c.tenant)) : null),
      h('span', { class: 'cell caller', role: 'cell', 'data-label': 'Caller' },
        h('span', { class: 'caller-name' }, c.caller && c.caller.name ? c.caller.name : 'Unknown caller'),
        h('span', { class: 'caller-number muted' }, (c.caller && c.caller.number) || '')),
      h('span', { class: 'cell parked-by', role: 'cell', 'data-label': 'Parked by' }, this.person(c.tenant, c.parkedBy),
        // named by a park nobody verified: shown in words (not colour only); the recall does not ring this user
        c.parkedBy && c.parkerVerified === false ? h('span', { class: 'unverified',
          title: 'The park did not prove who parked it: this user is not rung back' }, 'unverified') : null),
      h('span', { class: 'cell waiting', role: 'cell', 'data-label': 'Waiting', dataset: { parkedAt: c.parkedAt } }, ''),
      h('span', { class: 'cell state', role: 'cell', 'data-label': 'State' },
        h('span', { class: `pill ${recalling ? 'pill-warn' : 'pill-ok'}` }, stateText(c)),
        h('span', { class: 'countdown muted', dataset: { nextAt: c.nextActionAt || '' } })),
      edit ? h('span', { class: 'cell actions', role: 'cell' },
        sendToMeButton(this, c),
        h('button', { class: 'btn btn-sm', type: 'button', 'aria-label': `Send call from ${c.caller.name || c.caller.number} to an extension`,
          onclick: () => this.sendDialog(c) }, 'Send to…'),
        h('button', { class: 'btn btn-sm btn-danger-ghost', type: 'button', 'aria-label': `Hang up call from ${c.caller.name || c.caller.number}`,
          onclick: () => this.hangUp(c) }, 'Hang up')) : h('span', { class: 'cell', role: 'cell' }));
  }

  tick() {
    const now = Date.now();
    for (const row of this.list.querySelectorAll('.board-row.call')) {
      const c = this.calls.get(row.dataset.callId);
      const waiting = row.querySelector('[data-parked-at]');
      if (!c || !waiting) continue;
      const t = Date.parse(c.parkedAt);
      const waited = Number.isFinite(t) ? (now - t) / 1000 : 0;
      const next = Date.parse(c.nextActionAt || '');
      const left = Number.isFinite(next) ? Math.max(0, Math.ceil((next - now) / 1000)) : 0;
      waiting.textContent = duration(waited);
      const level = urgency(c, waited, left);
      waiting.classList.toggle('long-wait', level === 'long-wait');
      waiting.classList.toggle('soon', level === 'soon');
      const cd = row.querySelector('.countdown');
      if (cd) cd.textContent = countdownText(c, left, parkerName(this, c));
    }
  }

  async hangUp(c) {
    const who = c.caller.name || c.caller.number || 'this caller';
    const ok = await confirmDialog({ title: 'Hang up this call?', body: `${who} will be disconnected.`,
      confirm: 'Hang up', danger: true });
    if (!ok) return;
    try {
      await api.hangUp(c.tenant, c.id);
    } catch (e) {
      toast(e.status === 404 ? 'That call is no longer parked.' : `Hang-up failed: ${e.message}`, 'error');
    }
  }

  /** "101 Bob" once the tenant's users are known (loaded once per tenant, in the background). */
  person(tenant, ext) {
    if (!ext) return '—';
    if (!this.users.has(tenant)) {
      this.users.set(tenant, null); // loading
      api.users(tenant).then((u) => {
        this.users.set(tenant, u);
        this.render();
      }, () => this.users.set(tenant, []));
    }
    const u = (this.users.get(tenant) || []).find((x) => x.extension === ext);
    return u && u.displayName ? `${ext} ${u.displayName}` : ext;
  }

  async usersOf(tenant) {
    const known = this.users.get(tenant);
    if (known && known.length) return known;
    const fresh = await api.users(tenant);
    this.users.set(tenant, fresh);
    return fresh;
  }

  async sendDialog(c) {
    let users;
    try {
      users = await this.usersOf(c.tenant);
    } catch (e) {
      toast(`Users could not be loaded: ${e.message}`, 'error');
      return;
    }
    const select = h('select', { id: 'send-extension', name: 'extension', required: true },
      users.map((u) => h('option', { value: u.extension }, `${u.extension} — ${u.displayName || ''}`)));
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const who = c.caller.name || c.caller.number || 'the caller';
    const dlg = h('dialog', { class: 'modal modal-sm', 'aria-labelledby': 'send-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'send-title' }, 'Send to extension'),
        h('p', { class: 'muted' }, `The extension rings; ${who} is connected when it answers.`),
        h('label', { for: 'send-extension' }, 'Extension'), select, err,
        h('div', { class: 'modal-actions' },
          h('button', { class: 'btn btn-ghost', type: 'submit', value: 'cancel', formnovalidate: true }, 'Cancel'),
          h('button', { class: 'btn btn-primary', type: 'submit', value: 'send', id: 'send-submit' }, 'Send'))));
    document.body.appendChild(dlg);
    dlg.addEventListener('close', () => dlg.remove());
    dlg.querySelector('form').addEventListener('submit', async (ev) => {
      if (ev.submitter && ev.submitter.value !== 'send') return;
      ev.preventDefault();
      try {
        await api.send(c.tenant, c.id, select.value);
        this.sent.set(c.id, select.value);
        toast(`Calling ${select.value}…`, 'info');
        dlg.close();
      } catch (e) {
        err.hidden = false;
        err.textContent = e instanceof ApiError && e.status === 404 ? 'That call is no longer parked.' : e.message;
      }
    });
    dlg.showModal();
  }
}
