// Whose a parked call is, for a web user linked to an extension (directory user.<t>.<ext>.login; the session's
// `links`, one per tenant at most): the board's "Mine / My group / All" chips and the notification scopes. Client-side
// only and pure: it hides rows and picks which parks chime, it never changes what the server sends or allows ("Send to
// me" is resolved by the server from the session, not from here).

/** The link of the session in `tenant` ({tenant, extension, displayName, parkGroup}), or null. */
export function linkFor(session, tenant) {
  const links = (session && session.links) || [];
  return links.find((l) => l.tenant === tenant) || null;
}

/** Whether the session has any link (else only "All" / "Any call" make sense). */
export function linked(session) {
  return !!(session && session.links && session.links.length);
}

/** Whether any link has a park group (else "My group" would mean the same as "Mine"). */
export function grouped(session) {
  return linked(session) && session.links.some((l) => !!l.parkGroup);
}

/**
 * "For me": parked on my extension's slot, or a recall that rings me (I parked it, and the server verified that: an
 * unverified parker is never rung back).
 */
export function isMine(call, link) {
  if (!link || call.tenant !== link.tenant) return false;
  const slot = call.slot || {};
  return (slot.kind === 'EXTENSION' && slot.name === link.extension) || ringsMe(call, link);
}

/** A recall that rings my extension now: I parked the call (verified) and the recall is the parker's. */
export function ringsMe(call, link) {
  return !!link && call.tenant === link.tenant && call.state === 'RECALLING' && call.recallTarget === 'PARKER'
    && call.parkedBy === link.extension && call.parkerVerified !== false;
}

/**
 * "My group": mine, or a call of my park group: parked in its slot or by one of its members (the call's parkGroup is
 * the group whose rules it follows, which is exactly that).
 */
export function isMyGroup(call, link) {
  if (isMine(call, link)) return true;
  if (!link || !link.parkGroup || call.tenant !== link.tenant || !call.parkGroup) return false;
  return call.parkGroup.toLowerCase() === link.parkGroup.toLowerCase();
}

/** Whether `call` is in `scope` ('me' | 'group' | 'any' | 'off') for the session's links. */
export function inScope(call, scope, session) {
  if (scope === 'any') return true;
  if (scope === 'me') return isMine(call, linkFor(session, call.tenant));
  if (scope === 'group') return isMyGroup(call, linkFor(session, call.tenant));
  return false;
}
