// Tiny DOM helpers. Everything that may come from users (caller names, group names, display names) goes in as
// text nodes or attribute values, never as HTML.

/**
 * h('button', {class: 'btn', onclick: fn}, 'Save') — children are strings (text nodes), nodes, arrays or null.
 * Attributes: 'class', 'dataset' (object), 'on<event>' (listener), boolean true/false, else setAttribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A short-lived message at the bottom right; kind: 'info' | 'success' | 'error'. */
export function toast(message, kind = 'info', millis = 5000) {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.appendChild(t);
  setTimeout(() => t.classList.add('toast-out'), millis);
  setTimeout(() => t.remove(), millis + 400);
  return t;
}

/** A modal <dialog> asking a question; resolves true when confirmed. */
export function confirmDialog({ title, body, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'modal modal-sm', 'aria-labelledby': 'confirm-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, title),
        h('p', { class: 'muted' }, body),
        h('div', { class: 'modal-actions' },
          h('button', { class: 'btn btn-ghost', value: 'cancel', type: 'submit' }, 'Cancel'),
          h('button', { class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'ok', type: 'submit',
            id: 'confirm-ok' }, confirm))));
    document.body.appendChild(dlg);
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok');
      dlg.remove();
    });
    dlg.showModal();
  });
}

/** "3:07", "1:02:09" */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
