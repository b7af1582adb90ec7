// benchmarks/dashboard_load.sh's measurement (the browser tests' load_time.test.mjs takes the
// same): the median of N cold loads of the dashboard (new browser context, no cache, the token
// already in the tab's session) to the overview's secure score on screen, against BULWARK_URL
// with BULWARK_TOKEN. Usage: node tests/e2e/web/dashboard_load.mjs [RUNS] [LABEL]
import { dashboardLoadMs, launch } from './support.mjs';

const runs = Number(process.argv[2] ?? 5);
const label = process.argv[3] ? ` store=${process.argv[3]}` : '';
const browser = await launch();
try {
  const { median, times } = await dashboardLoadMs(browser, runs);
  console.log(`loads (ms): ${times.map((t) => Math.round(t)).join(' ')}`);
  console.log(`BENCH figure=dashboard_load_ms value=${Math.round(median)} goal=1000${label}`);
} finally {
  await browser.close();
}
