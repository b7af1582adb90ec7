// What the browser tests share: the platform they run against (BULWARK_URL, BULWARK_TOKEN, an
// admin token, from scripts/demo-platform --ready-file), headless Chromium through
// playwright-core (web/node_modules), screenshots numbered in step order, the API as a second
// witness, axe-core, and the dashboard's load time.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../../..');
const modules = path.join(sourceDir, 'web/node_modules');

const { chromium } = await import(path.join(modules, 'playwright-core/index.mjs'));

export const baseUrl = (process.env.BULWARK_URL ?? '').replace(/\/$/, '');
export const token = process.env.BULWARK_TOKEN ?? '';
if (!baseUrl || !token) throw new Error('BULWARK_URL and BULWARK_TOKEN (admin) must be set');
export const artifacts =
  process.env.BULWARK_WEB_ARTIFACTS ?? path.join(sourceDir, 'build/test-artifacts/web');
mkdirSync(artifacts, { recursive: true });

export const viewport = { width: 1280, height: 800 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

// A fresh context (cold cache, empty sessionStorage). `bypassCSP` only so that axe-core can be
// injected; the page's own scripts never need it.
export async function newPage(browser, { bypassCSP = false } = {}) {
  const context = await browser.newContext({
    viewport,
    bypassCSP,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.problems = problems;
  return page;
}

// The API, read with the same admin token: the second witness of what the page shows.
export async function api(route, init = {}) {
  const response = await fetch(baseUrl + route, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
  if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

let shotNumber = 0;
// build/test-artifacts/web/NN-name.png, numbered in the order the steps take them.
// Taken once nothing on the page says "Loading…" any more.
export async function shot(page, name) {
  await page.waitForFunction(() => !document.body.innerText.includes('Loading…'));
  shotNumber += 1;
  const file = path.join(artifacts, `${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function login(page, { route = '' } = {}) {
  await page.goto(`${baseUrl}/${route}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const axeSource = readFileSync(path.join(modules, 'axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG 2.x A/AA rules on the page as it is; the serious and critical violations,
// one line each (empty: none).
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

// Milliseconds from starting to load the dashboard in a cold browser context (no cache, the
// token already in the tab's session) to the overview's secure score on screen; the median of
// `runs` loads and every load.
export async function dashboardLoadMs(browser, runs = 5) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const page = await newPage(browser);
    await page.addInitScript((secret) => sessionStorage.setItem('bulwark.token', secret), token);
    const started = performance.now();
    await page.goto(`${baseUrl}/#/overview`);
    await page.locator('svg.ring').waitFor();
    times.push(performance.now() - started);
    await page.context().close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], times };
}
