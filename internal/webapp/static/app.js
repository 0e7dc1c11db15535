// The app shell: sign-in, the header with the language toggle and sign-out, and a hash
// router (#/inbox, #/scan, #/dashboard) that mounts one screen at a time. A screen's
// render(view) may answer a clean-up function (stop polling, stop the camera).
import * as api from './api.js';
import { t, lang, setLang, translate } from './i18n.js';
import { el } from './fmt.js';
import * as inbox from './inbox.js';
import * as scan from './scan.js';
import * as dash from './dash.js';

const screens = { inbox, scan, dashboard: dash };
const view = document.getElementById('view');
const bar = document.getElementById('bar');
let cleanup = null;
let notice = '';

function unmount() {
  if (cleanup) {
    try { cleanup(); } catch { /* a screen's clean-up must not block the next one */ }
    cleanup = null;
  }
  view.replaceChildren();
}

export function message(err) {
  if (err instanceof api.ApiError && err.status === 0) return t('err.network');
  return err?.message || String(err);
}

function showLogin() {
  unmount();
  bar.hidden = true;
  const user = el('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const pass = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = el('button', { id: 'login-submit', type: 'submit', class: 'primary' }, t('login.submit'));
  const error = el('p', { id: 'login-error', class: 'error', role: 'alert' }, notice);
  notice = '';
  const form = el('form', { class: 'card login', id: 'login-form', novalidate: true },
    el('h1', {}, t('login.title')),
    el('label', { for: 'login-username' }, t('login.username')), user,
    el('label', { for: 'login-password' }, t('login.password')), pass,
    submit, error,
    el('p', { class: 'muted' }, el('button', { type: 'button', class: 'link', id: 'login-lang', onclick: toggleLang }, t('lang.other'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = t('login.busy');
    try {
      await api.login(user.value.trim(), pass.value);
      pass.value = '';
      if (!location.hash || location.hash === '#/' || location.hash === '#/login') location.hash = '#/inbox';
      route();
    } catch (err) {
      error.textContent = message(err);
      submit.disabled = false;
      submit.textContent = t('login.submit');
      pass.select();
    }
  });
  view.append(form);
  user.focus();
}

function route() {
  if (!api.signedIn()) {
    showLogin();
    return;
  }
  const name = (location.hash.replace(/^#\/?/, '').split('/')[0]) || 'inbox';
  const screen = screens[name] || inbox;
  unmount();
  bar.hidden = false;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + (screens[name] ? name : 'inbox'));
  cleanup = screen.render(view) || null;
}

function toggleLang() {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  paintChrome();
  route();
}

function paintChrome() {
  translate(document);
  document.getElementById('lang').textContent = t('lang.other');
  document.title = 'erphub';
}

document.getElementById('lang').addEventListener('click', toggleLang);
document.getElementById('signout').addEventListener('click', () => {
  api.signOut();
  location.hash = '#/';
  route();
});
api.whenSignedOut(() => {
  notice = t('err.session');
  showLogin();
});
window.addEventListener('hashchange', route);
setLang(lang());
paintChrome();
route();
