// Light or dark: the system's preference (prefers-color-scheme) until the user picks one with the topbar toggle; the
// pick is remembered in this browser (localStorage). data-theme on <html> is always the theme in effect, so the CSS
// needs one set of dark rules.
const KEY = 'callpark.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'dark' || v === 'light' ? v : null;
  } catch (e) {
    return null; // storage disabled: follow the system
  }
}

function apply(button) {
  const theme = stored() || (media.matches ? 'dark' : 'light');
  document.documentElement.dataset.theme = theme;
  if (button) {
    const next = theme === 'dark' ? 'light' : 'dark';
    button.setAttribute('aria-pressed', String(theme === 'dark'));
    button.setAttribute('aria-label', `Dark mode (switch to ${next})`);
    button.title = `Switch to ${next} mode`;
    button.textContent = theme === 'dark' ? '☾' : '☀';
  }
}

/** Applies the theme now and wires the toggle button (id theme-toggle). */
export function initTheme() {
  const button = document.getElementById('theme-toggle');
  apply(button);
  media.addEventListener('change', () => apply(button));
  if (button) {
    button.addEventListener('click', () => {
      const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
      try {
        localStorage.setItem(KEY, next);
      } catch (e) {
        // not remembered, still switched for this page
      }
      document.documentElement.dataset.theme = next;
      apply(button);
    });
  }
}
