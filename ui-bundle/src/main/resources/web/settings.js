// Tenant settings: the feature codes its users dial, the labels of its recalls and the language of its prompts
// (GET/PUT /tenants/{t}/settings). The server validates with the directory file's own rules; its violations are shown
// next to their fields. Administrators edit, everyone else reads.
import { api, ApiError } from './api.js';
import { TenantView } from './view.js';
import { h, mount, toast } from './dom.js';

const FIELDS = ['parkCode', 'retrieveCode', 'groupParkCode', 'alertInfo', 'callerIdPrefix', 'finalDestination',
  'language'];
/** The directory's messages start with the tenant ("tenant 'x': ", "tenant 'x', recall defaults: "): noise here. */
const tidy = (m) => {
  const t = String(m || '').replace(/^tenant '[^']*'(, recall defaults)?: /, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
};

export class SettingsView extends TenantView {
  async load() {
    const id = ++this.loadId;
    const tenant = this.app.tenant;
    mount(this.root, this.header(tenant), h('div', { class: 'card loading' }, 'Loading…'));
    try {
      const settings = await api.settings(tenant);
      if (id !== this.loadId) return;
      this.render(tenant, settings);
    } catch (e) {
      if (id !== this.loadId || (e instanceof ApiError && e.status === 401)) return;
      mount(this.root, this.header(tenant), h('div', { class: 'card error-card', role: 'alert' },
        `The settings could not be loaded: ${e.message}`));
    }
  }

  header(tenant) {
    return h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Tenant settings'),
        h('p', { class: 'muted' }, `Feature codes, recall labels and prompt language of tenant ${this.app.tenantName(tenant)}.`)));
  }

  render(tenant, s) {
    const edit = this.app.session.canEdit;
    const field = (name, label, hint, attrs = {}) => h('div', { class: 'field', dataset: { field: name } },
      h('label', { for: `ts-${name}` }, label),
      h('input', { id: `ts-${name}`, name, value: s[name] || '', autocomplete: 'off', disabled: !edit,
        'aria-describedby': `tshint-${name} tserr-${name}`, ...attrs }),
      h('p', { class: 'hint', id: `tshint-${name}` }, hint),
      h('p', { class: 'field-error', id: `tserr-${name}`, role: 'alert', hidden: true }));
    const formError = h('div', { class: 'form-error banner', id: 'settings-error', role: 'alert', hidden: true });
    const form = h('form', { id: 'settings-form', class: 'card pad', novalidate: true },
      formError,
      h('h2', { class: 'form-section' }, 'Feature codes'),
      h('p', { class: 'muted' }, 'What the tenant\'s phones dial. 1 to 10 of 0-9, * and #; no code may start another, nor an extension or group number.'),
      h('div', { class: 'form-grid' },
        field('parkCode', 'Park code', 'Park on one\'s own slot; + extension: on that one. Default *68.',
          { inputmode: 'tel', maxlength: 10 }),
        field('retrieveCode', 'Retrieve code', 'Retrieve one\'s own; + extension or group number. Default *88.',
          { inputmode: 'tel', maxlength: 10 }),
        field('groupParkCode', 'Group park code', 'Park on one\'s park group\'s slot. Default *58.',
          { inputmode: 'tel', maxlength: 10 })),
      h('h2', { class: 'form-section' }, 'Recalls'),
      h('div', { class: 'form-grid' },
        field('alertInfo', 'Recall Alert-Info (optional)',
          'Distinctive ring of recalls, e.g. <urn:alert:service:recall:transfer>; "none" for none; empty: the server\'s.'),
        field('callerIdPrefix', 'Recall caller-ID prefix (optional)',
          'Shown before the caller\'s name on a recall; empty: "Parked:". A park group\'s own wins.', { maxlength: 32 }),
        field('finalDestination', 'Final destination (optional)',
          'Where a call goes after its last unanswered recall when its park group sets none: an extension, ringgroup:<Name> or sip:user@host; empty or prompt-and-hangup: the final prompt, then hang up.',
          { spellcheck: 'false' })),
      h('h2', { class: 'form-section' }, 'Prompts'),
      h('div', { class: 'form-grid' },
        field('language', 'Prompt language (optional)',
          'BCP 47 tag such as de, fr or pt-BR: callers hear prompts from the prompt directory\'s folder of that name; empty: the server\'s default language.',
          { maxlength: 35, spellcheck: 'false' })),
      edit ? h('div', { class: 'form-actions' },
        h('button', { class: 'btn btn-primary', type: 'submit', id: 'settings-save' }, 'Save settings')) : null);

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
        const err = FIELDS.includes(v.field) && form.querySelector(`#tserr-${v.field}`);
        if (!err) { general.push(v.message); continue; }
        const msg = tidy(v.message);
        err.textContent = err.textContent ? `${err.textContent} ${msg}` : msg;
        err.hidden = false;
        err.closest('.field').classList.add('has-error');
        const input = form.querySelector(`#ts-${v.field}`);
        input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
      if (general.length || !e.violations.length) {
        formError.textContent = general.length ? general.join(' ') : e.message;
        formError.hidden = false;
      }
      (first || formError).focus?.();
    };

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!edit) return;
      clearErrors();
      const body = {};
      for (const f of FIELDS) body[f] = form.querySelector(`#ts-${f}`).value.trim();
      const save = form.querySelector('#settings-save');
      save.disabled = true;
      try {
        const saved = await api.saveSettings(tenant, body);
        toast(`Settings of ${this.app.tenantName(tenant)} saved.`, 'success');
        if (tenant === this.app.tenant) this.render(tenant, saved);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return;
        showErrors(e);
      } finally {
        save.disabled = false;
      }
    });
    mount(this.root, this.header(tenant), form);
  }
}
