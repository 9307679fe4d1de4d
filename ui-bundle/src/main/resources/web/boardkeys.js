// The board's search box and keyboard shortcuts, for a reception desk that works all day from the keyboard.
// Client-side only: the filter hides rows, it never changes what the server sends; hang-up and send still go through
// the server, which checks the operator role.
import { h } from './dom.js';
import { linkFor } from './scope.js';
import { sendToMe } from './sendtome.js';

/** Whether a call matches the search text: slot (label or name), park group, caller name or number, parker. */
export function matches(call, query) {
  const q = (query || '').trim().toLowerCase();
  if (!q) return true;
  const slot = call.slot || {};
  const caller = call.caller || {};
  return [slot.label, slot.name, call.parkGroup, caller.name, caller.number, call.parkedBy]
    .some((v) => typeof v === 'string' && v.toLowerCase().includes(q));
}

const KEYS = [
  ['/', 'Search by slot, group or caller'],
  ['Esc', 'Clear the search (in the search box)'],
  ['j / k', 'Next / previous call'],
  ['s', 'Send the selected call to an extension (operators)'],
  ['m', 'Send the selected call to me: my linked extension (operators linked to one)'],
  ['h', 'Hang up the selected call, after confirming (operators)'],
  ['?', 'This list'],
];

/** The list of shortcuts in a dialog. */
export function shortcutsDialog() {
  const dlg = h('dialog', { class: 'modal modal-sm', id: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
      h('dl', { class: 'shortcuts' }, KEYS.map(([k, what]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)])),
      h('div', { class: 'modal-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Close'))));
  document.body.appendChild(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/**
 * Listens for the shortcuts while the board is shown; returns the function that stops listening. Keys are ignored
 * while typing in a field, with a modifier held, or with a dialog open.
 */
export function installShortcuts(board) {
  const onKey = (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target === board.search && ev.key === 'Escape') {
      board.search.value = '';
      board.render();
      return;
    }
    if (typing(ev.target) || document.querySelector('dialog[open]')) return;
    const rows = [...board.list.querySelectorAll('.board-row.call')];
    const at = rows.findIndex((r) => r.dataset.callId === board.selected);
    const selected = at >= 0 ? board.calls.get(board.selected) : null;
    if (ev.key === '/') {
      board.search.focus();
    } else if (ev.key === 'j' || ev.key === 'k') {
      if (!rows.length) return;
      const next = rows[ev.key === 'j' ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0)];
      board.select(next.dataset.callId);
    } else if (ev.key === 'h' && selected && board.app.session.canOperate) {
      board.hangUp(selected);
    } else if (ev.key === 's' && selected && board.app.session.canOperate) {
      board.sendDialog(selected);
    } else if (ev.key === 'm' && selected && board.app.session.canOperate
      && linkFor(board.app.session, selected.tenant)) {
      sendToMe(board, selected);
    } else if (ev.key === '?') {
      shortcutsDialog();
    } else {
      return;
    }
    ev.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
