// The dashboard as a person uses it, in headless Chromium against the whole platform that
// scripts/demo-platform starts (tests/e2e/web/run.sh): log in with the token; the overview's
// secure score; registry → repository → image → finding → details with the layer; exempt the
// privileged container from BW-REC-010 and see the score rise, on the page and in the API; open
// an alert and dismiss it; a keyboard-only pass; axe-core on every page. A screenshot per step
// in build/test-artifacts/web/. The steps run in order and build on each other.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, axeViolations, baseUrl, launch, login, newPage, shot } from './support.mjs';

let browser;
let page;
// Every page visited, checked with axe-core at the end of its step.
const axeFailures = [];

async function checkAxe(name) {
  const violations = await axeViolations(page);
  if (violations.length) axeFailures.push(`${name}:\n  ${violations.join('\n  ')}`);
}

// A table's data rows once it has loaded: while it loads, Table.tsx shows a "Loading…" row
// (td.empty), which is not data; waits for the first real row.
async function dataRows(table) {
  const rows = table.locator('tbody tr:not(:has(td.empty))');
  await rows.first().waitFor();
  return rows;
}

// The secure score as the page shows it (the ring's text alternative), e.g. "22.9".
async function pageScore() {
  const label = await page
    .getByRole('img', { name: /^Secure score/ })
    .first()
    .getAttribute('aria-label');
  const match = /([\d.]+)\s*%/.exec(label ?? '');
  assert.ok(match, `the score ring says "${label}"`);
  return match[1];
}

// The focus is back on the element that reads `text` within a second (a closed dialog gives it
// back to its opener once the page has re-rendered, not in the same task).
async function focusReturnsTo(text) {
  const back = await page
    .waitForFunction((want) => document.activeElement?.textContent?.trim() === want, text, {
      timeout: 1000,
    })
    .then(
      () => true,
      () => false,
    );
  const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  assert.ok(back, `the focus went back to "${text}", not to ${where}`);
}

before(async () => {
  browser = await launch();
  page = await newPage(browser, { bypassCSP: true });
  page.setDefaultTimeout(15000);
});

// A step that failed may leave its dialog open: the next one starts without it.
beforeEach(async () => {
  if (page && (await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
});

after(async () => {
  await browser?.close();
});

test('logging in with the token shows the overview and its secure score', async () => {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'bulwark' }).waitFor();
  await checkAxe('login');
  await page.getByLabel('API token').fill('bwk_not-a-token');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: 'does not know this token' }).waitFor();
  await shot(page, 'login-refused');
  page.problems.length = 0; // the browser logs the refused request (401) as a console error

  await login(page);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page
    .getByRole('img', { name: /^Secure score/ })
    .first()
    .waitFor();
  const shown = await pageScore();
  const score = await api('/api/v1/posture/score');
  assert.equal(typeof score.percent, 'number', JSON.stringify(score));
  assert.equal(shown, score.percent.toFixed(1), 'the overview and /posture/score agree');
  // Every pillar reached the overview: alerts in the chart's table, unhealthy resources by type.
  await page.getByRole('table', { name: 'Unhealthy resources by type' }).waitFor();
  // (the alerts' table sits in a closed <details> under the chart)
  await page
    .getByRole('table', { name: 'Alerts per day and priority group', includeHidden: true })
    .waitFor({ state: 'attached' });
  await shot(page, 'overview');
  await checkAxe('overview');
});

test('registry → repository → image → finding shows the details with the layer', async () => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Registries' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Registries' }).waitFor();
  await shot(page, 'registries');
  await checkAxe('registries');

  await page.getByRole('link', { name: 'local', exact: true }).click();
  await page.getByRole('table', { name: /Repositories of local/ }).waitFor();
  await shot(page, 'repositories');
  await checkAxe('repositories');

  await page.getByRole('link', { name: 'team/app', exact: true }).click();
  const images = page.getByRole('table', { name: /Images of local\/team\/app/ });
  await images.waitFor();
  await shot(page, 'images');
  await checkAxe('images');

  await images.getByRole('link').first().click();
  const findings = page.getByRole('table', { name: 'Findings of this image' });
  const rows = await dataRows(findings);
  // The same findings as the API, the most severe first.
  const digest = decodeURIComponent(/#\/images\/([^?]+)/.exec(page.url())[1]);
  const expected = await api(`/api/v1/images/${digest}/findings?limit=100`);
  assert.ok(expected.findings.length > 0, 'the fixture image has findings');
  assert.equal(await rows.count(), expected.findings.length);
  await shot(page, 'findings');
  await checkAxe('findings');

  const first = expected.findings[0];
  await findings.getByRole('button', { name: first.vulnerability_id }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: new RegExp(first.vulnerability_id) }).waitFor();
  // The layer that introduced the package: its digest, as the API's finding names it.
  const detail = await api(
    `/api/v1/images/${digest}/findings/${encodeURIComponent(first.vulnerability_id)}?package=${encodeURIComponent(first.package_name)}`,
  );
  const layer = detail.layer?.digest ?? '';
  assert.match(layer, /^sha256:[0-9a-f]{64}$/, JSON.stringify(detail).slice(0, 400));
  await dialog.getByText(layer).waitFor();
  await shot(page, 'finding-details');
  await checkAxe('finding details');
  // Escape closes it and gives the focus back to the button that opened it.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await focusReturnsTo(first.vulnerability_id);
});

test('exempting the privileged container from BW-REC-010 raises the secure score', async () => {
  const before = await api('/api/v1/posture/score');
  // The Docker host's privileged container (created, not started), as the API lists it.
  const affected = await api(
    '/api/v1/posture/recommendations/BW-REC-010/resources?status=unhealthy&limit=1000',
  );
  const privileged = affected.items.find(
    (item) =>
      item.resource.name === 'privileged' && item.resource.key.startsWith('container:docker/'),
  );
  assert.ok(
    privileged,
    `the privileged container is unhealthy on BW-REC-010: ${JSON.stringify(affected).slice(0, 600)}`,
  );

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Recommendations' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Recommendations' }).waitFor();
  await dataRows(page.getByRole('table').first());
  await shot(page, 'recommendations');
  await checkAxe('recommendations');

  await page.getByRole('link', { name: /Privileged containers should be avoided/ }).click();
  await page.getByRole('heading', { level: 1, name: /BW-REC-010|Privileged containers/ }).waitFor();
  await page.getByLabel('Status', { exact: true }).selectOption('unhealthy');
  // The row of the privileged container's check (BW-DKR-505: created with --privileged).
  const row = page
    .getByRole('row')
    .filter({ hasText: 'privileged' })
    .filter({ hasText: 'BW-DKR-505' });
  await row.first().waitFor();
  await shot(page, 'recommendation');
  await checkAxe('recommendation');
  assert.equal(await row.count(), 1, 'one privileged container on the Docker host');
  await row.getByRole('button', { name: /^Exempt/ }).click();

  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /^Exempt .*privileged/ }).waitFor();
  // The form checks before sending: no reason, no exemption.
  await dialog.getByRole('button', { name: 'Exempt' }).click();
  assert.ok(
    await dialog
      .getByLabel('Reason (required)')
      .evaluate((e) => e.getAttribute('aria-invalid') === 'true'),
  );
  await dialog.getByLabel('Reason (required)').fill('Created for the demo; it never starts.');
  await dialog.getByLabel('Category').selectOption('risk-accepted');
  const nextMonth = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  await dialog.getByLabel(/Expires on/).fill(nextMonth);
  await shot(page, 'exempt-dialog');
  await checkAxe('exempt dialog');
  await dialog.getByRole('button', { name: 'Exempt' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText(/Exempted .*privileged.*the score is updated/).waitFor();
  await shot(page, 'exempted');

  const afterScore = await api('/api/v1/posture/score');
  assert.ok(
    afterScore.percent > before.percent,
    `the score rose: ${before.percent} → ${afterScore.percent}`,
  );
  const exemptions = await api('/api/v1/posture/exemptions?recommendation=BW-REC-010');
  assert.equal(exemptions.exemptions.filter((e) => e.active).length, 1);

  // The exemptions page lists it, with its reason and who made it.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Exemptions' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Exemptions' }).waitFor();
  const listed = page
    .getByRole('table', { name: /^Exemptions/ })
    .getByRole('row')
    .filter({ hasText: 'Created for the demo; it never starts.' });
  await listed.waitFor();
  assert.match(await listed.textContent(), /BW-REC-010/);
  await shot(page, 'exemptions');
  await checkAxe('exemptions');

  // The overview shows the new score, the same as the API's.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Overview' })
    .click();
  await page
    .getByRole('img', { name: /^Secure score/ })
    .first()
    .waitFor();
  const shown = await pageScore();
  assert.equal(shown, afterScore.percent.toFixed(1), 'page and /posture/score agree');
  assert.ok(Number(shown) > Number(before.percent.toFixed(1)), `the page's score rose to ${shown}`);
  await shot(page, 'overview-after-exemption');
});

test('an alert opened and dismissed', async () => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Security alerts' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Security alerts' }).waitFor();
  const table = page.getByRole('table', { name: 'Alerts, newest first' });
  await dataRows(table);
  await shot(page, 'alerts');
  await checkAxe('alerts');

  // The agent's live alert: a download tool run in the demo's container.
  await table.getByRole('button', { name: 'Download Tool Run in Container' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/curl/).first().waitFor();
  const id = await dialog.evaluate(() => {
    const text = document.querySelector('dialog')?.textContent ?? '';
    return /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(text)?.[0] ?? '';
  });
  await shot(page, 'alert-details');
  await checkAxe('alert details');
  await dialog.getByLabel('Status', { exact: true }).selectOption('dismissed');
  await dialog.getByLabel('Comment (optional)').fill('Expected: the demo runs it.');
  await dialog.getByRole('button', { name: 'Save status' }).click();
  await dialog.getByText('Saved: the alert is dismissed.').waitFor();
  await shot(page, 'alert-dismissed');

  const alerts = await api('/api/v1/alerts?rule=Download%20Tool%20Run%20in%20Container&limit=100');
  const dismissed = alerts.alerts.filter((a) => a.status === 'dismissed');
  assert.equal(dismissed.length, 1, JSON.stringify(alerts.alerts.map((a) => a.status)));
  if (id) assert.equal(dismissed[0].alert_id, id);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('containers: registries, Docker hosts and clusters', async () => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Containers' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Containers' }).waitFor();
  await page.getByRole('tab', { name: 'Hosts' }).click();
  const hosts = page.getByRole('table', { name: /hosts/i });
  await dataRows(hosts);
  const host = (await api('/api/v1/posture/resources?type=host')).resources[0];
  await hosts.getByRole('link', { name: host.name }).waitFor();
  await hosts.getByText(host.attrs.cis_score).waitFor();
  await shot(page, 'containers-hosts');
  await checkAxe('containers');
  await page.getByRole('tab', { name: 'Clusters' }).click();
  await page
    .getByRole('table', { name: /clusters/i })
    .getByRole('link', { name: 'demo' })
    .waitFor();
  await shot(page, 'containers-clusters');
  await hosts.waitFor({ state: 'detached' });
  await page
    .getByRole('table', { name: /clusters/i })
    .getByRole('link', { name: 'demo' })
    .click();
  await page.getByRole('heading', { level: 1 }).filter({ hasText: 'demo' }).waitFor();
  await shot(page, 'resource-cluster');
  await checkAxe('resource');
});

test('keyboard only: the skip link, the navigation, a table and a dialog', async () => {
  // A fresh load of the overview: the first Tab stop is the skip link.
  await page.goto(`${baseUrl}/#/overview`);
  await page.reload(); // (a goto that changes the hash alone loads nothing)
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await shot(page, 'keyboard-skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

  // Shift+Tab back into the navigation, to the link "Registries", and Enter.
  let focused = '';
  for (let i = 0; i < 12 && focused !== 'Registries'; i += 1) {
    await page.keyboard.press('Shift+Tab');
    focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  }
  assert.equal(focused, 'Registries', 'the navigation is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Registries' }).waitFor();
  // The new page's heading has the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');

  // Tab to the registry's link, Enter, then on to an image's findings and a finding's dialog.
  async function tabTo(name, limit = 60) {
    for (let i = 0; i < limit; i += 1) {
      await page.keyboard.press('Tab');
      const text = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      if (text === name) return;
    }
    assert.fail(`Tab never reached "${name}"`);
  }
  await page.getByRole('link', { name: 'local', exact: true }).waitFor();
  await tabTo('local');
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'team/app', exact: true }).waitFor();
  await tabTo('team/app');
  await page.keyboard.press('Enter');
  const images = page.getByRole('table', { name: /Images of local\/team\/app/ });
  await images.getByRole('link').first().waitFor();
  const digestText = (await images.getByRole('link').first().textContent()).trim();
  await tabTo(digestText);
  await page.keyboard.press('Enter');
  const findings = page.getByRole('table', { name: 'Findings of this image' });
  await dataRows(findings);
  const firstId = (
    await findings
      .getByRole('button', { name: /^CVE-|^DSA-|^DLA-|^GHSA-/ })
      .first()
      .textContent()
  ).trim();
  await tabTo(firstId, 80);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  // The dialog's heading has the focus; Escape closes it and the focus returns.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H2');
  await shot(page, 'keyboard-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await focusReturnsTo(firstId);
});

test('no serious or critical accessibility violation on any page (axe-core)', () => {
  assert.deepEqual(axeFailures, []);
});

test('no script error on any page', () => {
  assert.deepEqual(page.problems, []);
});
