// Read-only views of the directory: tenants, the selected tenant's users (extensions) and ring groups.
import { api, ApiError } from './api.js';
import { h, mount } from './dom.js';

const table = (id, headers, rows, empty) => h('div', { class: 'card table-card' },
  rows.length ? h('table', { class: 'table', id },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)) : h('p', { class: 'muted pad' }, empty));

const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);

export class DirectoryView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.loadId = 0;
  }

  start() {
    this.load();
  }

  tenantChanged() {
    this.load();
  }

  stop() {
    this.loadId++;
  }

  async load() {
    const id = ++this.loadId;
    const tenant = this.app.tenant;
    const head = h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Directory'),
      h('p', { class: 'muted' }, 'Tenants, extensions and ring groups, as configured in etc/org.callpark.directory.cfg (read-only).')));
    mount(this.root, head, h('div', { class: 'card loading' }, 'Loading…'));
    try {
      const [users, ringGroups] = await Promise.all([api.users(tenant), api.ringGroups(tenant)]);
      if (id !== this.loadId) return;
      const name = this.app.tenantName(tenant);
      mount(this.root, head,
        h('section', { 'aria-labelledby': 'h-tenants' }, h('h2', { id: 'h-tenants' }, 'Tenants'),
          table('tenants-table', ['Id', 'Name', 'SIP domains', 'XMPP domain'], this.app.tenants.map((t) =>
            h('tr', { class: t.id === tenant ? 'is-selected' : '' },
              cell('Id', h('code', {}, t.id)), cell('Name', t.name || ''),
              cell('SIP domains', (t.domains || []).length ? h('div', { class: 'chips' },
                t.domains.map((d) => h('span', { class: 'chip' }, d))) : h('span', { class: 'muted' }, 'any other')),
              cell('XMPP domain', t.xmppDomain || '—'))), 'No tenants.')),
        h('div', { class: 'two-col' },
          h('section', { 'aria-labelledby': 'h-users' }, h('h2', { id: 'h-users' }, `Extensions of ${name}`),
            table('users-table', ['Extension', 'Name', 'JID', 'Park group'], users.map((u) => h('tr', {},
              cell('Extension', h('strong', {}, u.extension)), cell('Name', u.displayName || ''),
              cell('JID', u.jid ? h('span', { class: 'muted' }, u.jid) : '—'),
              cell('Park group', u.parkGroup ? h('span', { class: 'chip' }, u.parkGroup) : h('span', { class: 'muted' }, '—')))),
            'No users.')),
          h('section', { 'aria-labelledby': 'h-ring' }, h('h2', { id: 'h-ring' }, `Ring groups of ${name}`),
            table('ring-groups-table', ['Name', 'Members'], ringGroups.map((r) => h('tr', {},
              cell('Name', h('strong', {}, r.name)),
              cell('Members', h('div', { class: 'chips' }, (r.members || []).map((m) => h('span', { class: 'chip' }, m)))))),
            'No ring groups.'))));
    } catch (e) {
      if (id !== this.loadId || (e instanceof ApiError && e.status === 401)) return;
      mount(this.root, head, h('div', { class: 'card error-card', role: 'alert' }, `The directory could not be loaded: ${e.message}`));
    }
  }
}
