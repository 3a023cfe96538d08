// Measures the 10,000-image gallery: payload build time and size, the fallbacks, and in Chromium (the renderer as in
// VS Code's notebook webview, see test/unit/renderers/rendererPage.ts) JSON parse, time to first paint, DOM size,
// and frame times while scrolling to the end. Run: node scripts/bench-notebook.mjs
import { MIME } from '../src/core/notebook/mime';
import { outputItems } from '../src/core/notebook/fallbacks';
import { gallery10k } from '../test/fixtures/notebooks/makeGallery10k';
import { buildRendererBundle, launch, rendererPage, renderItem } from '../test/unit/renderers/rendererPage';

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function main(): Promise<void> {
  let t = performance.now();
  const payload = gallery10k();
  const buildMs = performance.now() - t;
  const json = JSON.stringify(payload);
  const images = payload.groups.reduce((a, g) => a + g.items.length, 0);
  t = performance.now();
  const items = await outputItems('gallery', payload);
  const fallbackMs = performance.now() - t;
  const svg = items.find((i) => i.mime === 'image/svg+xml') as { text: string };
  console.log(`payload: ${images.toLocaleString('en-US')} images, ${(json.length / 1024 / 1024).toFixed(2)} MiB JSON (${(json.length / images).toFixed(0)} B/image), built in ${ms(buildMs)} (MNIST load + score + PNG encoding)`);
  console.log(`fallbacks: SVG ${(svg.text.length / 1024).toFixed(0)} KiB + text, in ${ms(fallbackMs)}`);

  const bundle = await buildRendererBundle();
  console.log(`renderer bundle: ${(bundle.length / 1024).toFixed(0)} KiB`);
  const browser = await launch();
  try {
    for (const run of [1, 2, 3]) {
      const page = await rendererPage(browser, bundle, 'dark');
      // VS Code hands the renderer the output's bytes; outputItem.json() parses them: measure that too.
      const parseMs = await page.evaluate((text) => {
        const t0 = performance.now();
        JSON.parse(text);
        return performance.now() - t0;
      }, json);
      const { rendered, painted } = await renderItem(page, 'g', MIME.gallery, payload);
      const tiles = await page.locator('#g .dd-tile').count();
      const nodes = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { querySelectorAll(s: string): { length: number } } } } }).document;
        return d.querySelector('#g').shadowRoot.querySelectorAll('*').length;
      });
      // Scroll to the bottom in 400 px steps, one per frame, recording frame intervals (lazy chunks load on the way);
      // then once more from the top, with nothing left to load: the cost of scrolling itself, as a control.
      const scrollDown = () => page.evaluate(async () => {
        const w = globalThis as unknown as { scrollBy(x: number, y: number): void; innerHeight: number; scrollY: number; document: { documentElement: { scrollHeight: number } }; requestAnimationFrame(f: (t: number) => void): void };
        const frames: number[] = [];
        let last = performance.now();
        const t0 = last;
        for (let i = 0; i < 4000; i++) {
          await new Promise<void>((r) => w.requestAnimationFrame(() => r()));
          const now = performance.now();
          frames.push(now - last);
          last = now;
          if (w.scrollY + w.innerHeight >= w.document.documentElement.scrollHeight - 2) break;
          w.scrollBy(0, 400);
        }
        frames.sort((a, b) => a - b);
        return { seconds: (performance.now() - t0) / 1000, frames: frames.length, p50: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1], long: frames.filter((f) => f > 50).length, height: w.document.documentElement.scrollHeight };
      });
      const scroll = await scrollDown();
      const tilesEnd = await page.locator('#g .dd-tile').count();
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      const again = await scrollDown();
      const tilesAgain = await page.locator('#g .dd-tile').count();
      console.log(
        `run ${run}: JSON.parse ${ms(parseMs)}; render ${ms(rendered)}, first paint ${ms(painted)}; ${tiles} tiles (${nodes} nodes) at first; ` +
          `scroll to the end: ${scroll.frames} frames in ${scroll.seconds.toFixed(1)} s, frame p50 ${scroll.p50.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(0)} ms, ${scroll.long} frames > 50 ms; ${tilesEnd} tiles at the end, page ${scroll.height} px; ` +
          `again from the top: frame p50 ${again.p50.toFixed(1)} ms, p95 ${again.p95.toFixed(1)} ms, max ${again.max.toFixed(0)} ms (${tilesAgain} tiles)`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

void main();
