// The board's countdown to a parked call's next recall step and the colour of its waiting time, from the call's own
// timers (nextStep, nextActionAt, ringDurationSeconds in the call JSON, docs/rest.md). Pure functions of the call.
import { duration } from './dom.js';

/**
 * The countdown under the state: what rings now and what happens at nextActionAt ("Recalling Bob in 0:12",
 * "Ringing Sales now · final prompt in 0:05"). The server names the step (nextStep, docs/rest.md); the seconds tick here.
 */
export function countdownText(c, secondsLeft, parker) {
  const group = c.ringGroup || 'the ring group';
  const left = duration(secondsLeft);
  if (c.state === 'RECALLING') {
    const target = { RING_GROUP: group, FINAL_DESTINATION: 'the final destination' }[c.recallTarget] || parker;
    const now = `Ringing ${target} now`;
    if (c.nextStep === 'RING_GROUP') return `${now} · ${group} in ${left}`;
    if (c.nextStep === 'TIME_OUT') return `${now} · final prompt in ${left}`;
    return now;
  }
  if (c.nextStep === 'RING_PARKER') return `Recalling ${parker} in ${left}`;
  if (c.nextStep === 'RING_GROUP') return `Ringing ${group} in ${left}`;
  if (c.nextStep === 'FINAL_DESTINATION') return `Sending to the final destination in ${left}`;
  if (c.nextStep === 'TIME_OUT') return `Final prompt in ${left}`;
  if (c.nextStep === 'WAIT') return `Next recall in ${left}`;
  return '';
}

/**
 * The waiting time's colour follows the call's own timers, not a fixed time: amber ("soon") once half of the wait
 * before the next recall has passed, red while a recall rings. Without timers (an older server): red after 120 s.
 */
export function urgency(c, secondsWaited, secondsLeft) {
  if (c.state === 'RECALLING') return 'long-wait';
  if (c.nextActionAt && c.ringDurationSeconds > 0) return secondsLeft <= c.ringDurationSeconds / 2 ? 'soon' : '';
  return secondsWaited >= 120 ? 'long-wait' : '';
}
