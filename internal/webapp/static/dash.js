// The manager dashboard: today's orders and sales per channel, the order queues that need
// a person (exceptions, held for review, waiting for stock), pending approvals, lots near
// expiry, overdue receivables and the replenishment job's reorder alerts (a manager confirms
// one into a purchase order or transfer here), from the public API. Charts are inline SVG built here.
import * as api from './api.js';
import { t } from './i18n.js';
import { el, money, moneyShort, qty, today } from './fmt.js';
import { message } from './app.js';

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// barChart draws horizontal bars: rows of {label, value (integer fen), text}.
function barChart(id, rows, colour) {
  const W = 340, rowH = 26, left = 92, right = 92;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const g = svg('svg', { class: 'chart', id, viewBox: `0 0 ${W} ${rows.length * rowH + 6}`, role: 'img' });
  rows.forEach((r, i) => {
    const y = i * rowH + 4;
    // bar length in whole pixels: integer arithmetic on the fen values
    const w = r.value > 0 ? Math.max(2, Math.trunc((r.value * (W - left - right)) / max)) : 0;
    g.append(svg('text', { x: 0, y: y + 15 }, r.label),
      svg('rect', { x: left, y, width: w, height: rowH - 8, rx: 3, fill: colour }),
      svg('text', { x: left + w + 4, y: y + 15 }, r.text));
  });
  return g;
}

async function all(path, key, max = 5) { // a few pages of a list
  let out = [];
  let token = '';
  for (let i = 0; i < max; i++) {
    const r = await api.get(path + (path.includes('?') ? '&' : '?') + api.query({ pageSize: 1000, pageToken: token }).slice(1));
    out = out.concat(r[key] || []);
    token = r.nextPageToken;
    if (!token) break;
  }
  return out;
}

function tile(id, title, value, alert) {
  return el('div', { class: 'tile' + (alert ? ' alert' : ''), id }, el('div', { class: 'n' }, value), el('div', { class: 't' }, title));
}

export function render(view) {
  let stopped = false;
  const error = el('p', { class: 'error', id: 'dash-error' });
  const tiles = el('div', { class: 'tiles', id: 'dash-tiles' });
  const channels = el('section', { class: 'card', id: 'dash-channels' }, el('h2', {}, t('dash.byChannel')));
  const aging = el('section', { class: 'card', id: 'dash-aging' }, el('h2', {}, t('dash.aging')));
  const lots = el('section', { class: 'card', id: 'dash-lots' }, el('h2', {}, t('dash.expiring')));
  const reorder = el('section', { class: 'card', id: 'dash-reorder' }, el('h2', {}, t('dash.reorder')));
  view.append(el('h1', {}, t('dash.title'), ' ', el('span', { class: 'muted' }, today())), error, tiles,
    el('div', { class: 'cols' }, channels, aging), reorder, lots);

  const safe = (p) => p.catch((err) => {
    if (err.status !== 403 && err.status !== 404) error.textContent = message(err);
    return null;
  });
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  (async () => {
    const [todays, exceptions, held, waiting, approvals, expiring, ageing, suggested] = await Promise.all([
      safe(all('/v1/orders' + api.query({ createdAfter: midnight.toISOString() }), 'orders')),
      safe(all('/v1/orders' + api.query({ exceptionsOnly: true }), 'orders')),
      safe(all('/v1/orders' + api.query({ fulfilState: 'held' }), 'orders')),
      safe(all('/v1/orders' + api.query({ fulfilState: 'awaiting_stock' }), 'orders')),
      safe(all('/v1/approvalRequests' + api.query({ state: 'PENDING' }), 'approvalRequests')),
      safe(api.get('/v1/lots:expiring' + api.query({ withinDays: 30 }))),
      safe(api.get('/v1/aging' + api.query({ asOf: today() }))),
      safe(api.get('/v1/insights/suggestions')),
    ]);
    if (stopped) return;
    const na = t('dash.na');
    const perChannel = new Map();
    let sales = 0;
    for (const o of todays || []) {
      if (o.status === 'cancelled' || o.fulfilState === 'cancelled') continue;
      const amount = Number(o.paid || o.goods || 0);
      sales += amount;
      perChannel.set(o.channel || '—', (perChannel.get(o.channel || '—') || 0) + amount);
    }
    const overdue = ageing ? Number(ageing.total?.overdue || 0) : null;
    tiles.append(
      tile('tile-orders', t('dash.orders'), todays ? String(todays.length) : na),
      tile('tile-sales', t('dash.sales'), todays ? money(sales) : na),
      tile('tile-exceptions', t('dash.exceptions'), exceptions ? String(exceptions.length) : na, exceptions?.length > 0),
      tile('tile-held', t('dash.held'), held ? String(held.length) : na, held?.length > 0),
      tile('tile-stock', t('dash.outOfStock'), waiting ? String(waiting.length) : na, waiting?.length > 0),
      tile('tile-approvals', t('dash.approvals'), approvals ? String(approvals.length) : na, approvals?.length > 0),
      tile('tile-expiring', t('dash.expiring'), expiring ? String((expiring.lots || []).length) : na, expiring?.lots?.length > 0),
      tile('tile-overdue', t('dash.overdue'), overdue === null ? na : money(overdue), overdue > 0));
    const drafts = suggested ? (suggested.suggestions || []).filter((x) => x.status === 'draft') : null;
    tiles.append(tile('tile-reorder', t('dash.reorder'), drafts ? String(drafts.length) : na, drafts?.length > 0));
    reorder.append(drafts?.length ? reorderTable(drafts.slice(0, 30)) : el('p', { class: 'muted' }, drafts ? t('dash.noReorder') : na));

    const rows = [...perChannel.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value, text: moneyShort(value) }));
    channels.append(rows.length ? barChart('chart-channels', rows, '#0b5cad') : el('p', { class: 'muted' }, todays ? t('dash.noSales') : na));

    if (ageing) {
      const b = ageing.total || {};
      const keys = ['notDue', 'upTo30', 'from31To60', 'from61To90', 'over90'];
      aging.append(barChart('chart-aging', keys.map((k) => ({ label: t('age.' + k), value: Number(b[k] || 0), text: moneyShort(b[k]) })), '#b3261e'));
    } else aging.append(el('p', { class: 'muted' }, na));

    const lotRows = (expiring?.lots || []).slice(0, 20);
    const itemNames = await Promise.all(lotRows.map((l) => api.name('items', l.item)));
    if (lotRows.length) {
      lots.append(el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('dash.lot')), el('th', {}, t('dash.expiry')),
        el('th', { class: 'num' }, t('dash.daysLeft')), el('th', { class: 'num' }, t('dash.onHand')), el('th', { class: 'num' }, t('dash.value')))),
      el('tbody', {}, lotRows.map((l, i) => el('tr', {}, el('td', {}, `${itemNames[i]} · ${l.lot}`), el('td', {}, l.expiry),
        el('td', { class: 'num' }, String(l.daysLeft)), el('td', { class: 'num' }, qty(l.onHand)), el('td', { class: 'num' }, money(l.value)))))));
    } else lots.append(el('p', { class: 'muted' }, expiring ? t('dash.noLots') : na));
  })();
  return () => { stopped = true; };
}

// reorderTable lists draft suggestions; orders and transfers confirm into a purchase order
// or transfer (a supplier group at once), expiry warnings only say what to sell first.
function reorderTable(drafts) {
  const where = (x) => x.kind === 'transfer'
    ? `${x.fromWarehouseName || '#' + x.fromWarehouseId} → ${x.warehouseName || '#' + x.warehouseId}`
    : x.warehouseName || '#' + x.warehouseId;
  const row = (x) => {
    const cell = el('td', {});
    if (x.kind !== 'expiry') {
      const b = el('button', { type: 'button', class: 'secondary confirm-suggestion', id: 'suggestion-' + x.id }, t('dash.confirm'));
      b.onclick = async () => {
        b.disabled = true;
        try {
          const r = await api.post(`/v1/insights/suggestions/${x.id}:confirm`, {});
          cell.replaceChildren(el('span', { class: 'badge' }, r.suggestion?.document?.number || t('dash.confirmed')));
        } catch (err) {
          b.disabled = false;
          cell.append(el('p', { class: 'error' }, message(err)));
        }
      };
      cell.append(b);
    }
    return el('tr', {}, el('td', {}, t('reorder.' + x.kind)),
      el('td', {}, `${x.itemSku || '#' + x.itemId} ${x.itemName || ''}`, x.lot ? ` · ${x.lot}` : ''),
      el('td', {}, where(x), x.kind === 'order' && x.supplierName ? ` · ${x.supplierName}` : ''),
      el('td', { class: 'num' }, qty(x.quantity)), cell);
  };
  return el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('dash.kind')), el('th', {}, t('inbox.item')),
    el('th', {}, t('dash.where')), el('th', { class: 'num' }, t('inbox.qty')), el('th', {}))),
  el('tbody', {}, drafts.map(row)));
}
