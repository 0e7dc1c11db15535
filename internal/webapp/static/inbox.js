// The approvals inbox: pending requests with what a decision needs at a glance (document,
// party, amount, lines, the condition that asked for approval, the maker and the history),
// approve or reject with an optional comment in two taps, and a poll every few seconds so
// that a request another approver decided leaves the list by itself.
import * as api from './api.js';
import { t } from './i18n.js';
import { el, money, qty, when } from './fmt.js';
import { message } from './app.js';

const POLL_MS = 4000;
const cached = api.cached;

// where each document type is read; a delivery order may wait as any of three types
const docPath = {
  purchase_order: '/v1/purchaseOrders/', delivery_order: '/v1/deliveryOrders/',
  price_below_floor: '/v1/deliveryOrders/', over_credit_limit: '/v1/deliveryOrders/',
  stock_adjustment: '/v1/adjustments/', stocktake: '/v1/stocktakes/', supplier_payment: '/v1/supplierPayments/',
};

// facts answers the lines a decision needs at a glance from what the document's service
// gave with the request: margin at the current cost, the customer's credit position, how far
// below the floor price a line is.
function facts(req) {
  const f = req.facts || {};
  const out = [];
  if ('margin' in f) {
    const pct = 'marginBp' in f ? ` (${(Number(f.marginBp) / 100).toFixed(2)} %)` : '';
    out.push(['inbox.margin', `${money(f.margin)}${pct} · ${t('inbox.cost')} ${money(f.cost || 0)}`, Number(f.margin) < 0]);
  }
  if (Number(f.creditLimit) > 0) {
    const over = Number(f.creditOver) > 0 ? ` · ${t('inbox.over')} ${money(f.creditOver)}` : '';
    out.push(['inbox.credit', `${t('inbox.owed')} ${money(f.owed || 0)} / ${t('inbox.limit')} ${money(f.creditLimit)}${over}`,
      Number(f.creditOver) > 0]);
  } else if ('owed' in f) out.push(['inbox.credit', `${t('inbox.owed')} ${money(f.owed)} · ${t('inbox.noLimit')}`, false]);
  if (Number(f.discountBp) > 0) out.push(['inbox.belowFloor', `${(Number(f.discountBp) / 100).toFixed(2)} %`, true]);
  return out;
}

async function userName(id) {
  const u = id ? await cached('/v1/users/' + id) : null;
  return u ? (u.displayName || u.username) : t('inbox.user', { id });
}

// details loads the document behind a request (fresh: its lines may have changed).
async function details(req) {
  const base = docPath[req.documentType];
  if (!base) return null;
  const doc = await api.get(base + req.document).catch(() => null);
  if (!doc) return null;
  let party = '';
  if (req.documentType === 'supplier_payment') party = await api.name('suppliers', doc.party);
  else if (doc.supplier) party = (await cached('/v1/suppliers/' + doc.supplier))?.name || '#' + doc.supplier;
  else if (doc.customer) party = (await cached('/v1/customers/' + doc.customer))?.name || '#' + doc.customer;
  // a stocktake shows the differences that wait (signed quantities)
  const lines = await Promise.all((doc.lines || doc.differences || []).map(async (l) => ({ ...l, it: await cached('/v1/items/' + l.item) })));
  return { doc, party, lines };
}

export function render(view) {
  let timer = null;
  let stopped = false;
  const status = el('p', { class: 'muted', id: 'inbox-status' });
  const flash = el('p', { class: 'verdict accepted', id: 'inbox-flash', hidden: true });
  const error = el('p', { class: 'error', id: 'inbox-error' });
  const list = el('div', { id: 'inbox-list' });
  view.append(el('h1', {}, t('inbox.title')), flash, error, list, status);
  const cards = new Map(); // request id -> {card, key, busy}

  let refreshing = false;
  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      await load();
    } finally {
      refreshing = false;
    }
  }

  async function load() {
    let r;
    try {
      r = await api.get('/v1/approvalRequests' + api.query({ state: 'PENDING', pageSize: 100 }));
      error.textContent = '';
    } catch (err) {
      if (err.status === 404 || err.status === 501) {
        list.replaceChildren(el('p', { class: 'empty', id: 'inbox-unavailable' }, t('inbox.unavailable')));
        return;
      }
      error.textContent = message(err);
      return;
    }
    if (stopped) return;
    const reqs = r.approvalRequests || [];
    const seen = new Set();
    for (const req of reqs) {
      seen.add(req.id);
      const key = req.step + '/' + (req.history || []).length;
      const have = cards.get(req.id);
      if (have && (have.key === key || have.busy)) continue;
      const card = await buildCard(req);
      if (stopped) return;
      if (have) have.card.replaceWith(card);
      else list.append(card);
      cards.set(req.id, { card, key, busy: false });
    }
    for (const [id, c] of cards) {
      if (!seen.has(id) && !c.busy) {
        c.card.remove();
        cards.delete(id);
      }
    }
    list.querySelector('#inbox-empty')?.remove();
    if (!cards.size) list.append(el('p', { class: 'empty', id: 'inbox-empty' }, t('inbox.empty')));
    status.textContent = t('inbox.updated', { time: new Date().toLocaleTimeString() });
  }

  async function buildCard(req) {
    const d = await details(req);
    const maker = req.makerName || await userName(req.maker);
    const history = await Promise.all((req.history || []).map(async (h) =>
      el('li', {}, `${when(h.time)} · ${h.userName || await userName(h.user)} · ${h.action}`, h.comment ? ` · “${h.comment}”` : '')));
    const comment = el('textarea', { class: 'comment', rows: 2, 'aria-label': t('inbox.comment'), placeholder: t('inbox.comment'), maxlength: 500 });
    const actions = el('div', { class: 'row actions' });
    const cardError = el('p', { class: 'error' });
    const card = el('article', { class: 'card request', id: 'request-' + req.id, dataset: { id: req.id } },
      el('div', { class: 'row' },
        el('div', {}, el('strong', { class: 'docno' }, req.documentNumber || `#${req.document}`), ' ',
          el('span', { class: 'muted' }, t('doc.' + req.documentType) || req.documentType)),
        el('div', { class: 'amount' }, money(req.amount))),
      el('dl', { class: 'kv' },
        el('dt', {}, t('inbox.party')), el('dd', { class: 'party' }, d?.party || '—'),
        ...facts(req).flatMap(([k, v, warn]) => [el('dt', {}, t(k)), el('dd', { class: 'fact' + (warn ? ' warn' : ''), dataset: { fact: k } }, v)]),
        el('dt', {}, t('inbox.why')), el('dd', { class: 'condition' }, req.condition || '—'),
        el('dt', {}, t('inbox.flow')), el('dd', {}, `${req.flowName || ''} · ${t('inbox.step')} ${req.step}${req.stepName ? ' ' + req.stepName : ''}`),
        el('dt', {}, t('inbox.maker')), el('dd', { class: 'maker' }, maker, ' · ', when(req.createTime))),
      d && d.lines.length ? el('table', { class: 'lines' },
        el('thead', {}, el('tr', {}, el('th', {}, t('inbox.item')), el('th', { class: 'num' }, t('inbox.qty')), el('th', { class: 'num' }, t('inbox.price')))),
        el('tbody', {}, d.lines.map((l) => el('tr', {},
          el('td', {}, l.it ? `${l.it.sku} ${l.it.name}` : '#' + l.item),
          el('td', { class: 'num' }, qty(l.quantity)),
          el('td', { class: 'num' }, l.unitPrice !== undefined || l.unitCost !== undefined ? money(l.unitPrice ?? l.unitCost) : '—'))))) : null,
      el('h2', {}, t('inbox.history')),
      history.length ? el('ul', { class: 'history' }, history) : el('p', { class: 'muted' }, t('inbox.nohistory')),
      comment, actions, cardError);

    const entry = () => cards.get(req.id);
    function ask() {
      actions.replaceChildren(
        el('button', { type: 'button', class: 'good approve', onclick: () => confirm('approve') }, t('inbox.approve')),
        el('button', { type: 'button', class: 'danger reject', onclick: () => confirm('reject') }, t('inbox.reject')));
      if (entry()) entry().busy = false;
    }
    function confirm(what) {
      if (entry()) entry().busy = true; // keep the card while the user decides
      actions.replaceChildren(
        el('button', { type: 'button', class: (what === 'approve' ? 'good' : 'danger') + ' confirm-' + what, onclick: () => decide(what) },
          t(what === 'approve' ? 'inbox.confirmApprove' : 'inbox.confirmReject')),
        el('button', { type: 'button', class: 'secondary cancel', onclick: ask }, t('inbox.cancel')));
    }
    async function decide(what) {
      for (const b of actions.querySelectorAll('button')) b.disabled = true;
      cardError.textContent = '';
      try {
        await api.post(`/v1/approvalRequests/${req.id}:${what}`, { comment: comment.value.trim() });
        card.remove();
        cards.delete(req.id);
        flash.hidden = false;
        flash.className = 'verdict ' + (what === 'approve' ? 'accepted' : 'refused');
        flash.textContent = t(what === 'approve' ? 'inbox.approved' : 'inbox.rejected', { doc: req.documentNumber || '#' + req.document });
        refresh();
      } catch (err) {
        cardError.textContent = message(err);
        ask();
      }
    }
    ask();
    return card;
  }

  const tick = async () => {
    await refresh();
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
