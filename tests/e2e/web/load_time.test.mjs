// The dashboard's load time (docs/performance.md): the median of 5 cold loads, each in a new
// browser context without cache, from the start of navigation to the overview's secure score
// on screen. Printed as a BENCH line; the test fails only when a load takes over 10 s (the goal,
// 1 s, is a figure to watch, not a pass mark on a shared 2-core CI machine).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardLoadMs, launch } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the dashboard loads (median of 5 cold loads to the secure score)', async () => {
  const { median, times } = await dashboardLoadMs(browser, 5);
  console.log(`BENCH figure=dashboard_load_ms value=${Math.round(median)} goal=1000`);
  console.log(`dashboard loads (ms): ${times.map((t) => Math.round(t)).join(' ')}`);
  assert.ok(median < 10000, `median load ${median} ms`);
});
