// check.mjs: profdiff's flame graphs and report.html, looked at in a real
// browser (Debian's Chromium, headless, through playwright-core) the way a
// person would: they load without errors, clicking a frame zooms, Reset Zoom
// goes back, Search highlights the right frames and shows the right share,
// with scripting off the SVG is still a picture, a differential graph is red
// where a function grew and blue where it shrank, report.html's tables sort
// and filter, its graphs are drawn inline with all their frames on screen at
// 1400 and 800 px, and hostile function names open no dialog and add no
// element.
//
//   node tests/browser/check.mjs zig-out/bin/profdiff
//   node tests/browser/check.mjs --report DIR [--filter TEXT] [--shots PREFIX]
//       only the report.html checks, on DIR/report.html (at 1400 and 800 px;
//       screenshots PREFIX-1400.png, PREFIX-800.png)
//
// Run by tests/run.sh (part "browser"); prints "ok   ..." or "FAIL ...: why"
// per check and ends with "browser: N passed, N failed". Inputs are made
// with the binary (and profdiff-test beside it) into tests/tmp/browser/;
// PD_TIMES=1 also prints how long each page took.
import fs from 'node:fs';
import path from 'node:path';
import { launch, fileUrl, profdiff, watch, pixels, rgb, framesOfFile, mkdirp, CHROMIUM } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : null; };
const reportDir = opt('--report'), reportFilter = opt('--filter'), shotsPrefix = opt('--shots');
const bin = args[0] || 'zig-out/bin/profdiff';
const pdtest = process.env.PD_TEST || path.join(path.dirname(bin), 'profdiff-test');
const T = mkdirp('tests/tmp/browser');
const LEAK = 'samples/leak/snapshots';
const DATA = '../shared/data';

let passed = 0, failed = 0;
function ok(name) { passed++; console.log('ok   ' + name); }
function bad(name, why) { failed++; console.log('FAIL ' + name + ': ' + why); }
function check(name, cond, why) { if (cond) ok(name); else bad(name, typeof why === 'function' ? why() : why); }
const SVG_TAGS = new Set(['svg', 'defs', 'linearGradient', 'stop', 'style', 'rect', 'text', 'g', 'title', 'script']);

// ---- helpers run inside a flame graph's document ----------------------------------
// each frame as the page has it now
const domFrames = (target, p = '') => target.evaluate((p) => Array.from(document.querySelectorAll(`#${p}frames > g`)).map((g) => {
  const r = g.querySelector('rect'), t = g.querySelector('title').textContent;
  const cut = t.lastIndexOf(' (');
  return { title: t, name: cut >= 0 ? t.slice(0, cut) : t, x: +r.getAttribute('x'), w: +r.getAttribute('width'),
    y: +r.getAttribute('y'), fill: r.getAttribute('fill'), cls: g.getAttribute('class') || '' };
}), p);
// p: the id prefix of a graph inline in report.html ('' in a file of its own)
const root = (p) => (p ? `#${p}svg` : 'svg');
const textOf = (target, sel) => target.evaluate((s) => document.querySelector(s).textContent, sel);
const attrOf = (target, sel, a) => target.evaluate(([s, a]) => document.querySelector(s).getAttribute(a), [sel, a]);
const near = (a, b, eps = 0.02) => Math.abs(a - b) <= eps;
// (an HTML or XML parser reads a CR, or CR LF, as LF; the file's text keeps it)
const crlf = (t) => t.replace(/\r\n?/g, '\n');
// share of the total in a title: "name (94.61MB, 66.43%)", growth's
// "name (94.61MB, 66.43%, +5.03GB/h, ...)", a diff's "name (..., +3625.93%;
// self +92.07MB; 66.43% of head)"
const titleShare = (t) => {
  const figures = t.slice(t.lastIndexOf(' ('));
  const m = /([0-9.]+)% of (?:head|base)\)$/.exec(figures) || /^ \([^,]*, ([0-9.]+)%/.exec(figures);
  return m ? +m[1] : NaN;
};

// Click `name`'s frame: it spans the drawable width, its siblings hide, its
// ancestors become parents; Reset Zoom gives back every original width.
async function checkZoom(target, label, name, sibling, p = '') {
  const before = await domFrames(target, p);
  const zi = before.findIndex((f) => f.name === name);
  if (zi < 0) return bad(`${label}: zoom`, `no frame ${name}`);
  const width = +(await attrOf(target, root(p), 'width')), xpad = +(await attrOf(target, root(p), 'data-xpad'));
  await target.locator(`#${p}frames > g`).nth(zi).locator('rect').click();
  const after = await domFrames(target, p);
  const z = after[zi];
  check(`${label}: clicking ${name} zooms it to the full width`, near(z.x, xpad) && near(z.w, width - 2 * xpad),
    () => `x=${z.x} w=${z.w}, expected x=${xpad} w=${width - 2 * xpad}`);
  const sib = after.findIndex((f) => f.name === sibling);
  check(`${label}: sibling ${sibling} is hidden`, sib >= 0 && after[sib].cls === 'hide',
    () => `class "${sib >= 0 ? after[sib].cls : 'no such frame'}"`);
  const zf = before[zi];
  const inverted = (await attrOf(target, root(p), 'data-inverted')) === '1'; // icicle: ancestors above
  const anc = before.map((f, i) => i).filter((i) => (inverted ? before[i].y < zf.y : before[i].y > zf.y)
    && before[i].x <= zf.x + 0.01
    && before[i].x + before[i].w >= zf.x + zf.w - 0.01);
  check(`${label}: the ${anc.length} ancestors are parents at full width`,
    anc.length > 0 && anc.every((i) => after[i].cls === 'parent' && near(after[i].w, width - 2 * xpad)),
    () => anc.map((i) => `${after[i].name}: ${after[i].cls} ${after[i].w}`).join(', '));
  check(`${label}: Reset Zoom is shown`, (await attrOf(target, `#${p}unzoom`, 'class')) === 'on', 'no class on');
  await target.locator(`#${p}unzoom`).click();
  const reset = await domFrames(target, p);
  const moved = reset.filter((f, i) => !near(f.x, before[i].x) || !near(f.w, before[i].w) || f.cls !== '');
  check(`${label}: Reset Zoom restores all ${before.length} frames`, moved.length === 0,
    () => moved.slice(0, 3).map((f) => `${f.name}: x=${f.x} w=${f.w} class=${f.cls}`).join(', '));
}

// Zooming into a frame deep inside a large graph: each descendant is scaled
// by the same factor from the frame's left edge and stays in the drawable
// area, every frame that is neither a descendant nor an ancestor is hidden.
async function checkZoomScale(target, label, p = '') {
  const before = await domFrames(target, p);
  const width = +(await attrOf(target, root(p), 'width')), xpad = +(await attrOf(target, root(p), 'data-xpad'));
  const inside = (z, f) => f.y < z.y && f.x + f.w / 2 > z.x && f.x + f.w / 2 < z.x + z.w;
  // the frame narrower than half the graph with the most descendants
  let zi = -1, best = 0;
  before.forEach((z, i) => {
    if (z.w > (width - 2 * xpad) / 2) return;
    const n = before.filter((f) => inside(z, f)).length;
    if (n > best) { best = n; zi = i; }
  });
  if (zi < 0) return bad(`${label}: zoom deep`, 'no frame with descendants');
  const z = before[zi], scale = (width - 2 * xpad) / z.w;
  await target.locator(`#${p}frames > g`).nth(zi).locator('rect').click();
  const after = await domFrames(target, p);
  const wrong = [];
  after.forEach((f, i) => {
    const b = before[i];
    if (i === zi || inside(z, b)) {
      const x = xpad + (b.x - z.x) * scale, w = b.w * scale, tol = 0.01 + 0.005 * scale;
      if (f.cls !== '' || Math.abs(f.x - x) > tol || Math.abs(f.w - w) > tol || f.x < xpad - 0.01
        || f.x + f.w > width - xpad + tol) wrong.push(`${f.name}: x=${f.x} w=${f.w}, want ${x.toFixed(2)} ${w.toFixed(2)}`);
    } else if (f.cls !== 'parent' && f.cls !== 'hide') {
      wrong.push(`${f.name}: class "${f.cls}"`);
    }
  });
  check(`${label}: zoom into ${z.name.slice(0, 40)} scales its ${best} descendants by ${scale.toFixed(1)}, hides the rest`,
    wrong.length === 0, () => wrong.slice(0, 3).join('; '));
  await target.locator(root(p)).press('Escape');
}

// Search through the UI (the prompt answered with `pattern`): exactly the
// matching frames are highlighted, #matched shows their share (outermost
// matches, from the titles) to 0.1, Escape clears it all.
async function checkSearch(target, w, label, pattern, p = '') {
  const before = await domFrames(target, p);
  w.answer = pattern;
  await target.locator(`#${p}search`).click();
  await target.waitForFunction((p) => /Matched|bad/.test(document.getElementById(p + 'matched').textContent), p,
    { timeout: 3000 }).catch(() => {});
  const after = await domFrames(target, p);
  const re = new RegExp(pattern);
  const want = before.map((f, i) => i).filter((i) => re.test(before[i].name));
  const lit = after.map((f, i) => i).filter((i) => after[i].fill !== before[i].fill);
  check(`${label}: search /${pattern}/ highlights exactly the ${want.length} matching frames`,
    want.length > 0 && want.join() === lit.join(), () => `highlighted [${lit}], matching [${want}]`);
  const outer = want.filter((i) => !want.some((j) => j !== i && before[j].y > before[i].y
    && before[j].x <= before[i].x + 0.01 && before[j].x + before[j].w >= before[i].x + before[i].w - 0.01));
  const share = outer.reduce((s, i) => s + titleShare(before[i].title), 0);
  const text = await textOf(target, `#${p}matched`);
  const m = /Matched: ([0-9.]+)%/.exec(text);
  check(`${label}: #matched shows the matches' share (${share.toFixed(2)}%)`, m && Math.abs(+m[1] - share) <= 0.1 + 1e-9,
    () => `"${text}"`);
  await target.locator(root(p)).press('Escape');
  const cleared = await domFrames(target, p);
  const still = cleared.filter((f, i) => f.fill !== before[i].fill);
  const mtext = await textOf(target, `#${p}matched`);
  check(`${label}: Escape clears the search`, still.length === 0 && mtext.trim() === '',
    () => `${still.length} frames still highlighted, #matched "${mtext}"`);
}

async function checkHover(target, label, name, p = '') {
  const fs_ = await domFrames(target, p);
  const i = fs_.findIndex((f) => f.name === name);
  if (i < 0) return bad(`${label}: hover`, `no frame ${name}`);
  await target.locator(`#${p}frames > g`).nth(i).locator('rect').hover();
  const d = await textOf(target, `#${p}details`);
  check(`${label}: hovering ${name} shows its figures`, d === fs_[i].title, () => `"${d}" vs "${fs_[i].title}"`);
}

function noErrors(name, w) {
  check(name, w.errors.length === 0 && w.dialogs.length === 0,
    () => [...w.errors, ...w.dialogs.map((d) => 'dialog ' + d)].slice(0, 3).join(' | '));
}

// The SVG's elements are the renderer's own: no element from another
// namespace (an <img> made from a name), one script at most.
async function svgElements(target, p = '') {
  return target.evaluate((sel) => {
    const top = document.querySelector(sel);
    const all = [top, ...Array.from(top.getElementsByTagNameNS('*', '*'))];
    return {
      foreign: all.filter((e) => e.namespaceURI !== 'http://www.w3.org/2000/svg').map((e) => e.localName),
      tags: Array.from(new Set(all.map((e) => e.localName))),
      scripts: all.filter((e) => e.localName === 'script').length,
      onattrs: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
    };
  }, root(p));
}
function checkSvgElements(label, el) {
  const odd = el.tags.filter((t) => !SVG_TAGS.has(t));
  check(`${label}: no element made from a name`, el.foreign.length === 0 && odd.length === 0 && el.scripts <= 1
    && el.onattrs === 0, () => `foreign [${el.foreign}], unexpected [${odd}], scripts ${el.scripts}, on* ${el.onattrs}`);
}

// ---- the checks -------------------------------------------------------------------
const t0 = Date.now();
let browser;
try {
  browser = await launch();
} catch (e) {
  bad('start Chromium', `${CHROMIUM}: ${String(e.message).split('\n')[0]} (tests/deps.sh installs it)`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(1);
}

async function withPage(opts, fn) {
  const ts = Date.now();
  const ctx = await browser.newContext(opts);
  const page = await ctx.newPage();
  const w = watch(page);
  try {
    await fn(page, w);
  } catch (e) {
    bad(fn.name || 'page', String(e.message).split('\n')[0]);
  } finally {
    await ctx.close();
    if (process.env.PD_TIMES) console.log(`time ${fn.name}: ${Date.now() - ts} ms`);
  }
}

// --report DIR: only the report.html checks, on a report made elsewhere
// (tests/browser/large.mjs: the benchmark's large profiles)
if (reportDir) {
  await checkReport(reportDir, path.basename(reportDir), { minTables: 1, minSparklines: 0, minGraphs: 3, filter: reportFilter,
    shots: shotsPrefix, times: true });
  await browser.close();
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// ---- inputs -------------------------------------------------------------------------
const snaps = fs.readdirSync(LEAK).filter((f) => f.endsWith('.pb.gz')).sort().map((f) => path.join(LEAK, f));
const leakFirst = snaps[0], leakLast = snaps[snaps.length - 1];
profdiff(bin, ['flame', '-o', `${T}/flame.svg`, leakLast]);
profdiff(bin, ['flame', '--diff', '-o', `${T}/diff.svg`, leakFirst, leakLast]);
// a pair with one function that grew, one that shrank, one unchanged
fs.writeFileSync(`${T}/base.folded`, 'main;grow 100\nmain;shrink 300\nmain;same 200\n');
fs.writeFileSync(`${T}/head.folded`, 'main;grow 400\nmain;shrink 100\nmain;same 200\n');
profdiff(bin, ['flame', '--diff', '-o', `${T}/diff-small.svg`, `${T}/base.folded`, `${T}/head.folded`]);
const vertx = [1, 2].map((i) => `${DATA}/folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-${i}.txt`);
const haveVertx = vertx.every((f) => fs.existsSync(f));
if (haveVertx) profdiff(bin, ['flame', '--diff', '-o', `${T}/diff-vertx.svg`, ...vertx]);
fs.rmSync(`${T}/report`, { recursive: true, force: true });
profdiff(bin, ['report', '-o', `${T}/report`, '--fail-on', 'slope>100MB/h', ...snaps], [1]);
// a small series from the bench's generator (tests/browser/large.mjs runs
// the same checks on 24 and 1,000 of its large profiles)
const synth = process.env.PD_SYNTH || path.join(path.dirname(bin), 'profdiff-synth');
fs.rmSync(`${T}/synth`, { recursive: true, force: true });
fs.rmSync(`${T}/synth-report`, { recursive: true, force: true });
profdiff(synth, ['--samples', '600', '--functions', '300', '--series', '6', `${T}/synth`]);
profdiff(bin, ['report', '-o', `${T}/synth-report`, ...fs.readdirSync(`${T}/synth`).sort().map((f) => `${T}/synth/${f}`)]);
let haveHostile = fs.existsSync(pdtest);
if (haveHostile) {
  const H = mkdirp(`${T}/hostile`);
  profdiff(pdtest, ['--write-fixtures', H]);
    // --demangle full keeps the names whole (the default simplification
  // drops <...> and (...) as pprof does, and with them most of the markup)
  profdiff(bin, ['flame', '--demangle', 'full', '-o', `${H}/flame.svg`, `${H}/hostile-after.pb.gz`]);
  profdiff(bin, ['flame', '--demangle', 'full', '--diff', '-o', `${H}/diff.svg`, `${H}/hostile-before.pb.gz`,
    `${H}/hostile-after.pb.gz`]);
  fs.rmSync(`${H}/report`, { recursive: true, force: true });
  profdiff(bin, ['report', '--demangle', 'full', '-o', `${H}/report`, '--title', '<img src=x onerror=alert(1)>',
    `${H}/hostile-before.pb.gz`, `${H}/hostile-after.pb.gz`], [0, 1]);
}

// reports whose string fields hold a hostile payload: the fields that reach
// report.html, and all of them at once (tests/e2e/hostile_fields.sh checks
// every field, one at a time, without a browser: a page costs seconds)
const HF_FIELDS = ['sample_type', 'function_name', 'all'];
const HF = `${T}/hostile-fields`;
if (haveHostile) {
  fs.rmSync(HF, { recursive: true, force: true });
  mkdirp(HF);
  profdiff(pdtest, ['--write-hostile-fields', HF]);
  for (const f of HF_FIELDS) {
    const gran = ['file_name', 'mapping_file', 'build_id'].includes(f) ? 'line' : 'function';
    profdiff(bin, ['report', '-o', `${HF}/out-${f}`, '--granularity', gran, `${HF}/${f}-1.pb.gz`, `${HF}/${f}-2.pb.gz`]);
  }
}

// 1. a leak snapshot's flame graph, opened directly
const flameText = fs.readFileSync(`${T}/flame.svg`, 'utf8');
const flameFile = framesOfFile(flameText);
const flameSize = { width: 1200, height: Math.ceil(+/height="([0-9.]+)"/.exec(flameText)[1]) };
await withPage({ viewport: flameSize }, async function flame(page, w) {
  await page.goto(fileUrl(`${T}/flame.svg`));
  const dom = await domFrames(page);
  const nG = (flameText.slice(0, flameText.indexOf('<script')).match(/<g>/g) || []).length;
  check('flame: as many frames in the page as <g> in the file', dom.length === nG && nG === flameFile.length && nG > 5,
    `page ${dom.length}, file <g> ${nG}, parsed ${flameFile.length}`);
  await checkHover(page, 'flame', 'main.warmIndex');
  await checkZoom(page, 'flame', 'main.cacheResponse', 'main.warmIndex');
  await checkSearch(page, w, 'flame', 'cacheResponse');
  await checkSearch(page, w, 'flame', '^main\\.');
  noErrors('flame: no console errors, page errors or dialogs', w);
});

// 1b. an icicle graph zooms the same way, its ancestors above it
profdiff(bin, ['flame', '--inverted', '-o', `${T}/icicle.svg`, leakLast]);
await withPage({ viewport: flameSize }, async function icicle(page, w) {
  await page.goto(fileUrl(`${T}/icicle.svg`));
  await checkZoom(page, 'icicle', 'main.cacheResponse', 'main.warmIndex');
  noErrors('icicle: no console errors, page errors or dialogs', w);
});

// 1b'. a flame chart (frames in input order, each placed where it starts)
// hovers, zooms, searches and resets as a graph does
profdiff(bin, ['flame', '--flamechart', '-o', `${T}/chart.svg`, leakLast]);
await withPage({ viewport: flameSize }, async function chart(page, w) {
  await page.goto(fileUrl(`${T}/chart.svg`));
  const nG = framesOfFile(fs.readFileSync(`${T}/chart.svg`, 'utf8')).length;
  check('flame chart: every frame in the page', (await domFrames(page)).length === nG && nG > 5, `file ${nG}`);
  await checkHover(page, 'flame chart', 'main.warmIndex');
  await checkZoom(page, 'flame chart', 'main.cacheResponse', 'main.warmIndex');
  await checkSearch(page, w, 'flame chart', 'cacheResponse');
  noErrors('flame chart: no console errors, page errors or dialogs', w);
});

// 1c. a large real CPU profile (thousands of frames)
const large = `${DATA}/pprof/pprof-large.cpu.pb.gz`;
if (fs.existsSync(large)) {
  profdiff(bin, ['flame', '-o', `${T}/large.svg`, large]);
  const text = fs.readFileSync(`${T}/large.svg`, 'utf8');
  await withPage({ viewport: { width: 1200, height: 800 } }, async function largeFlame(page, w) {
    await page.goto(fileUrl(`${T}/large.svg`));
    const n = (await domFrames(page)).length, nf = framesOfFile(text).length;
    check(`large cpu flame (../shared/data): all ${nf} frames in the page`, n === nf && n > 1000, `page ${n}, file ${nf}`);
    await checkZoomScale(page, 'large cpu flame');
    noErrors('large cpu flame: no console errors, page errors or dialogs', w);
  });
} else {
  console.log(`skip large cpu flame: no ${large}`);
}

// 2. a search in the URL is applied; a malformed one is ignored quietly
await withPage({ viewport: flameSize }, async function flameUrl(page, w) {
  await page.goto(fileUrl(`${T}/flame.svg`) + '?s=cache%52esponse');
  const m = await textOf(page, '#matched');
  const share = titleShare(flameFile.find((f) => f.name === 'main.cacheResponse').title);
  check('flame: ?s=REGEX in the URL searches at once', /Matched: ([0-9.]+)%/.test(m)
    && Math.abs(+/Matched: ([0-9.]+)%/.exec(m)[1] - share) <= 0.1, `"${m}"`);
  await page.goto(fileUrl(`${T}/flame.svg`) + '?s=%E0%A4%A');
  await page.goto(fileUrl(`${T}/flame.svg`) + '?s=(');
  noErrors('flame: a malformed ?s= gives no error', w);
});

// 2b. "ic" toggles a case-insensitive search, as flamegraph.pl's: the search
// shown runs again, and a prompt after it ignores case too
await withPage({ viewport: flameSize }, async function flameIgnoreCase(page, w) {
  await page.goto(fileUrl(`${T}/flame.svg`) + '?s=CACHERESPONSE');
  const off = await textOf(page, '#matched');
  await page.locator('#ignorecase').click();
  const on = await textOf(page, '#matched');
  const share = titleShare(flameFile.find((f) => f.name === 'main.cacheResponse').title);
  const pct = (t) => (/Matched: ([0-9.]+)%/.exec(t) || [0, -1])[1];
  check('flame: "ic" makes the search shown ignore case', +pct(off) === 0 && Math.abs(+pct(on) - share) <= 0.1
    && (await page.locator('#ignorecase').getAttribute('class')) === 'on', `off "${off}", on "${on}"`);
  await page.locator('svg').press('Escape');
  w.answer = 'CACHERESPONSE';
  await page.locator('#search').click();
  const asked = await textOf(page, '#matched');
  check('flame: with "ic" on, a prompted search ignores case', Math.abs(+pct(asked) - share) <= 0.1, `"${asked}"`);
  noErrors('flame: ic gives no error', w);
});

// 3. the same file with scripting off is a complete picture
await withPage({ viewport: flameSize, javaScriptEnabled: false }, async function flameStatic(page, w) {
  await page.goto(fileUrl(`${T}/flame.svg`));
  const png = await page.screenshot();
  const cr = flameFile.find((f) => f.name === 'main.cacheResponse');
  const px = await pixels(browser, png, [[cr.x + cr.w / 2, cr.y + 2]]);
  const want = rgb(cr.fill), got = px.at[0];
  check('flame without JavaScript: a picture, not a blank page', px.distinct > 20, `${px.distinct} colours`);
  check('flame without JavaScript: main.cacheResponse drawn in its colour',
    want.every((c, i) => Math.abs(c - got[i]) <= 3), `pixel ${got}, fill ${cr.fill}`);
  noErrors('flame without JavaScript: no console errors', w);
});

// 4. differential graphs: red grew, blue shrank, grey unchanged, on screen
const isRed = (c) => c && c[0] > c[1] && c[0] > c[2];
const isBlue = (c) => c && c[2] > c[0] && c[2] > c[1];
const isGrey = (c) => c && c[0] === c[1] && c[1] === c[2];
async function diffColours(file, label, expect) {
  const text = fs.readFileSync(file, 'utf8');
  const frames = framesOfFile(text);
  const size = { width: 1200, height: Math.ceil(+/height="([0-9.]+)"/.exec(text)[1]) };
  await withPage({ viewport: size }, async function diff(page, w) {
    await page.goto(fileUrl(file));
    const png = await page.screenshot();
    const pts = expect.map(([name]) => {
      const f = frames.find((g) => g.name === name);
      return f ? [f.x + f.w / 2, f.y + 2] : [0, 0];
    });
    const px = await pixels(browser, png, pts);
    expect.forEach(([name, want, is], i) => {
      const f = frames.find((g) => g.name === name);
      check(`${label}: ${name} is ${want}`, f && is(rgb(f.fill)) && is(px.at[i]),
        () => (f ? `fill ${f.fill}, on screen ${px.at[i]}` : 'no such frame'));
    });
    noErrors(`${label}: no console errors`, w);
  });
}
await diffColours(`${T}/diff.svg`, 'leak diff', [['main.cacheResponse', 'red', isRed], ['main.warmIndex', 'red', isRed],
  ['runtime.malg', 'grey (unchanged)', isGrey]]);
await diffColours(`${T}/diff-small.svg`, 'folded diff', [['grow', 'red', isRed], ['shrink', 'blue', isBlue],
  ['same', 'grey', isGrey]]);
if (haveVertx) {
  const vf = framesOfFile(fs.readFileSync(`${T}/diff-vertx.svg`, 'utf8'));
  check('vertx diff (../shared/data): frames that grew are red and ones that shrank blue',
    vf.some((f) => isRed(rgb(f.fill))) && vf.some((f) => isBlue(rgb(f.fill))) && vf.some((f) => isGrey(rgb(f.fill))),
    `${vf.length} frames`);
} else {
  console.log(`skip vertx diff: no ${DATA}`);
}

// 5. report.html of the leak series, and of a small synthetic series (the
// bench's generator): at 1400 and 800 px, every graph inline with all the
// frames of its .svg file and drawn on screen, zoom and search in each, the
// filter box, sorting, the layout's order, no console error.
async function checkReport(dir, label, opts) {
  for (const width of opts.widths || [1400, 800]) {
    const first = width === (opts.widths || [1400])[0];
    const lw = `${label} @${width}px`;
    await withPage({ viewport: { width, height: 1000 } }, async function report(page, w) {
      const ts = Date.now();
      await page.goto(fileUrl(`${dir}/report.html`), { waitUntil: 'load', timeout: 120000 });
      if (opts.times) console.log(`time ${lw}: loaded in ${Date.now() - ts} ms`);
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      check(`${lw}: its CSP allows only hashed scripts`, /script-src ('sha256-[A-Za-z0-9+/=]+' ?)+;/.test(csp)
        && !/unsafe-inline'[^;]*;\s*img/.test(csp.replace(/style-src 'unsafe-inline'/, '')), csp);
      await checkLayout(page, lw, opts);
      if (first) {
        const tables = page.locator('main table');
        const nt = await tables.count();
        const hidden = [];
        for (let i = 0; i < nt; i++) {
          const box = await tables.nth(i).boundingBox();
          if (!(await tables.nth(i).isVisible()) || !box || box.width < 100 || box.height < 20) hidden.push(i);
        }
        check(`${lw}: all ${nt} tables visible`, nt >= opts.minTables && hidden.length === 0, `${nt} tables, hidden [${hidden}]`);
        if (opts.sort) await checkSort(page, lw);
        const imgs = await page.evaluate(() => Array.from(document.images).map((i) => ({ alt: i.alt, ok: i.complete && i.naturalWidth > 0,
          src: i.getAttribute('src').slice(0, 26), w: i.getBoundingClientRect().width })));
        const broken = imgs.filter((i) => !i.ok || i.w === 0);
        check(`${lw}: all ${imgs.length} sparklines loaded`, imgs.length >= opts.minSparklines && broken.length === 0,
          `${imgs.length} images, ${broken.length} broken`);
        check(`${lw}: every image is one of our sparklines`, imgs.every((i) => i.alt === 'trend' && i.src === 'data:image/svg+xml;base64,'),
          () => JSON.stringify(imgs.filter((i) => i.alt !== 'trend').slice(0, 2)));
      }
      await checkGraphs(page, w, dir, lw, { ...opts, interact: first && opts.interact });
      if (first && opts.filter) await checkFilter(page, lw, opts.filter);
      const dom = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('*'));
        return {
          scripts: document.scripts.length,
          b: document.querySelectorAll('b').length,
          onattrs: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).map((e) => e.localName),
          jslinks: Array.from(document.links).filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length,
          bigurls: all.filter((e) => ['src', 'href', 'data'].some((a) => (e.getAttribute(a) || '').length > 1 << 20)).length,
          title: document.title,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
        };
      });
      check(`${lw}: two scripts (ours), no on* attribute, no javascript: link, no <b>, no URL over 1 MB`,
        dom.scripts === 2 && dom.onattrs.length === 0 && dom.jslinks === 0 && dom.b === 0 && dom.bigurls === 0, JSON.stringify(dom));
      check(`${lw}: nothing wider than the window`, dom.overflow <= 0, `${dom.overflow} px too wide`);
      if (opts.title) check(`${lw}: the title is text`, dom.title === opts.title, `"${dom.title}"`);
      if (opts.shots) await page.screenshot({ path: `${opts.shots}-${width}.png`, fullPage: true });
      noErrors(`${lw}: no console errors (CSP included), page errors or dialogs`, w);
    });
  }
}

// The reader in a hurry: the title, the gate badge and the verdict come
// first, then the figures that say what changed, then the tables; the
// figure links stay in the page.
async function checkLayout(page, label, opts) {
  const l = await page.evaluate(() => {
    const top = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top + window.scrollY : null; };
    const links = Array.from(document.querySelectorAll('nav.figures a')).map((a) => a.getAttribute('href'));
    return { h1: top('h1'), gate: top('.gate'), verdict: top('.verdict p'), figures: top('#figures figure'),
      table: top('#functions table'), gateText: (document.querySelector('.gate') || {}).textContent || '',
      links, dead: links.filter((h) => !h.startsWith('#') || !document.getElementById(h.slice(1))) };
  });
  const order = ['h1', 'gate', 'verdict', 'figures', 'table'].filter((k) => l[k] !== null);
  check(`${label}: title, gate badge, verdict, figures, tables in that order`,
    order.length === 5 && order.every((k, i) => i === 0 || l[order[i - 1]] < l[k]), JSON.stringify(l));
  if (opts.gate) check(`${label}: the gate badge says ${opts.gate}`, l.gateText.startsWith(opts.gate), l.gateText);
  check(`${label}: ${l.links.length} figure links, all inside the page`, l.links.length >= opts.minGraphs && l.dead.length === 0,
    () => `dead: ${l.dead}`);
}

// Every graph: inline (no <object>, no data: URL), with all the frames of
// the .svg file the report wrote beside it, drawn on screen (its pixels are
// not blank and the middle of its widest frames is that frame), its own
// script running; zoom, search and hover in each flame graph.
async function checkGraphs(page, w, dir, label, opts) {
  const figs = await page.evaluate(() => Array.from(document.querySelectorAll('figure')).map((f) => {
    const svg = f.querySelector(':scope > svg');
    return { id: f.id, flame: !!(svg && svg.hasAttribute('data-flamegraph')), prefix: svg ? svg.getAttribute('data-idprefix') || '' : null,
      objects: f.querySelectorAll('object, iframe, embed').length };
  }));
  check(`${label}: ${figs.length} graphs, each an inline <svg>`, figs.length >= opts.minGraphs
    && figs.every((f) => f.prefix !== null && f.objects === 0), JSON.stringify(figs));
  for (const f of figs) {
    const id = f.id.replace(/^fig-/, ''), g = `${label}: graph ${id}`;
    const loc = page.locator(`#${f.id} > svg`);
    await loc.scrollIntoViewIfNeeded();
    const box = await loc.boundingBox();
    // the part of the graph in the window (a tall one is cut at its bottom)
    const vp = page.viewportSize();
    const clip = box && { x: Math.max(0, box.x), y: Math.max(0, box.y), width: Math.min(box.width, vp.width - Math.max(0, box.x)),
      height: Math.max(1, Math.min(box.height, vp.height - Math.max(0, box.y))) };
    const png = await page.screenshot({ clip });
    const px = await pixels(browser, png);
    if (!f.flame) {
      check(`${g} drawn`, box && box.width > 200 && px.distinct > 5, `${box && box.width}px, ${px.distinct} colours`);
      continue;
    }
    const p = f.prefix;
    const file = `${dir}/${id}.svg`;
    const fileFrames = fs.existsSync(file) ? framesOfFile(fs.readFileSync(file, 'utf8')) : null;
    const dom = await domFrames(page, p);
    const same = fileFrames && dom.length === fileFrames.length
      && dom.every((d, i) => d.title === crlf(fileFrames[i].title) && near(d.x, fileFrames[i].x) && near(d.w, fileFrames[i].w));
    check(`${g}: all ${dom.length} frames of ${id}.svg in the page`, dom.length > 1 && same,
      () => `page ${dom.length}, file ${fileFrames ? fileFrames.length : 'missing'}`);
    // its script runs: hovering the root frame shows the root's figures
    await page.locator(`#${p}frames > g`).first().locator('rect').hover();
    const shown = await textOf(page, `#${p}details`);
    check(`${g}: its script runs (hover shows a frame's figures)`, shown === dom[0].title, () => `"${shown}"`);
    // the widest frames below the top (root first): each is the element at its middle
    const wide = dom.map((d, i) => [d, i]).filter(([d]) => d.w > 40).slice(0, 5);
    const hits = await page.evaluate(async ([p, pts]) => {
      const svg = document.getElementById(p + 'svg');
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const out = [];
      for (const [i, x, y] of pts) {
        // a graph may still move as the page settles: aim again until it holds
        let hit = false;
        for (let tries = 0; tries < 4 && !hit; tries++) {
          let r = svg.getBoundingClientRect();
          const sx = r.width / +svg.getAttribute('width'), sy = r.height / +svg.getAttribute('height');
          window.scrollBy(0, r.top + y * sy - window.innerHeight / 2);
          await frame();
          r = svg.getBoundingClientRect();
          const e = document.elementFromPoint(r.left + x * sx, r.top + y * sy);
          const gEl = e && e.closest(`#${p}frames > g`);
          hit = gEl ? Array.prototype.indexOf.call(gEl.parentNode.children, gEl) === i : false;
        }
        out.push(hit);
      }
      return out;
    }, [p, wide.map(([d, i]) => [i, d.x + d.w / 2, d.y + 4])]);
    check(`${g}: frames on screen (${box ? Math.round(box.width) : 0}px wide, ${px.distinct} colours)`,
      box && box.width > 300 && px.distinct > 10 && hits.length > 0 && hits.every(Boolean),
      () => `box ${JSON.stringify(box)}, hits ${hits}`);
    if (opts.interact) {
      const names = new Set(dom.map((d) => d.name));
      if (opts.zoom && names.has(opts.zoom[0]) && names.has(opts.zoom[1])) {
        await checkHover(page, g, opts.zoom[0], p);
        await checkZoom(page, g, ...opts.zoom, p);
        await checkSearch(page, w, g, opts.zoom[0], p);
      } else {
        await checkZoomScale(page, g, p);
      }
    }
    if (opts.hostile) checkSvgElements(g, await svgElements(page, p));
  }
}

// The filter box: typing a part of a name keeps the rows that hold it and
// highlights the matching frames in every flame graph; emptied, all is back.
async function checkFilter(page, label, text) {
  const rows = () => page.evaluate(() => Array.from(document.querySelectorAll('#functions tbody tr'))
    .map((r) => [r.cells[0].textContent, getComputedStyle(r).display !== 'none']));
  const lit = () => page.evaluate(() => Array.from(document.querySelectorAll('svg[data-flamegraph]')).map((svg) => {
    const p = svg.getAttribute('data-idprefix');
    const gs = Array.from(document.querySelectorAll(`#${p}frames > g`));
    return { hit: gs.filter((g) => g.querySelector('rect').getAttribute('fill') === '#e600e6').length,
      want: gs.filter((g) => { const t = g.querySelector('title').textContent; return t.slice(0, t.lastIndexOf(' (')).toLowerCase().includes(window.__q); }).length };
  }));
  const input = page.locator('#filter-input');
  check(`${label}: the filter box is shown`, await input.isVisible(), 'hidden');
  const before = await rows();
  await input.fill(text);
  await input.press('Enter');
  await page.evaluate((q) => { window.__q = q.toLowerCase(); }, text);
  const after = await rows();
  const want = before.filter(([n]) => n.toLowerCase().includes(text.toLowerCase())).length;
  const shown = after.filter(([, v]) => v);
  check(`${label}: filter "${text}" keeps the ${want} rows that hold it`, want > 0 && shown.length === want
    && shown.every(([n]) => n.toLowerCase().includes(text.toLowerCase())), () => `${shown.length} shown of ${after.length}`);
  const l = await lit();
  check(`${label}: filter "${text}" highlights the matching frames in each of ${l.length} flame graphs`,
    l.length > 0 && l.every((g) => g.hit === g.want && g.want > 0), JSON.stringify(l));
  await input.fill('');
  await input.press('Enter');
  const back = await rows(), l2 = await lit();
  check(`${label}: an empty filter shows every row and clears the graphs`, back.every(([, v]) => v)
    && l2.every((g) => g.hit === 0), () => JSON.stringify(l2));
}

// Clicking a numeric header sorts the rows by value, descending then
// ascending, keeping every row.
const UNIT = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
function cellValue(t) {
  const m = /^([+\-\u2212]?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)/.exec(t.trim());
  return m ? parseFloat(m[1].replace('\u2212', '-')) * (UNIT[m[2]] || 1) : NaN;
}
async function checkSort(page, label) {
  const tables = await page.evaluate(() => Array.from(document.querySelectorAll('main table')).map((t) => ({
    heads: Array.from(t.tHead.rows[0].cells).map((c) => c.textContent.trim()),
    rows: t.tBodies[0] ? t.tBodies[0].rows.length : 0,
  })));
  const ti = tables.findIndex((t) => t.rows >= 2 && t.heads.includes('Last'));
  if (ti < 0) return bad(`${label}: sort`, 'no table with a Last column and 2 rows');
  const col = tables[ti].heads.indexOf('Last');
  const read = () => page.evaluate(([ti, col]) => Array.from(document.querySelectorAll('main table')[ti].tBodies[0].rows)
    .map((r) => [r.cells[0].textContent, r.cells[col].textContent]), [ti, col]);
  const before = await read();
  const th = page.locator('main table').nth(ti).locator('thead th').nth(col);
  await th.click();
  const desc = await read();
  await th.click();
  const asc = await read();
  const vals = (rows) => rows.map((r) => cellValue(r[1]));
  const sorted = (v, dir) => v.every((x, i) => i === 0 || dir * (x - v[i - 1]) >= 0) && v.every(isFinite);
  const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  check(`${label}: clicking "Last" sorts table ${ti + 1} descending`, sorted(vals(desc), -1) && same(before, desc),
    () => `${vals(before)} -> ${vals(desc)}`);
  check(`${label}: clicking "Last" again sorts it ascending`, sorted(vals(asc), 1) && same(before, asc),
    () => `${vals(asc)}`);
  check(`${label}: the rows really moved`, JSON.stringify(before) !== JSON.stringify(desc) || JSON.stringify(before) !== JSON.stringify(asc),
    'same order before and after');
}

// (each function is in one table: the leak's is its two growers)
await checkReport(`${T}/report`, 'report', { minTables: 1, minSparklines: 2, minGraphs: 5, sort: true, interact: true,
  zoom: ['main.cacheResponse', 'main.warmIndex'], filter: 'cacheresponse', gate: 'FAIL',
  shots: process.env.PD_SHOTS ? `${process.env.PD_SHOTS}/report` : null, times: !!process.env.PD_TIMES });
// a small synthetic series: long qualified names, a thousand frames per graph
await checkReport(`${T}/synth-report`, 'synth report', { minTables: 1, minSparklines: 3, minGraphs: 5, sort: true,
  filter: 'leaky/cache', gate: 'NO GATES', interact: false, shots: process.env.PD_SHOTS ? `${process.env.PD_SHOTS}/synth` : null,
  times: !!process.env.PD_TIMES });

// 6. hostile names
if (haveHostile) {
  const H = `${T}/hostile`;
  for (const f of ['flame.svg', 'diff.svg']) {
    const text = fs.readFileSync(`${H}/${f}`, 'utf8');
    const frames = framesOfFile(text);
    await withPage({ viewport: { width: 1200, height: 400 } }, async function hostile(page, w) {
      const label = `hostile ${f}`;
      await page.goto(fileUrl(`${H}/${f}`));
      const dom = await domFrames(page);
      check(`${label}: all ${frames.length} frames in the page`, dom.length === frames.length && frames.length >= 15,
        `page ${dom.length}, file ${frames.length}`);
      check(`${label}: markup in a name is shown as text`, dom.some((d) => d.name === '<img src=x onerror=alert(1)>')
        && dom.some((d) => d.name === '</script><script>alert(1)</script>'), () => dom.map((d) => d.name.slice(0, 30)).join(' | '));
      // hover every frame: the details line is the title, as text
      let wrong = 0;
      for (let i = 0; i < dom.length; i++) {
        if (dom[i].w < 1) continue;
        await page.locator('#frames > g').nth(i).locator('rect').hover({ force: true });
        if ((await textOf(page, '#details')) !== dom[i].title) wrong++;
      }
      check(`${label}: hovering each frame shows its title as text`, wrong === 0, `${wrong} wrong`);
      const img = dom.findIndex((d) => d.name.startsWith('<img'));
      await page.locator('#frames > g').nth(img).locator('rect').click();
      const z = (await domFrames(page))[img];
      check(`${label}: zoom into the <img ...> frame`, near(z.w, 1180), `w=${z.w}`);
      await page.locator('svg').press('Escape');
      await checkSearch(page, w, label, '<img|script>');
      checkSvgElements(label, await svgElements(page));
      noErrors(`${label}: no dialog, console error or page error`, w);
    });
  }
  // (a pair: no sparklines)
  await checkReport(`${H}/report`, 'hostile report', { minTables: 1, minSparklines: 0, minGraphs: 3, hostile: true,
    title: '<img src=x onerror=alert(1)>', widths: [1400] });
} else {
  bad('hostile names', `no ${pdtest} (zig build tests)`);
}

// 7. one hostile string field at a time: no dialog, no element but ours in
// the page or in any graph, the graphs' scripts still running under the
// page's hash-only CSP; and a copy of a report with a <script> and an
// onerror put in by hand: the CSP stops both (no dialog)
// Elements the page may hold beyond text: our graphs (inline <svg> in a
// <figure>, the legends), our filter box; anything else came from a payload.
async function checkHostileField(dir, label) {
  await withPage({ viewport: { width: 1200, height: 900 } }, async function field(page, w) {
    await page.goto(fileUrl(`${dir}/report.html`), { waitUntil: 'load' });
    const dom = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll('*'));
      const ours = (e) => (e.localName === 'svg' && (e.parentElement.localName === 'figure' || e.classList.contains('pd-legend')))
        || (e.localName === 'input' && e.id === 'filter-input');
      return {
        scripts: document.scripts.length,
        onattrs: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
        imgs: Array.from(document.images).filter((i) => i.alt !== 'trend').length,
        foreign: all.filter((e) => ['svg', 'iframe', 'embed', 'object', 'b', 'h2', 'form', 'input'].includes(e.localName)
          && !ours(e) && !e.closest('figure > svg')).map((e) => e.localName),
        h1: document.querySelectorAll('h1').length,
        jslinks: Array.from(document.links).filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length,
        flames: Array.from(document.querySelectorAll('svg[data-flamegraph]')).map((svg) => {
          const p = svg.getAttribute('data-idprefix');
          return { p, scripted: svg.hasAttribute('data-ready') };
        }),
      };
    });
    check(`${label}: no element made from the payload`, dom.scripts === 2 && dom.onattrs === 0 && dom.imgs === 0
      && dom.foreign.length === 0 && dom.h1 === 1 && dom.jslinks === 0, JSON.stringify(dom));
    for (const f of dom.flames) checkSvgElements(`${label}: graph ${f.p}`, await svgElements(page, f.p));
    check(`${label}: every flame graph's script runs`, dom.flames.length >= 2 && dom.flames.every((f) => f.scripted),
      JSON.stringify(dom.flames));
    noErrors(`${label}: no dialog, console error or page error`, w);
  });
}
if (haveHostile) {
  for (const f of HF_FIELDS) await checkHostileField(`${HF}/out-${f}`, `hostile ${f}`);
  const html = fs.readFileSync(`${HF}/out-all/report.html`, 'utf8');
  fs.writeFileSync(`${HF}/out-all/injected.html`, html.replace('<main>',
    '<main><script>alert("inline")</script><img src="data:," onerror="alert(\'onerror\')"><svg onload="alert(\'svg\')"></svg>'));
  await withPage({}, async function injected(page, w) {
    await page.goto(fileUrl(`${HF}/out-all/injected.html`), { waitUntil: 'load' });
    await page.waitForTimeout(200);
    check('CSP: a <script>, an onerror and an onload put into report.html by hand do not run', w.dialogs.length === 0,
      w.dialogs.join(' | '));
    check('CSP: the browser reports them blocked', w.errors.some((e) => /Content Security Policy/.test(e)), w.errors.slice(0, 2).join(' | '));
  });
}

await browser.close();
console.log(`browser: ${((Date.now() - t0) / 1000).toFixed(1)} s in Chromium`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
