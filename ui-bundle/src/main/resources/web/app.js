// The shell: login, session, hash routing (#/board, #/groups, #/settings, #/directory, #/history), tenant selector.
import { api, setUnauthenticatedHandler, ApiError } from './api.js';
import { h, mount, toast } from './dom.js';
import { BoardView } from './board.js';
import { GroupsView } from './groups.js';
import { DirectoryView } from './directory.js';
import { SettingsView } from './settings.js';
import { HistoryView } from './history.js';
import { initTheme } from './theme.js';

const ALL = '';

/** What every view may read: the session, the tenants, the selected tenant. */
export const app = {
  session: null, // {user, roles, canEdit, canOperate, tenants}
  tenants: [], // [{id, name, domains, xmppDomain}]
  tenant: ALL, // selected tenant id; ALL only on the board and the history
  tenantName(id) {
    const t = this.tenants.find((x) => x.id === id);
    return t ? t.name || t.id : id;
  },
};

const views = { board: BoardView, groups: GroupsView, settings: SettingsView, directory: DirectoryView,
  history: HistoryView };
let current = null; // {name, view}

const $ = (id) => document.getElementById(id);

function showLogin(message) {
  stopView();
  app.session = null;
  app.tenants = [];
  app.tenant = ALL;
  $('toasts').replaceChildren(); // nothing of the previous user's session stays on screen
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('login-password').value = '';
  $((($('login-user').value) ? 'login-password' : 'login-user')).focus();
}

async function showApp(session) {
  app.session = session;
  try {
    app.tenants = await api.tenants();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    app.tenants = [];
    toast(`Tenants could not be loaded: ${e.message}`, 'error');
  }
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  const roleText = session.canEdit ? 'admin' : session.canOperate ? 'operator' : 'read-only';
  mount($('user-chip'), h('span', { class: 'avatar', 'aria-hidden': 'true' }, (session.user || '?').slice(0, 1).toUpperCase()),
    h('span', { class: 'user-name' }, session.user),
    h('span', { class: session.canEdit ? 'badge badge-admin' : 'badge', id: 'role-badge' }, roleText));
  if (!location.hash || !views[routeName()]) location.hash = '#/board';
  route();
}

function routeName() {
  return (location.hash.replace(/^#\/?/, '').split('/')[0]) || 'board';
}

function stopView() {
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  if (current && current.view.stop) current.view.stop();
  current = null;
}

function fillTenantSelect(name) {
  const sel = $('tenant-select');
  const allowAll = (name === 'board' || name === 'history') && app.tenants.length > 1;
  const known = app.tenants.some((t) => t.id === app.tenant);
  if ((app.tenant === ALL && !allowAll) || (app.tenant !== ALL && !known)) {
    app.tenant = allowAll || !app.tenants.length ? ALL : app.tenants[0].id;
  }
  const opts = [];
  if (allowAll) opts.push(h('option', { value: ALL }, 'All tenants'));
  for (const t of app.tenants) opts.push(h('option', { value: t.id }, t.name && t.name !== t.id ? `${t.name} (${t.id})` : t.id));
  mount(sel, opts);
  sel.value = app.tenant;
}

function route() {
  if (!app.session) return;
  const name = views[routeName()] ? routeName() : 'board';
  for (const a of document.querySelectorAll('.nav a')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  fillTenantSelect(name);
  stopView();
  const content = $('content');
  mount(content);
  const view = new views[name](content, app);
  current = { name, view };
  document.title = `${({ board: 'Live board', groups: 'Park groups', settings: 'Tenant settings', directory: 'Directory', history: 'History' })[name]} · Call Park`;
  view.start(); // after the title: the board puts its parked count there
}

async function init() {
  initTheme();
  setUnauthenticatedHandler(() => {
    if (app.session) showLogin('Your session has ended. Please sign in again.');
  });
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = $('login-submit');
    btn.disabled = true;
    try {
      const s = await api.login($('login-user').value.trim(), $('login-password').value);
      $('login-error').hidden = true;
      await showApp(s);
    } catch (e) {
      showLogin(e.status === 401 ? 'Wrong user name or password.' : `Sign-in failed: ${e.message}`);
    } finally {
      btn.disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    stopView();
    try {
      await api.logout();
    } catch (e) {
      // the session is gone either way
    }
    showLogin();
  });
  $('tenant-select').addEventListener('change', (ev) => {
    app.tenant = ev.target.value;
    if (current && current.view.tenantChanged) current.view.tenantChanged();
    else route();
  });
  window.addEventListener('hashchange', route);
  try {
    await showApp(await api.session());
  } catch (e) {
    showLogin();
  }
}

init();
