// Warehouse scanning: pick an open delivery or purchase order, open a scan session, then
// scan with a keyboard-wedge scanner (it types the code and Enter) or the camera where the
// browser has BarcodeDetector. Each answer shows at once, large and coloured, with the
// refusal reason and the line's progress; a refusal also beeps.
import * as api from './api.js';
import { t, has } from './i18n.js';
import { el, qty } from './fmt.js';
import { message } from './app.js';

const items = new Map(); // item id -> {sku, name}

async function item(id) {
  if (!id) return { sku: '', name: '' };
  if (!items.has(id)) {
    items.set(id, api.cached('/v1/items/' + id).then((r) => (r && (r.item || r)) || { sku: '#' + id, name: '' }));
  }
  return items.get(id);
}

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = 220;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  } catch { /* no audio: the colour still says it */ }
}

function reasonText(reason) {
  return has('reason.' + reason) ? t('reason.' + reason) : reason;
}

export function render(view) {
  let stopped = false;
  let stopCamera = () => {};
  view.append(el('h1', {}, t('scan.title')));
  const body = el('div', { id: 'scan-body' });
  view.append(body);
  pickDocument();

  async function pickDocument() {
    stopCamera();
    body.replaceChildren(el('p', { class: 'muted' }, t('scan.pick')));
    const error = el('p', { class: 'error', id: 'scan-error' });
    const dos = el('div', { class: 'doclist', id: 'scan-deliveries' });
    const pos = el('div', { class: 'doclist', id: 'scan-purchases' });
    body.append(error, el('div', { class: 'cols' },
      el('section', {}, el('h2', {}, t('scan.deliveries')), dos),
      el('section', {}, el('h2', {}, t('scan.purchases')), pos)));
    const list = async (path, key, box, kind, party) => {
      try {
        const r = await api.get(path);
        const docs = r[key] || [];
        if (!docs.length) box.append(el('p', { class: 'muted' }, t('scan.none')));
        const parties = await Promise.all(docs.map(party));
        for (const [i, d] of docs.entries()) {
          box.append(el('button', { type: 'button', class: 'secondary', id: `doc-${kind}-${d.id}`, dataset: { kind, id: d.id },
            onclick: () => open(kind, d) },
          el('strong', {}, d.number), ' · ', parties[i], ' · ', String((d.lines || []).length), ' ', t('inbox.lines'),
          d.status !== 'open' ? el('span', { class: 'badge' }, ' ', d.status) : null));
        }
      } catch (err) {
        if (err.status !== 403) error.textContent = message(err);
        box.append(el('p', { class: 'muted' }, t('scan.none')));
      }
    };
    await Promise.all([
      list('/v1/deliveryOrders' + api.query({ status: 'open', pageSize: 100 }), 'deliveryOrders', dos, 'deliveryOrder',
        async (d) => [await api.name('customers', d.customer), d.retailerPoNumber].filter(Boolean).join(' · ')),
      list('/v1/purchaseOrders' + api.query({ status: 'open', pageSize: 100 }), 'purchaseOrders', pos, 'purchaseOrder',
        (d) => api.name('suppliers', d.supplier)),
    ]);
  }

  async function open(kind, doc) {
    let session;
    try {
      session = await api.post('/v1/scanSessions', { [kind]: doc.id, device: 'web' });
      if (!(session.lines || []).length) session = await api.get('/v1/scanSessions/' + session.id);
    } catch (err) {
      body.querySelector('#scan-error').textContent = message(err);
      return;
    }
    if (stopped) return;
    scanning(kind, doc, session);
  }

  function scanning(kind, doc, session) {
    let lastAccepted = '';
    let lastText = ''; // what the last accepted scan counted, for the undo answer
    const verdict = el('div', { id: 'verdict', class: 'verdict idle', role: 'status' },
      el('div', { class: 'word' }, t('scan.ready')));
    const input = el('input', { id: 'scan-input', class: 'scan-input', autocomplete: 'off', autocapitalize: 'none',
      spellcheck: 'false', enterkeyhint: 'send', inputmode: 'text', 'aria-label': t('scan.input'), placeholder: t('scan.input') });
    const form = el('form', { id: 'scan-form' }, input);
    const undo = el('button', { type: 'button', class: 'secondary', id: 'scan-undo', disabled: true }, t('scan.undo'));
    const camera = el('button', { type: 'button', class: 'secondary', id: 'scan-camera', hidden: !('BarcodeDetector' in window) }, t('scan.camera'));
    const complete = el('button', { type: 'button', class: 'primary', id: 'scan-complete' }, t('scan.complete'));
    const partial = el('button', { type: 'button', class: 'secondary', id: 'scan-partial' }, t('scan.partial'));
    const back = el('button', { type: 'button', class: 'secondary', id: 'scan-back' }, t('scan.back'));
    const error = el('p', { class: 'error', id: 'scan-error' });
    const video = el('video', { id: 'scan-video', playsinline: true, muted: true, hidden: true });
    const lines = el('tbody', { id: 'scan-lines' });
    const log = el('ol', { class: 'log', id: 'scan-log', reversed: true });
    body.replaceChildren(
      el('p', {}, el('strong', { id: 'scan-doc' }, doc.number), ' · ', t('doc.' + (kind === 'deliveryOrder' ? 'delivery_order' : 'purchase_order'))),
      form, verdict, error, video,
      el('div', { class: 'row' }, undo, camera),
      el('h2', {}, t('scan.progress')),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('scan.item')), el('th', { class: 'num' }, t('scan.done')),
        el('th', { class: 'num' }, t('scan.ordered')))), lines),
      el('h2', {}, t('scan.log')), log,
      el('div', { class: 'row' }, complete, partial, back));
    const progress = new Map(); // line id -> LineProgress
    for (const l of session.lines || []) progress.set(l.line, l);
    paintLines();
    input.focus();

    async function paintLines() {
      const rows = [];
      for (const l of progress.values()) {
        const it = await item(l.item);
        rows.push(el('tr', { dataset: { line: l.line } }, el('td', {}, it.sku, ' ', el('span', { class: 'muted' }, it.name)),
          el('td', { class: 'num' }, qty(l.totalDone)), el('td', { class: 'num' }, qty(l.ordered))));
      }
      lines.replaceChildren(...rows);
    }

    function show(cls, word, why, extra) {
      verdict.className = 'verdict ' + cls;
      verdict.replaceChildren(...[el('div', { class: 'word', id: 'verdict-word' }, word),
        why ? el('div', { class: 'why', id: 'verdict-why' }, why) : null,
        extra ? el('div', { class: 'why', id: 'verdict-line' }, extra) : null].filter(Boolean));
    }

    async function submit(code) {
      if (!code) return;
      error.textContent = '';
      const scanId = api.randomId();
      let a;
      try {
        a = await api.post(`/v1/scanSessions/${session.id}:scan`, { code, scanId });
      } catch (err) {
        error.textContent = message(err);
        return;
      }
      const it = await item(a.item);
      const sku = a.sku || it.sku;
      const lineText = a.line ? t('scan.line', { sku, done: qty(a.line.totalDone), ordered: qty(a.line.ordered) }) : '';
      if (a.accepted) {
        lastAccepted = a.scanId || scanId;
        lastText = [sku, it.name, '-' + qty(a.quantity), a.lot].filter(Boolean).join(' ');
        undo.disabled = false;
        const warn = a.warning ? ' · ' + reasonText(a.warning) : '';
        show('accepted', t('scan.accepted'), [sku, it.name, '+' + qty(a.quantity), a.lot].filter(Boolean).join(' ') + warn, lineText);
        log.prepend(el('li', { class: 'ok' }, t('scan.accepted'), ' ', sku, ' +', qty(a.quantity), a.lot ? ' ' + a.lot : ''));
        if (a.line) {
          progress.set(a.line.line, a.line);
          paintLines();
        }
      } else {
        beep();
        show('refused', t('scan.refused'), `${reasonText(a.reason)} (${a.reason})`, [a.detail, lineText].filter(Boolean).join(' · '));
        log.prepend(el('li', { class: 'bad' }, t('scan.refused'), ' ', a.reason, ' ', code.replace(/[\x00-\x1f]/g, ' ')));
      }
    }

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const code = input.value.trim();
      input.value = '';
      submit(code);
      input.focus();
    });

    undo.addEventListener('click', async () => {
      if (!lastAccepted) return;
      error.textContent = '';
      try {
        await api.post(`/v1/scanSessions/${session.id}:undo`, { scanId: lastAccepted });
        lastAccepted = '';
        undo.disabled = true;
        show('idle', t('scan.undone'), lastText);
        log.prepend(el('li', {}, t('scan.undone'), ' ', lastText));
        const fresh = await api.get('/v1/scanSessions/' + session.id);
        for (const l of fresh.lines || []) progress.set(l.line, l);
        paintLines();
      } catch (err) {
        error.textContent = message(err);
      }
      input.focus();
    });

    const finish = (allowPartial) => async () => {
      error.textContent = '';
      try {
        const r = await api.post(`/v1/scanSessions/${session.id}:complete`, { allowPartial, requestId: api.randomId() });
        stopCamera();
        body.replaceChildren(el('p', { class: 'verdict accepted', id: 'scan-posted' },
          t('scan.completed', { doc: r.document?.number || r.scanSession?.document || '' })),
        el('button', { type: 'button', class: 'primary', id: 'scan-next', onclick: pickDocument }, t('scan.back')));
      } catch (err) {
        error.textContent = message(err);
      }
    };
    complete.addEventListener('click', finish(false));
    partial.addEventListener('click', finish(true));
    back.addEventListener('click', pickDocument);

    camera.addEventListener('click', async () => {
      if (!video.hidden) {
        stopCamera();
        return;
      }
      let stream;
      try {
        const detector = new window.BarcodeDetector();
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.srcObject = stream;
        video.hidden = false;
        camera.textContent = t('scan.stopCamera');
        await video.play();
        let last = '';
        let lastAt = 0;
        const timer = setInterval(async () => {
          try {
            const found = await detector.detect(video);
            const code = found[0]?.rawValue;
            // the same code in view is one scan until it leaves for a second and a half
            if (code && (code !== last || Date.now() - lastAt > 1500)) submit(code);
            if (code) { last = code; lastAt = Date.now(); }
          } catch { /* a frame that cannot be read */ }
        }, 300);
        stopCamera = () => {
          clearInterval(timer);
          for (const tr of stream.getTracks()) tr.stop();
          video.srcObject = null;
          video.hidden = true;
          camera.textContent = t('scan.camera');
          stopCamera = () => {};
        };
      } catch (err) {
        if (stream) for (const tr of stream.getTracks()) tr.stop();
        error.textContent = message(err);
      }
    });
  }

  return () => {
    stopped = true;
    stopCamera();
  };
}
