// screenshots.mjs: the pictures in docs/images/, taken in headless Chromium
// from profdiff's own output on samples/leak. Regenerate (and look at them
// before committing) with:
//
//   node tests/browser/screenshots.mjs zig-out/bin/profdiff docs/images
//
// flamegraph.png  the last leak snapshot's flame graph
// zoom.png        the same after a click on main.cacheResponse, hovered
// diff.png        differential flame graph, first -> last snapshot
// growth.png      the report's growth flame graph
// report.png      the top of report.html (1200x1400): badge, verdict, figures
import fs from 'node:fs';
import path from 'node:path';
import { launch, fileUrl, profdiff, mkdirp } from './lib.mjs';

const bin = process.argv[2] || 'zig-out/bin/profdiff';
const out = mkdirp(process.argv[3] || 'docs/images');
const T = mkdirp('tests/tmp/screenshots');
const LEAK = 'samples/leak/snapshots';
const snaps = fs.readdirSync(LEAK).filter((f) => f.endsWith('.pb.gz')).sort().map((f) => path.join(LEAK, f));
profdiff(bin, ['flame', '-o', `${T}/flame.svg`, snaps[snaps.length - 1]]);
profdiff(bin, ['flame', '--diff', '-o', `${T}/diff.svg`, snaps[0], snaps[snaps.length - 1]]);
fs.rmSync(`${T}/report`, { recursive: true, force: true });
// as samples/demo.sh writes it: a title and a gate (that fails)
profdiff(bin, ['report', '-o', `${T}/report`, '--title', 'samples/leak: a request cache that is never cleared',
  '--fail-on', 'slope>100MB/h', ...snaps], [1]);

const svgSize = (file) => {
  const head = fs.readFileSync(file, 'utf8').slice(0, 400);
  return { width: +/ width="([0-9.]+)"/.exec(head)[1], height: Math.ceil(+/ height="([0-9.]+)"/.exec(head)[1]) };
};
const browser = await launch();
async function shot(file, name, viewport, act) {
  const page = await browser.newPage({ viewport });
  await page.goto(fileUrl(file), { waitUntil: 'load' });
  if (act) await act(page);
  await page.screenshot({ path: path.join(out, name) });
  await page.close();
  console.log(`${path.join(out, name)}: ${fs.statSync(path.join(out, name)).size} bytes`);
}
const frame = (page, name) => page.locator('#frames > g', { has: page.locator('title', { hasText: name + ' (' }) })
  .first().locator('rect');

await shot(`${T}/flame.svg`, 'flamegraph.png', svgSize(`${T}/flame.svg`));
await shot(`${T}/flame.svg`, 'zoom.png', svgSize(`${T}/flame.svg`), async (page) => {
  await frame(page, 'main.cacheResponse').click();
  await frame(page, 'main.cacheResponse').hover();
});
await shot(`${T}/diff.svg`, 'diff.png', svgSize(`${T}/diff.svg`));
await shot(`${T}/report/growth.svg`, 'growth.png', svgSize(`${T}/report/growth.svg`));
await shot(`${T}/report/report.html`, 'report.png', { width: 1200, height: 1400 });
await browser.close();
