// Park groups of one tenant: list, add, edit, delete. The server validates (the directory's own rules); its
// violations are shown next to their fields. The input attributes here are only convenience hints.
import { api, ApiError } from './api.js';
import { TenantView } from './view.js';
import { h, mount, toast, confirmDialog } from './dom.js';

export const RECALL_MODES = [
  ['USER_ONLY', 'User only'],
  ['USER_THEN_RING_GROUP', 'User then ring group'],
  ['RING_GROUP_ONLY', 'Ring group only'],
];
const modeLabel = (m) => (RECALL_MODES.find(([k]) => k === m) || [m, m])[1];
const FIELDS = ['name', 'number', 'recallTo', 'ringGroup', 'ringDurationSeconds', 'waitBeforeRingGroupSeconds',
  'retries', 'members', 'alertInfo', 'callerIdPrefix', 'finalDestination'];
/** The directory's messages name tenant and group for logs ("tenant 'x', park group 'y': ..."); next to a field of
 * this very group that prefix is noise. */
const tidy = (m) => {
  const t = String(m || '').replace(/^tenant '[^']*', park group '[^']*': /, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
};
const same = (a, b) => (a || '').toLowerCase() === (b || '').toLowerCase();

export class GroupsView extends TenantView {
  async load() {
    const id = ++this.loadId;
    const tenant = this.app.tenant;
    mount(this.root, this.header(tenant), h('div', { class: 'card loading' }, 'Loading…'));
    try {
      const [groups, users, ringGroups] = await Promise.all([
        api.parkGroups(tenant), api.users(tenant), api.ringGroups(tenant)]);
      if (id !== this.loadId) return;
      Object.assign(this, { tenant, groups, users, ringGroups });
      this.render();
    } catch (e) {
      if (id !== this.loadId || (e instanceof ApiError && e.status === 401)) return;
      mount(this.root, this.header(tenant), h('div', { class: 'card error-card', role: 'alert' },
        `Park groups could not be loaded: ${e.message}`));
    }
  }

  header(tenant) {
    return h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Park groups'),
        h('p', { class: 'muted' }, `Users who share a park slot, and how their parked calls are recalled — tenant ${this.app.tenantName(tenant)}.`)),
      this.app.session.canEdit ? h('div', { class: 'page-tools' },
        h('button', { class: 'btn btn-primary', type: 'button', id: 'add-group', onclick: () => this.edit(null) },
          '+ Add park group')) : null);
  }

  userLabel(ext) {
    const u = (this.users || []).find((x) => x.extension === ext);
    return u && u.displayName ? `${ext} ${u.displayName}` : ext;
  }

  render() {
    const edit = this.app.session.canEdit;
    if (!this.groups.length) {
      mount(this.root, this.header(this.tenant), h('div', { class: 'empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '⧉'),
        h('h2', {}, 'No park groups yet'),
        h('p', { class: 'muted' }, edit ? 'Add one to let its members park calls with *58.' : 'None configured.')));
      return;
    }
    const rows = this.groups.map((g) => h('tr', { dataset: { group: g.name }, class: g.disabled ? 'is-disabled' : '' },
      h('td', { 'data-label': 'Name' }, h('strong', { class: 'group-name' }, g.name),
        g.disabled ? h('span', { class: 'pill pill-muted' }, 'disabled until empty') : null),
      h('td', { 'data-label': 'Number' }, g.number || '—'),
      h('td', { 'data-label': 'Recall to' }, modeLabel(g.recallTo),
        g.ringGroup ? h('div', { class: 'muted small' }, `Ring group ${g.ringGroup}`) : null),
      h('td', { 'data-label': 'Timers' }, `${g.ringDurationSeconds} s ring`,
        g.recallTo === 'USER_THEN_RING_GROUP' ? h('div', { class: 'muted small' }, `${g.waitBeforeRingGroupSeconds} s before group`) : null),
      h('td', { 'data-label': 'Retries', class: 'num' }, String(g.retries)),
      h('td', { 'data-label': 'Members' }, h('div', { class: 'chips members' },
        (g.members || []).map((m) => h('span', { class: 'chip' }, this.userLabel(m))),
        (g.members || []).length ? null : h('span', { class: 'muted' }, 'none'))),
      h('td', { 'data-label': 'Parked', class: 'num' }, g.parkedCalls ? h('span', { class: 'pill pill-warn' }, String(g.parkedCalls)) : '0'),
      edit ? h('td', { class: 'row-actions' },
        h('button', { class: 'btn btn-sm', type: 'button', 'aria-label': `Edit ${g.name}`, onclick: () => this.edit(g) }, 'Edit'),
        h('button', { class: 'btn btn-sm btn-danger-ghost', type: 'button', 'aria-label': `Delete ${g.name}`,
          onclick: () => this.remove(g) }, 'Delete')) : null));
    mount(this.root, this.header(this.tenant),
      h('div', { class: 'card table-card' },
        h('table', { class: 'table', id: 'groups-table' },
          h('thead', {}, h('tr', {},
            ['Name', 'Number', 'Recall to', 'Timers', 'Retries', 'Members', 'Parked'].map((t) => h('th', { scope: 'col' }, t)),
            edit ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
          h('tbody', {}, rows))));
  }

  async remove(g) {
    const ok = await confirmDialog({ title: `Delete park group ${g.name}?`,
      body: g.parkedCalls ? `It holds ${g.parkedCalls} parked call(s): it stays disabled until they are gone.`
        : 'Its members can no longer park calls with *58.', confirm: 'Delete', danger: true });
    if (!ok) return;
    try {
      await api.deleteGroup(this.tenant, g.name);
      toast(`Park group ${g.name} deleted.`, 'success');
    } catch (e) {
      toast(`${g.name} could not be deleted: ${e.message}`, 'error');
    }
    this.load();
  }

  /** The add/edit dialog. group null: a new group. */
  edit(group) {
    const g = group || { name: '', number: '', recallTo: 'USER_ONLY', ringGroup: null, ringDurationSeconds: 30,
      waitBeforeRingGroupSeconds: 30, retries: 3, members: [] };
    const field = (name, label, input, hint) => h('div', { class: 'field', dataset: { field: name } },
      h('label', { for: `f-${name}` }, label), input,
      hint ? h('p', { class: 'hint', id: `hint-${name}` }, hint) : null,
      h('p', { class: 'field-error', id: `err-${name}`, role: 'alert', hidden: true }));
    const num = (name, attrs) => h('input', { id: `f-${name}`, name, type: 'number', inputmode: 'numeric',
      value: String(g[name] ?? ''), 'aria-describedby': `hint-${name} err-${name}`, ...attrs });

    const recallTo = h('select', { id: 'f-recallTo', name: 'recallTo', 'aria-describedby': 'err-recallTo' },
      RECALL_MODES.map(([k, l]) => h('option', { value: k }, l)));
    recallTo.value = g.recallTo;
    const ringGroup = h('select', { id: 'f-ringGroup', name: 'ringGroup', 'aria-describedby': 'hint-ringGroup err-ringGroup' },
      h('option', { value: '' }, '— none —'),
      this.ringGroups.map((r) => h('option', { value: r.name },
        `${r.name}${r.members && r.members.length ? ` (${r.members.join(', ')})` : ''}`)));
    ringGroup.value = g.ringGroup || '';
    const wait = num('waitBeforeRingGroupSeconds', { min: 1 });

    // members: same-tenant users in no group or in this one
    const eligible = this.users.filter((u) => !u.parkGroup || (group && same(u.parkGroup, group.name)));
    const chosen = new Set(g.members || []);
    const filter = h('input', { type: 'search', class: 'member-filter', placeholder: 'Filter users…',
      'aria-label': 'Filter users' });
    const boxes = eligible.map((u) => h('label', { class: 'member', dataset: { ext: u.extension } },
      h('input', { type: 'checkbox', name: 'members', value: u.extension, checked: chosen.has(u.extension) }),
      h('span', { class: 'member-ext' }, u.extension), h('span', { class: 'member-name' }, u.displayName || '')));
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      for (const b of boxes) b.hidden = q && !b.textContent.toLowerCase().includes(q);
    });
    const others = this.users.length - eligible.length;
    const members = h('fieldset', { class: 'field members-field', dataset: { field: 'members' },
      'aria-describedby': 'err-members' },
      h('legend', {}, 'Members'),
      h('p', { class: 'hint' }, `Users of this tenant who are in no other park group${others ? ` (${others} already are)` : ''}.`),
      eligible.length > 8 ? filter : null,
      h('div', { class: 'member-list', id: 'f-members' }, boxes.length ? boxes : h('p', { class: 'muted' }, 'No eligible users.')),
      h('p', { class: 'field-error', id: 'err-members', role: 'alert', hidden: true }));

    const formError = h('div', { class: 'form-error banner', id: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { id: 'group-form', novalidate: true, method: 'dialog' },
      h('div', { class: 'modal-head' },
        h('h2', { id: 'group-title' }, group ? `Edit park group ${group.name}` : 'New park group'),
        h('button', { class: 'btn btn-ghost btn-icon', type: 'button', 'aria-label': 'Close', onclick: () => dlg.close() }, '✕')),
      formError,
      h('div', { class: 'form-grid' },
        field('name', 'Group name', h('input', { id: 'f-name', name: 'name', required: true, value: g.name,
          autocomplete: 'off', maxlength: 64, 'aria-describedby': 'hint-name err-name' }),
          'Letters, digits, - and _; unique in the tenant.'),
        field('number', 'Number (optional)', h('input', { id: 'f-number', name: 'number', value: g.number || '',
          inputmode: 'numeric', pattern: '[0-9]*', autocomplete: 'off', 'aria-describedby': 'hint-number err-number' }),
          'Dial the tenant\'s retrieve code (*88 by default) + number to retrieve.'),
        field('recallTo', 'Recall to', recallTo),
        field('ringGroup', 'Ring group', ringGroup, 'For the two ring-group modes.'),
        field('ringDurationSeconds', 'Ring duration (s)', num('ringDurationSeconds', { min: 1, required: true }),
          'Wait before a recall, and how long each recall rings.'),
        field('waitBeforeRingGroupSeconds', 'Wait before ring group (s)', wait, 'How long the parker rings first.'),
        field('retries', 'Retries', num('retries', { min: 1, max: 10, required: true }), 'Recall attempts, 1–10.'),
        field('alertInfo', 'Recall Alert-Info (optional)', h('input', { id: 'f-alertInfo', name: 'alertInfo',
          value: g.alertInfo || '', autocomplete: 'off', 'aria-describedby': 'hint-alertInfo err-alertInfo' }),
          'Distinctive ring of recalls, e.g. <urn:alert:service:recall:transfer>; "none" for none; empty: the tenant\'s.'),
        field('callerIdPrefix', 'Recall caller-ID prefix (optional)', h('input', { id: 'f-callerIdPrefix',
          name: 'callerIdPrefix', value: g.callerIdPrefix || '', maxlength: 32, autocomplete: 'off',
          'aria-describedby': 'hint-callerIdPrefix err-callerIdPrefix' }),
          'Shown before the caller\'s name on a recall, e.g. "Sales park:"; empty: the tenant\'s ("Parked:").'),
        field('finalDestination', 'Final destination (optional)', h('input', { id: 'f-finalDestination',
          name: 'finalDestination', value: g.finalDestination || '', autocomplete: 'off', spellcheck: 'false',
          'aria-describedby': 'hint-finalDestination err-finalDestination' }),
          'After the last unanswered recall: an extension (100), ringgroup:<name>, sip:user@host[:port] or'
          + ' prompt-and-hangup; empty: the tenant\'s (default: prompt and hang up).')),
      members,
      h('div', { class: 'modal-actions' },
        h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dlg.close() }, 'Cancel'),
        h('button', { class: 'btn btn-primary', type: 'submit', id: 'group-save' }, group ? 'Save changes' : 'Create group')));
    const dlg = h('dialog', { class: 'modal modal-lg', 'aria-labelledby': 'group-title' }, form);

    const syncMode = () => {
      const m = recallTo.value;
      ringGroup.disabled = m === 'USER_ONLY';
      wait.disabled = m !== 'USER_THEN_RING_GROUP';
    };
    recallTo.addEventListener('change', syncMode);
    syncMode();

    const clearErrors = () => {
      formError.hidden = true;
      for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      for (const el of form.querySelectorAll('.field.has-error')) el.classList.remove('has-error');
    };
    const showErrors = (e) => {
      let first = null;
      const general = [];
      for (const v of e.violations) {
        const name = FIELDS.includes(v.field) ? v.field : null;
        const err = name && form.querySelector(`#err-${name}`);
        if (!err) { general.push(v.message); continue; }
        const msg = tidy(v.message);
        err.textContent = err.textContent ? `${err.textContent} ${msg}` : msg;
        err.hidden = false;
        const wrap = err.closest('.field');
        wrap.classList.add('has-error');
        const input = form.querySelector(`#f-${name}`);
        if (input) input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
      if (general.length || !e.violations.length) {
        formError.textContent = general.length ? general.join(' ') : e.message;
        formError.hidden = false;
      }
      (first && first.focus ? first : formError).focus?.();
    };
    const numOrNull = (s) => (s.trim() === '' ? null : Number(s));

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors();
      const body = {
        name: form.querySelector('#f-name').value.trim(),
        number: form.querySelector('#f-number').value.trim(),
        recallTo: recallTo.value,
        ringGroup: recallTo.value === 'USER_ONLY' ? null : (ringGroup.value || null),
        ringDurationSeconds: numOrNull(form.querySelector('#f-ringDurationSeconds').value),
        waitBeforeRingGroupSeconds: numOrNull(wait.value),
        retries: numOrNull(form.querySelector('#f-retries').value),
        members: boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
        alertInfo: form.querySelector('#f-alertInfo').value.trim(),
        callerIdPrefix: form.querySelector('#f-callerIdPrefix').value.trim(),
        finalDestination: form.querySelector('#f-finalDestination').value.trim(),
      };
      const save = form.querySelector('#group-save');
      save.disabled = true;
      try {
        if (group) await api.updateGroup(this.tenant, group.name, body);
        else await api.createGroup(this.tenant, body);
        dlg.close();
        toast(group ? `Park group ${body.name} saved.` : `Park group ${body.name} created.`, 'success');
        this.load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { dlg.close(); return; }
        showErrors(e);
      } finally {
        save.disabled = false;
      }
    });
    document.body.appendChild(dlg);
    dlg.addEventListener('close', () => dlg.remove());
    dlg.showModal();
    form.querySelector('#f-name').focus();
  }
}
