// A chime and a desktop notification when a call is parked, for a reception desk whose board is a background tab.
// Off until the user turns it on in this browser (remembered in localStorage); the desktop part asks for the
// browser's Notification permission on that click, as browsers require, and stays chime-only if it is refused.
// Scope today: every park the board shows (the selected tenant, or all). "Parked for me / my group" needs the web
// user linked to an extension, which the server does not know yet.
import { h, toast } from './dom.js';

const KEY = 'callpark.notify';

function enabled() {
  try {
    return localStorage.getItem(KEY) === 'any';
  } catch (e) {
    return false;
  }
}

function remember(on) {
  try {
    if (on) localStorage.setItem(KEY, 'any');
    else localStorage.removeItem(KEY);
  } catch (e) {
    // not remembered: still on for this page
  }
}

const supported = () => typeof window.Notification === 'function';

export class Notifier {
  constructor() {
    this.on = enabled();
    this.audio = null;
    this.button = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', id: 'notify-toggle',
      onclick: () => this.toggle() });
    this.show();
  }

  /** The button's words and state: on/off, and whether the desktop notification is allowed. */
  show(last) {
    const desktop = supported() && Notification.permission === 'granted';
    this.button.setAttribute('aria-pressed', String(this.on));
    this.button.dataset.permission = supported() ? Notification.permission : 'unsupported';
    this.button.textContent = this.on ? '🔔 On' : '🔕 Off';
    this.button.title = !this.on ? 'Chime and notify when a call is parked'
      : `Chime${desktop ? ' and desktop notification' : ' only (desktop notifications not allowed)'} on every park`
        + (last ? ` · last: ${last}` : '');
    this.button.setAttribute('aria-label', this.on ? 'Park notifications on' : 'Park notifications off');
  }

  async toggle() {
    if (this.on) {
      this.on = false;
      remember(false);
      this.show();
      return;
    }
    this.on = true;
    remember(true);
    this.prepareSound(); // inside the click: browsers only let a page start audio after a user gesture
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

  /** A call was parked (text: "Customer parked on 102 Bob by Bob"). */
  parked(call, text) {
    if (!this.on) return;
    this.chime();
    if (supported() && Notification.permission === 'granted') {
      try {
        const n = new Notification('Call parked', { body: text, tag: call.id, icon: 'favicon.svg' });
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
