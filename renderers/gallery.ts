import { fmtScore, galleryTitle, PNG_DATA_URI } from '../src/core/notebook/galleryText';
import type { AnnotateAction, AnnotatedMessage, AnnotateMessage, GalleryItem, GalleryPayload } from '../src/contract/notebookMime';

/**
 * A gallery of example thumbnails grouped per class. Built for 10,000 images: each class shows its first chunk of
 * tiles, and the next chunk is added when the "more" button at its end scrolls near the viewport
 * (IntersectionObserver) or is clicked; one delegated click/key listener serves every tile. Clicking a tile opens a
 * detail panel below its row (large image, label, prediction, score, actions).
 *
 * Every string from the payload (class names, titles) goes into the DOM as text (textContent / attributes set
 * through the DOM), never as markup; images are shown only when they are PNG data: URIs.
 */

export interface GalleryOptions {
  /** Sends an annotation to the extension; absent without renderer messaging (the gallery is then read-only). */
  post?: (m: AnnotateMessage) => void;
  /** A line under the title, e.g. where a brushed gallery's examples come from. */
  note?: string;
  /** Tiles added per class at a time. */
  chunk?: number;
}

export const DEFAULT_THUMB = 56;
export const DEFAULT_CHUNK = 40;

const ACTION_TEXT: Record<AnnotateAction, string> = { flag: 'flagged as noisy', relabel: 'relabeled', ok: 'label confirmed', exclude: 'excluded' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The last tile on the same grid row as `tile` (tiles of a row share their top edge). */
export function rowEnd(tile: HTMLElement): HTMLElement {
  let last = tile;
  for (let n = tile.nextElementSibling as HTMLElement | null; n && n.classList.contains('dd-tile') && n.offsetTop === tile.offsetTop; n = n.nextElementSibling as HTMLElement | null) last = n;
  return last;
}

/**
 * The key to the tiles' markers, with only the markers this gallery shows: the dot of a label corrupted by noise
 * injection (noise studies) and the frame of a prediction that differs from the label.
 */
function galleryKey(p: GalleryPayload): HTMLElement | undefined {
  const items = p.groups.flatMap((g) => g.items);
  const entries: [string, string][] = [];
  if (items.some((it) => it.corrupted)) entries.push(['dd-key-dot', 'label corrupted by noise injection']);
  if (items.some((it) => it.predicted !== undefined && it.predicted !== it.label)) entries.push(['dd-key-box', 'predicted class differs from the label']);
  if (entries.length === 0) return undefined;
  const key = el('div', 'dd-key');
  for (const [mark, text] of entries) {
    const item = el('span', 'dd-key-item');
    item.append(el('span', mark), el('span', '', text));
    key.append(item);
  }
  return key;
}

interface GroupState {
  items: GalleryItem[];
  shown: number;
  grid: HTMLElement;
  more: HTMLButtonElement;
}

export class GalleryView {
  readonly root: HTMLElement;
  private readonly flat: GalleryItem[] = [];
  private readonly tiles = new Map<number, HTMLElement>();
  private readonly groups: GroupState[] = [];
  private readonly observer: IntersectionObserver | undefined;
  private detail: HTMLElement | undefined;
  private readonly annotated = new Map<number, { action: AnnotateAction; label?: number }>();
  private readonly chunk: number;

  constructor(
    host: HTMLElement,
    private readonly payload: GalleryPayload,
    private readonly opts: GalleryOptions = {},
  ) {
    this.chunk = opts.chunk ?? DEFAULT_CHUNK;
    const thumb = payload.thumbSize ?? DEFAULT_THUMB;
    this.root = el('div', 'dd-gallery');
    this.root.style.setProperty('--dd-thumb', `${thumb}px`);
    const head = el('div', 'dd-gallery-head');
    head.append(el('div', 'dd-title', galleryTitle(payload)));
    const shown = payload.groups.reduce((a, g) => a + g.items.length, 0);
    const matched = payload.groups.reduce((a, g) => a + g.matched, 0);
    const count = shown < matched ? `${shown.toLocaleString('en-US')} of ${matched.toLocaleString('en-US')} matching examples shown` : `${shown.toLocaleString('en-US')} examples`;
    const groupWord = payload.groupBy === 'duplicate' ? ['group', 'groups'] : ['class', 'classes'];
    head.append(el('div', 'dd-note', `${count} in ${payload.groups.length} ${groupWord[payload.groups.length === 1 ? 0 : 1]}${opts.note ? ` · ${opts.note}` : ''}`));
    if (payload.partial) head.append(el('div', 'dd-note', 'partial: the run was cancelled'));
    const key = galleryKey(payload);
    if (key) head.append(key);
    this.root.append(head);
    if (payload.groups.length === 0) this.root.append(el('div', 'dd-empty', 'No examples match.'));

    if (typeof IntersectionObserver !== 'undefined') {
      this.observer = new IntersectionObserver(
        (entries) => {
          for (const e of entries) if (e.isIntersecting) this.showMore(Number((e.target as HTMLElement).dataset.group));
        },
        { rootMargin: '600px 0px' },
      );
    }
    payload.groups.forEach((g, gi) => {
      const section = el('section', 'dd-group');
      const h = el('div', 'dd-group-head');
      h.append(el('span', 'dd-class', g.className));
      for (const f of g.flags ?? []) h.append(el('span', 'dd-flag', f));
      h.append(el('span', 'dd-note', g.items.length < g.matched ? `${g.items.length.toLocaleString('en-US')} of ${g.matched.toLocaleString('en-US')}` : g.matched.toLocaleString('en-US')));
      const grid = el('div', 'dd-chunks');
      const more = el('button', 'dd-more');
      more.type = 'button';
      more.dataset.group = String(gi);
      section.append(h, grid, more);
      this.root.append(section);
      const state: GroupState = { items: g.items, shown: 0, grid, more };
      this.groups.push(state);
      this.showMore(gi);
      this.observer?.observe(more);
    });
    this.root.addEventListener('click', (ev) => this.onClick(ev));
    this.root.addEventListener('keydown', (ev) => this.onKey(ev));
    host.append(this.root);
  }

  /** Tiles in the DOM (for tests and measurements). */
  get tileCount(): number {
    return this.tiles.size;
  }

  showMore(gi: number): void {
    const g = this.groups[gi];
    if (!g || g.shown >= g.items.length) return;
    const end = Math.min(g.items.length, g.shown + this.chunk);
    // Each chunk is its own grid with content-visibility: auto, so the browser skips layout and paint of the
    // chunks scrolled away (thousands of tiles cost little once off screen).
    const chunk = el('div', 'dd-grid');
    chunk.setAttribute('role', 'list');
    chunk.style.setProperty('--dd-rows-hint', String(Math.ceil((end - g.shown) / 8)));
    for (let i = g.shown; i < end; i++) chunk.append(this.tile(g.items[i]));
    g.grid.append(chunk);
    g.shown = end;
    const left = g.items.length - end;
    g.more.hidden = left === 0;
    g.more.textContent = `Show ${Math.min(left, this.chunk)} more (${left.toLocaleString('en-US')} left)`;
    if (left === 0) this.observer?.unobserve(g.more);
  }

  private className(label: number | undefined): string {
    if (label === undefined) return '?';
    return this.payload.classNames[label] ?? String(label);
  }

  private tile(it: GalleryItem): HTMLElement {
    const k = this.flat.push(it) - 1;
    const t = el('div', 'dd-tile');
    t.setAttribute('role', 'listitem');
    t.tabIndex = 0;
    t.dataset.k = String(k);
    const wrong = it.predicted !== undefined && it.predicted !== it.label;
    if (wrong) t.classList.add('dd-wrong');
    if (it.corrupted) t.classList.add('dd-corrupted');
    const label = this.className(it.label);
    const pred = it.predicted === undefined ? '' : `, predicted ${this.className(it.predicted)}`;
    t.title = `example #${it.index}: label ${label}${pred}, ${this.payload.groupBy === 'duplicate' ? 'similarity' : 'score'} ${fmtScore(it.score)}${it.corrupted ? ' (label corrupted by noise injection)' : ''}${it.note ? `\n${it.note}` : ''}`;
    t.append(this.image(it, 'dd-thumb'));
    const cap = el('div', 'dd-cap');
    const lp = el('div', 'dd-lp');
    lp.append(el('span', 'dd-label', label));
    if (it.predicted !== undefined) lp.append(el('span', wrong ? 'dd-pred dd-mismatch' : 'dd-pred', `→${this.className(it.predicted)}`));
    cap.append(lp, el('div', 'dd-score', fmtScore(it.score)));
    t.append(cap);
    this.tiles.set(it.index, t);
    const a = this.annotated.get(it.index);
    if (a) this.applyMark(t, a.action, a.label);
    return t;
  }

  private image(it: GalleryItem, cls: string): HTMLElement {
    if (!PNG_DATA_URI.test(it.thumb)) return el('div', `${cls} dd-noimg`, 'no image');
    const img = el('img', cls);
    img.alt = `example #${it.index}`;
    img.decoding = 'async';
    img.loading = 'lazy';
    img.src = it.thumb;
    return img;
  }

  private itemOf(target: EventTarget | null): { it: GalleryItem; tile: HTMLElement } | undefined {
    const tile = (target as HTMLElement | null)?.closest?.('.dd-tile') as HTMLElement | null;
    if (!tile || !this.root.contains(tile)) return undefined;
    const it = this.flat[Number(tile.dataset.k)];
    return it ? { it, tile } : undefined;
  }

  private onClick(ev: MouseEvent): void {
    const more = (ev.target as HTMLElement).closest?.('.dd-more') as HTMLElement | null;
    if (more) return this.showMore(Number(more.dataset.group));
    const hit = this.itemOf(ev.target);
    if (hit) this.open(hit.it, hit.tile);
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key === 'Escape' && this.detail) {
      this.close();
      return;
    }
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      // Step through the tiles; with the detail panel open it follows, for reviewing one example after another.
      const from = this.itemOf(ev.target)?.tile ?? (this.detail ? (this.root.querySelector('.dd-open') as HTMLElement | null) : null);
      if (!from) return;
      const tiles = [...this.root.querySelectorAll<HTMLElement>('.dd-tile')];
      const next = tiles[tiles.indexOf(from) + (ev.key === 'ArrowRight' ? 1 : -1)];
      if (!next) return;
      ev.preventDefault();
      const wasOpen = this.detail !== undefined;
      next.focus();
      if (wasOpen) this.open(this.flat[Number(next.dataset.k)], next);
      return;
    }
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    const hit = this.itemOf(ev.target);
    if (hit) {
      ev.preventDefault();
      this.open(hit.it, hit.tile);
    }
  }

  close(): void {
    this.detail?.remove();
    this.detail = undefined;
    this.root.querySelector('.dd-open')?.classList.remove('dd-open');
  }

  /** The detail panel below the tile's row (a full-width grid item). */
  open(it: GalleryItem, tile: HTMLElement): void {
    const same = this.detail?.dataset.index === String(it.index);
    this.close();
    if (same) return;
    tile.classList.add('dd-open');
    const d = el('div', 'dd-detail');
    d.dataset.index = String(it.index);
    d.append(this.image(it, 'dd-large'));
    const info = el('div', 'dd-info');
    const row = (k: string, v: string, cls?: string) => {
      const r = el('div', 'dd-row');
      r.append(el('span', 'dd-key', k), el('span', cls ?? 'dd-val', v));
      info.append(r);
    };
    row('example', `#${it.index}`);
    row('label', this.className(it.label));
    if (it.predicted !== undefined) row('predicted', this.className(it.predicted), it.predicted !== it.label ? 'dd-val dd-mismatch' : 'dd-val');
    row(this.payload.score, fmtScore(it.score));
    if (it.corrupted !== undefined) row('injected noise', it.corrupted ? 'label corrupted' : 'clean');
    if (it.note) row('about', it.note);
    const status = el('div', 'dd-status');
    const a = this.annotated.get(it.index);
    if (a) status.textContent = this.statusText(a.action, a.label);
    info.append(status);
    info.append(this.actions(it, status));
    const close = el('button', 'dd-close', '×');
    close.type = 'button';
    close.title = 'Close (Escape)';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', () => this.close());
    d.append(info, close);
    // Below the tile's whole row, so no tile changes column: the rows under it move down as one.
    rowEnd(tile).after(d);
    this.detail = d;
  }

  private statusText(action: AnnotateAction, label?: number): string {
    return action === 'relabel' ? `relabeled to ${this.className(label)}` : ACTION_TEXT[action];
  }

  private actions(it: GalleryItem, status: HTMLElement): HTMLElement {
    const box = el('div', 'dd-actions');
    const runId = this.payload.source?.runId;
    const post = this.opts.post;
    if (!post || !runId) {
      box.append(el('div', 'dd-note', !post ? 'Flagging and relabeling need the Data Diet extension (renderer messaging is not available here).' : 'This gallery names no run, so its examples cannot be annotated.'));
      return box;
    }
    const send = (action: AnnotateAction, label?: number) => {
      const m: AnnotateMessage = { type: 'annotate', runId, index: it.index, action, originalLabel: it.label, score: this.payload.score };
      if (label !== undefined) m.label = label;
      post(m);
      this.annotated.set(it.index, { action, label });
      const t = this.tiles.get(it.index);
      if (t) this.applyMark(t, action, label);
      status.textContent = `${this.statusText(action, label)} (sent)`;
    };
    const button = (text: string, action: AnnotateAction, title: string) => {
      const b = el('button', 'dd-action', text);
      b.type = 'button';
      b.title = title;
      b.dataset.action = action;
      b.addEventListener('click', () => send(action));
      return b;
    };
    box.append(button('Flag noisy', 'flag', 'Mark the label as suspected wrong'), button('Label OK', 'ok', 'The recorded label is correct'), button('Exclude', 'exclude', 'Leave the example out of training'));
    const sel = el('select', 'dd-select');
    sel.setAttribute('aria-label', 'New label');
    this.payload.classNames.forEach((name, i) => {
      const o = el('option', undefined, name);
      o.value = String(i);
      if (i === (it.predicted ?? it.label)) o.selected = true;
      sel.append(o);
    });
    const re = el('button', 'dd-action', 'Relabel');
    re.type = 'button';
    re.dataset.action = 'relabel';
    re.addEventListener('click', () => send('relabel', Number(sel.value)));
    if (this.payload.classNames.length > 0) box.append(sel, re);
    return box;
  }

  private applyMark(tile: HTMLElement, action: AnnotateAction, label?: number): void {
    tile.dataset.annotation = action;
    let badge = tile.querySelector('.dd-badge');
    if (!badge) {
      badge = el('span', 'dd-badge');
      tile.append(badge);
    }
    badge.textContent = action === 'relabel' ? `→${this.className(label)}` : action === 'flag' ? '⚑' : action === 'ok' ? '✓' : '⊘';
  }

  /** The extension stored (or failed to store) an annotation: mark the example wherever it is shown. */
  annotatedMessage(m: AnnotatedMessage): void {
    if (m.runId !== this.payload.source?.runId) return;
    const status = this.detail?.dataset.index === String(m.index) ? this.detail.querySelector('.dd-status') : null;
    if (m.error) {
      this.annotated.delete(m.index);
      const t = this.tiles.get(m.index);
      if (t) {
        delete t.dataset.annotation;
        t.querySelector('.dd-badge')?.remove();
      }
      if (status) status.textContent = `not saved: ${m.error}`;
      return;
    }
    this.annotated.set(m.index, { action: m.action, label: m.label });
    const t = this.tiles.get(m.index);
    if (t) this.applyMark(t, m.action, m.label);
    if (status) status.textContent = `${this.statusText(m.action, m.label)} (saved)`;
  }

  dispose(): void {
    this.observer?.disconnect();
    this.root.remove();
  }
}
