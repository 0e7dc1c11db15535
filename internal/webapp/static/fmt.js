// Formatting with integer arithmetic only: money arrives as integer fen and quantities as
// integer milli-units, and are never divided as floats for display.

function group(n) { // n: a non-negative integer
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
}

// money formats fen as ¥1,234.56 (negative with a leading minus).
export function money(fen) {
  const n = Number(fen || 0);
  const neg = n < 0;
  const a = Math.abs(n);
  const yuan = Math.trunc(a / 100);
  const cents = a - yuan * 100;
  return (neg ? '-' : '') + '¥' + group(yuan) + '.' + String(cents).padStart(2, '0');
}

// moneyShort formats fen as whole yuan (truncated), for chart labels.
export function moneyShort(fen) {
  const n = Number(fen || 0);
  return (n < 0 ? '-' : '') + '¥' + group(Math.trunc(Math.abs(n) / 100));
}

// qty formats milli-units: 1250 -> "1.25", 3000 -> "3".
export function qty(milli) {
  const n = Number(milli || 0);
  const a = Math.abs(n);
  const whole = Math.trunc(a / 1000);
  let frac = String(a - whole * 1000).padStart(3, '0').replace(/0+$/, '');
  return (n < 0 ? '-' : '') + group(whole) + (frac ? '.' + frac : '');
}

// when formats an RFC 3339 time in the reader's time zone.
export function when(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString();
}

// el builds an element: el('div', {class: 'x', dataset: {id: 1}}, 'text', child…).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// today answers the local date as YYYY-MM-DD.
export function today() {
  const d = new Date();
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}
