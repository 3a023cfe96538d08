// Review queue webview. Every string from data is set with textContent (never innerHTML); images are data: URIs.
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  let item = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function img(src, alt, cls) {
    const i = document.createElement('img');
    if (typeof src === 'string' && src.startsWith('data:image/png;base64,')) i.src = src;
    i.alt = alt;
    if (cls) i.className = cls;
    return i;
  }
  const pct = (p) => (100 * p).toFixed(1) + '%';

  function render(m) {
    item = m;
    app.replaceChildren();
    const head = el('div', undefined, 'header');
    head.append(el('strong', `Suspect ${m.position + 1} of ${m.total}`), el('span', `${m.reviewed} reviewed`), el('span', `${m.split === 'test' ? 'test example' : 'example'} #${m.index}${m.source ? ' · ' + m.source : ''}`), el('span', m.method === 'confident-learning' ? 'flagged by confident learning' : 'flagged by threshold'));
    app.append(head);
    const row = el('div', undefined, 'row');
    // An image the extension refused or could not read (outside the dataset folder, corrupt): say why instead.
    if (m.image) row.append(img(m.image, `example ${m.index}`, 'big'));
    else row.append(el('p', `Image not shown: ${m.imageProblem || 'unavailable'}`, 'problem'));
    const facts = el('div', undefined, 'facts');
    facts.append(el('div', `Labelled: ${m.labelName}`), el('div', `Predicted: ${m.predictedName} (${pct(m.confidence)})`), el('div', `Suspicion: ${m.suspicion.toFixed(3)}`));
    if (m.score) facts.append(el('div', `${m.score.name}: ${m.score.value.toFixed(3)}${m.score.percentile !== undefined ? ` (${m.score.percentile.toFixed(1)} percentile)` : ''}`));
    facts.append(el('div', 'Top: ' + m.top.map((t) => `${t.name} ${pct(t.p)}`).join(', ')));
    const d = m.decision;
    const decided = d ? (d.action === 'relabel' ? `relabelled to ${d.newLabelName ?? d.newLabel}` : d.action === 'ok' ? 'label accepted' : 'excluded') : undefined;
    const dec = el('div', decided ? `Decision: ${decided}` : 'Not reviewed yet', decided ? 'decision' : 'open');
    dec.id = 'decision';
    facts.append(dec);
    const buttons = el('div', undefined, 'buttons');
    // The decision taken is the pressed button; another click replaces it (the file keeps every decision).
    const b = (text, msg, chosen) => {
      const x = el('button', text, chosen ? 'chosen' : undefined);
      x.setAttribute('aria-pressed', chosen ? 'true' : 'false');
      x.addEventListener('click', () => vscode.postMessage(msg));
      buttons.append(x);
    };
    const relabelled = d && d.action === 'relabel' && Number(d.newLabel) === m.predicted;
    b(`Relabel to ${m.predictedName}`, { type: 'decide', action: 'relabel', label: m.predicted }, relabelled);
    b('Accept label', { type: 'decide', action: 'ok' }, d && d.action === 'ok');
    b('Exclude', { type: 'decide', action: 'exclude' }, d && d.action === 'exclude');
    facts.append(buttons);
    row.append(facts);
    app.append(row);
    const nb = el('div', undefined, 'neighbours');
    // Similar by the run's embeddings (its model's features) when it recorded them, else by raw pixels.
    const space = m.neighbourSpace === 'embeddings' ? 'Most similar (model embeddings)' : 'Nearest (pixel space)';
    const tip = (n) => `#${n.index}${typeof n.similarity === 'number' ? ` · cosine ${n.similarity.toFixed(3)}` : ''}`;
    const thumb = (n) => {
      const t = img(n.image, tip(n));
      t.title = tip(n);
      return t;
    };
    nb.append(el('h3', `${space} labelled ${m.labelName} (claimed)`));
    for (const n of m.claimed) nb.append(thumb(n));
    nb.append(el('h3', `${space} labelled ${m.predictedName} (predicted)`));
    for (const n of m.predictedNeighbours) nb.append(thumb(n));
    if (m.neighbourProblem) nb.append(el('p', `Neighbours by pixels: the run's embeddings could not be read (${m.neighbourProblem})`, 'problem'));
    app.append(nb);
    const keys = el('div', undefined, 'keys');
    keys.append(el('kbd', '0-9'), el('span', ' relabel  '), el('kbd', 'x'), el('span', ' exclude  '), el('kbd', 'space'), el('span', ' accept  '), el('kbd', '← →'), el('span', ' move  · saved to ' + m.file));
    app.append(keys);
    app.focus();
  }

  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m && m.type === 'item') render(m);
    if (m && m.type === 'empty') {
      app.replaceChildren(el('p', m.message));
    }
  });
  window.addEventListener('keydown', (e) => {
    if (!item || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key) && Number(e.key) < item.classes.length) vscode.postMessage({ type: 'decide', action: 'relabel', label: Number(e.key) });
    else if (e.key === 'x' || e.key === 'X') vscode.postMessage({ type: 'decide', action: 'exclude' });
    else if (e.key === ' ') vscode.postMessage({ type: 'decide', action: 'ok' });
    else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') vscode.postMessage({ type: 'move', delta: 1 });
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') vscode.postMessage({ type: 'move', delta: -1 });
    else return;
    e.preventDefault();
  });
  vscode.postMessage({ type: 'ready' });
})();
