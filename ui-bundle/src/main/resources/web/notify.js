// A chime and a desktop notification when a call is parked, for a reception desk whose board is a background tab.
// Per browser (remembered in localStorage), one of: off, calls for me, my group, any call. "For me" and "my group"
// need the web user linked to an extension (the session's links, scope.js); unlinked users get only off / any call.
// Choosing anything but off asks for the browser's Notification permission (from that user gesture, as browsers
// require) and stays chime-only if it is refused.
import { h, toast } from './dom.js';
import { inScope, ringsMe, linkFor, linked, grouped } from './scope.js';

const KEY = 'callpark.notify';
const WORDS = { off: 'Off', me: 'Calls for me', group: 'My group', any: 'Any call' };

function stored() {
  try {
    return localStorage.getItem(KEY) || 'off';
  } catch (e) {
    return 'off';
  }
}

function remember(scope) {
  try {
    if (scope === 'off') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, scope);
  } catch (e) {
    // not remembered: still applies to this page
  }
}

const supported = () => typeof window.Notification === 'function';

export class Notifier {
  constructor(session) {
    this.session = session;
    this.audio = null;
    const scopes = ['off', ...(linked(session) ? ['me'] : []), ...(grouped(session) ? ['group'] : []), 'any'];
    // a choice this user cannot have (another user's, on a shared browser) reads as the nearest one it can
    let scope = stored();
    if (scope === 'group' && !scopes.includes('group')) scope = 'me';
    this.scope = scopes.includes(scope) ? scope : 'off';
    this.icon = h('span', { 'aria-hidden': 'true' });
    this.select = h('select', { id: 'notify-scope', class: 'notify-scope', 'aria-label': 'Chime and notify for',
      onchange: () => this.choose(this.select.value) },
      scopes.map((s) => h('option', { value: s }, WORDS[s])));
    this.select.value = this.scope;
    this.control = h('label', { class: 'notify' }, this.icon, this.select);
    this.show();
  }

  /** The control's state: the scope, and whether the desktop notification is allowed. */
  show(last) {
    const on = this.scope !== 'off';
    const desktop = supported() && Notification.permission === 'granted';
    this.icon.textContent = on ? '🔔' : '🔕';
    this.select.dataset.permission = supported() ? Notification.permission : 'unsupported';
    this.select.title = !on ? 'Chime and notify when a call is parked: off'
      : `Chime${desktop ? ' and desktop notification' : ' only (desktop notifications not allowed)'} for `
        + `${WORDS[this.scope].toLowerCase()}` + (last ? ` · last: ${last}` : '');
  }

  async choose(scope) {
    this.scope = scope;
    remember(scope);
    this.show();
    if (scope === 'off') return;
    this.prepareSound(); // inside the user's change: browsers only let a page start audio after a user gesture
    if (supported() && Notification.permission === 'default') {
      try {
        await Notification.requestPermission();
      } catch (e) {
        // an old browser without the promise form: chime only
      }
    }
    if (supported() && Notification.permission === 'denied') {
      toast('Desktop notifications are blocked for this site in the browser; the board will chime only.', 'info', 8000);
    }
    this.show();
  }

  prepareSound() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!this.audio && Ctx) this.audio = new Ctx();
    if (this.audio && this.audio.state === 'suspended') this.audio.resume().catch(() => {});
  }

  /** Two short tones, made here (no sound file to load). */
  chime() {
    this.prepareSound();
    const ctx = this.audio;
    if (!ctx) return;
    const t = ctx.currentTime;
    [[880, 0], [660, 0.18]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + at);
      gain.gain.exponentialRampToValueAtTime(0.2, t + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.17);
    });
  }

  /** A call was parked (text: "Customer parked on 102 Bob by Bob"): notified if it is in the chosen scope. */
  parked(call, text) {
    if (inScope(call, this.scope, this.session)) this.notify('Call parked', call, text);
  }

  /** A recall started: notified, whatever the scope but off, when it rings this user's own extension. */
  recalling(call, text) {
    if (this.scope !== 'off' && ringsMe(call, linkFor(this.session, call.tenant))) {
      this.notify('Recall for you', call, text);
    }
  }

  notify(title, call, text) {
    this.chime();
    if (supported() && Notification.permission === 'granted') {
      try {
        const n = new Notification(title, { body: text, tag: call.id, icon: 'favicon.svg' });
        n.addEventListener('click', () => {
          window.focus();
          n.close();
        });
      } catch (e) {
        // a browser that only notifies from a service worker (Chrome on Android): the chime still rang
      }
    }
    this.show(text);
  }
}
