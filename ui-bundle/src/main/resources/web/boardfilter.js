// The board's "Mine / My group / All" chips, for a web user linked to an extension (scope.js): they hide the rows of
// other people's calls in this browser, together with the search; the stream and the title's count are unchanged.
// Remembered per browser (localStorage), like the notification scope. Unlinked users get no chips.
import { h } from './dom.js';
import { inScope, linked, grouped } from './scope.js';

const KEY = 'callpark.boardFilter';
const CHIPS = [['me', 'Mine'], ['group', 'My group'], ['any', 'All']];

export class ScopeChips {
  constructor(session, onChange) {
    this.session = session;
    this.onChange = onChange;
    const offered = CHIPS.filter(([v]) => v !== 'group' || grouped(session));
    let value = 'any';
    try {
      value = localStorage.getItem(KEY) || 'any';
    } catch (e) {
      // nothing remembered: All
    }
    this.value = linked(session) && offered.some(([v]) => v === value) ? value : 'any';
    this.buttons = offered.map(([v, text]) => h('button', { type: 'button', class: 'btn btn-sm scope-chip',
      dataset: { scope: v }, 'aria-pressed': String(v === this.value), onclick: () => this.choose(v) }, text));
    this.element = linked(session)
      ? h('div', { class: 'scope-chips', id: 'board-scope', role: 'group', 'aria-label': 'Show calls' }, this.buttons)
      : null;
  }

  choose(value) {
    this.value = value;
    try {
      if (value === 'any') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, value);
    } catch (e) {
      // not remembered: still applies to this page
    }
    for (const b of this.buttons) b.setAttribute('aria-pressed', String(b.dataset.scope === value));
    this.onChange();
  }

  /** Whether the row of `call` stays with the chosen chip. */
  keeps(call) {
    return this.value === 'any' || inScope(call, this.value, this.session);
  }

  /** Whether a chip other than All hides rows. */
  filtering() {
    return this.value !== 'any';
  }
}
