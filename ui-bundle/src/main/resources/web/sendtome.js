// "Send to me" on the board: for an operator (or admin) whose web user is linked to an extension of the call's tenant
// (the session's links). The request says only {"to":"me"}: the server resolves the extension from the session, so
// the page can never ring someone else's phone as "me" (409 NOT_LINKED when the link is gone meanwhile).
import { api } from './api.js';
import { h, toast } from './dom.js';
import { linkFor } from './scope.js';

export async function sendToMe(board, c) {
  try {
    const r = await api.sendToMe(c.tenant, c.id);
    board.sent.set(c.id, r.extension); // the success toast when RETRIEVED arrives names it
    toast(`Calling you at ${r.extension}…`, 'info');
  } catch (e) {
    toast(e.status === 404 ? 'That call is no longer parked.' : `Send to me failed: ${e.message}`, 'error', 8000);
  }
}

/** The row's button, or null when this user has no link in the call's tenant. */
export function sendToMeButton(board, c) {
  const link = linkFor(board.app.session, c.tenant);
  if (!link) return null;
  const who = (c.caller && (c.caller.name || c.caller.number)) || 'the caller';
  return h('button', { class: 'btn btn-sm btn-me', type: 'button', 'aria-label': `Send call from ${who} to me`,
    title: `Ring my extension ${link.extension} (m)`, onclick: () => sendToMe(board, c) }, 'Send to me');
}
