// lib.mjs: what the browser tests share: Debian's Chromium started headless
// through playwright-core (no browser is ever downloaded: the network is
// closed and the flags keep Chromium from trying it), the profdiff runs that
// make the inputs, a watch on each page for console errors, page errors and
// dialogs, and reading pixels back from a screenshot.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.PD_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The browser; playwright-core adds --headless and a fresh --user-data-dir.
export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20000 });
}

export function fileUrl(p) { return pathToFileURL(path.resolve(p)).href; }

// profdiff ARGS...; returns its exit code (report exits 1 when a gate trips).
export function profdiff(bin, args, okCodes = [0]) {
  try {
    execFileSync(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return 0;
  } catch (e) {
    if (e.status != null && okCodes.includes(e.status)) return e.status;
    throw new Error(`${path.basename(bin)} ${args.join(' ')}: exit ${e.status}: ${String(e.stderr).slice(0, 300)}`);
  }
}

// Records what a person would notice on a page and in its frames (the SVGs
// inside report.html's <object>s): console errors (CSP violations are among
// them), uncaught exceptions, and dialogs. A prompt is answered with
// `answer` when a test set one; any other dialog is an alert some name
// managed to open, dismissed and recorded.
export function watch(page) {
  const w = { errors: [], dialogs: [], answer: null };
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push('console: ' + m.text().slice(0, 200)); });
  page.on('pageerror', (e) => w.errors.push('page error: ' + String(e.message).slice(0, 200)));
  page.on('dialog', async (d) => {
    if (d.type() === 'prompt' && w.answer !== null) {
      const a = w.answer;
      w.answer = null;
      await d.accept(a);
    } else {
      w.dialogs.push(`${d.type()}: ${d.message().slice(0, 100)}`);
      await d.dismiss();
    }
  });
  return w;
}

// Pixels of a PNG screenshot, read back in a page of `browser`: the colour
// at each of `points` ([x, y]) as [r, g, b], and the number of distinct
// colours (a blank picture has one).
export async function pixels(browser, png, points = []) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async ({ b64, points }) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      const at = points.map(([x, y]) => {
        const i = (Math.round(y) * c.width + Math.round(x)) * 4;
        return [d[i], d[i + 1], d[i + 2]];
      });
      return { width: c.width, height: c.height, distinct: seen.size, at };
    }, { b64: png.toString('base64'), points });
  } finally {
    await page.close();
  }
}

// "#fa9a03" -> [250, 154, 3]
export function rgb(hex) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
}

// The frames of a flame graph as the file says them, read with a regular
// expression (so without a browser or its script): name, title, rect.
export function framesOfFile(svgText) {
  const out = [];
  const re = /<g><title>([^<]*)<\/title><rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" fill="([^"]+)"\/>/g;
  for (let m; (m = re.exec(svgText));) {
    const title = unescapeXml(m[1]);
    const cut = title.lastIndexOf(' (');
    out.push({ title, name: cut >= 0 ? title.slice(0, cut) : title, x: +m[2], y: +m[3], w: +m[4], h: +m[5], fill: m[6] });
  }
  return out;
}

export function unescapeXml(s) {
  return s.replace(/&(lt|gt|amp|quot|apos|#x([0-9a-f]+)|#([0-9]+));/gi, (all, e, hex, dec) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'"
      : String.fromCodePoint(hex ? parseInt(hex, 16) : parseInt(dec, 10)));
}

export function mkdirp(d) { fs.mkdirSync(d, { recursive: true }); return d; }
