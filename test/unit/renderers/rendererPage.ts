// The notebook renderer (dist/renderer.js) in a bare Chromium page that stands in for VS Code's notebook webview:
// a strict CSP without 'unsafe-eval', the body classes and --vscode-* variables of a theme, and a fake renderer
// context that records posted messages. Used by the renderer tests and bench/notebookRenderer.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths';

export const CHROMIUM = process.env.DATADIET_E2E_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'http://renderer.test';
const importAtRunTime = (specifier: string): Promise<unknown> => import(specifier);

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'";

/** Builds dist/renderer.js (as scripts/build.mjs does, eval check included) and returns its text. */
export async function buildRendererBundle(): Promise<string> {
  const mod = (await import(pathToFileURL(path.join(repoRoot(), 'scripts', 'build-renderer.mjs')).href)) as { buildRenderer(root: string): Promise<string> };
  const file = await mod.buildRenderer(repoRoot());
  return fs.readFileSync(file, 'utf8');
}

const THEMES = {
  light: { cls: 'vscode-light', vars: '--vscode-foreground:#3b3b3b;--vscode-editor-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-descriptionForeground:#717171;--vscode-button-background:#005fb8;--vscode-button-foreground:#fff', bg: '#ffffff' },
  dark: { cls: 'vscode-dark', vars: '--vscode-foreground:#cccccc;--vscode-editor-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-descriptionForeground:#9d9d9d;--vscode-button-background:#0078d4;--vscode-button-foreground:#fff', bg: '#1f1f1f' },
  'high-contrast': { cls: 'vscode-high-contrast', vars: '--vscode-foreground:#ffffff;--vscode-editor-foreground:#ffffff;--vscode-editor-background:#000000;--vscode-contrastBorder:#6fc3df;--vscode-button-background:#000;--vscode-button-foreground:#fff', bg: '#000000' },
} as const;
export type PageTheme = keyof typeof THEMES;

function html(theme: PageTheme): string {
  const t = THEMES[theme];
  return `<!doctype html><html style="${t.vars}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">
<script type="module" src="/glue.js"></script></head><body class="${t.cls}" style="background:${t.bg};margin:8px;width:900px"></body></html>`;
}

const GLUE = `import { activate } from '/renderer.js';
window.posted = [];
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const listeners = [];
const ctx = {
  postMessage: (m) => window.posted.push(m),
  onDidReceiveMessage: (l) => { listeners.push(l); return { dispose() {} }; },
  setState() {}, getState() { return undefined; }, workspace: { isTrusted: true },
};
const api = activate(ctx);
window.renderItem = async (id, mime, json) => {
  const el = document.createElement('div');
  el.id = id;
  document.body.append(el);
  const t0 = performance.now();
  await api.renderOutputItem({ id, mime, json: () => json, text: () => JSON.stringify(json), data: () => new TextEncoder().encode(JSON.stringify(json)) }, el, new AbortController().signal);
  const rendered = performance.now() - t0;
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return { rendered, painted: performance.now() - t0 };
};
window.sendToRenderer = (m) => listeners.forEach((l) => l(m));
window.rendererReady = true;
`;

export async function launch(): Promise<Browser> {
  // Loaded at run time, not bundled into the test (playwright-core is a large Node-only package).
  const { chromium } = (await importAtRunTime('playwright-core')) as typeof import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

/** A page with the renderer loaded; `bundle` is dist/renderer.js. */
export async function rendererPage(browser: Browser, bundle: string, theme: PageTheme = 'light'): Promise<Page & { errors: string[] }> {
  const page = (await browser.newPage({ viewport: { width: 960, height: 800 } })) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html(theme) });
    if (url.pathname === '/renderer.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
    if (url.pathname === '/glue.js') return route.fulfill({ contentType: 'text/javascript', body: GLUE });
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (globalThis as unknown as { rendererReady?: boolean }).rendererReady === true);
  return page;
}

export async function renderItem(page: Page, id: string, mime: string, json: unknown): Promise<{ rendered: number; painted: number }> {
  return page.evaluate(([i, m, j]) => (globalThis as unknown as { renderItem(a: string, b: string, c: unknown): Promise<{ rendered: number; painted: number }> }).renderItem(i as string, m as string, j), [id, mime, json] as const);
}

/**
 * A renderer test file's setup: the bundle built and one browser launched before its tests, closed after. `noBrowser`
 * is the reason to skip browser tests (Chromium missing), else false.
 */
export function rendererSuite(): { readonly noBrowser: string | false; bundle(): string; page(theme?: PageTheme): Promise<Page & { errors: string[] }> } {
  let bundle = '';
  let browser: Browser | undefined;
  const noBrowser = fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set DATADIET_E2E_CHROMIUM)`;
  before(async () => {
    bundle = await buildRendererBundle();
    if (!noBrowser) browser = await launch();
  });
  after(async () => browser?.close());
  return { noBrowser, bundle: () => bundle, page: (theme = 'light') => rendererPage(browser!, bundle, theme) };
}
