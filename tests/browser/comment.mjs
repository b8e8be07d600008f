// comment.mjs: report.md as a pull-request comment looks, for people to
// look at: each report.md given is rendered by cmark-gfm (GitHub's own
// Markdown library, with its table, strikethrough and autolink extensions)
// into a page styled like a GitHub comment (its fonts, table and code
// styles, a 780 px wide body: a comment in a pull request's conversation
// tab), and the page is photographed in headless Chromium, every <details>
// closed as GitHub shows it, or open (--open). docs/ci.md's picture is
//
//   node tests/browser/comment.mjs docs/images/comment.png out/pair/report.md
//
// and any report.md can be looked at the same way (a PNG per file; with
// several files, PNG is a pattern in which % is the report's directory
// name). Not a test: what it prints is where the pictures are.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, fileUrl, mkdirp } from './lib.mjs';

const args = process.argv.slice(2);
const open = args.includes('--open');
const [png, ...mds] = args.filter((a) => a !== '--open');
if (!png || !mds.length) {
  console.error('usage: node tests/browser/comment.mjs [--open] OUT.png report.md...');
  process.exit(2);
}
// GitHub's comment look, from github-markdown-css (MIT), the parts a report
// uses: body text, headings, tables, code spans, details, lists
const CSS = `
body { margin: 0; background: #fff; }
.comment { width: 780px; border: 1px solid #d0d7de; border-radius: 6px; margin: 8px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px; font: 14px/1.5 -apple-system,
  BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #59636e; }
.head b { color: #1f2328; }
.markdown-body { padding: 16px; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica,
  Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; color: #1f2328; word-wrap: break-word; }
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body p, .markdown-body ol, .markdown-body ul, .markdown-body table, .markdown-body details { margin: 0 0 16px; }
.markdown-body h3, .markdown-body h4 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
.markdown-body h3 { font-size: 1.25em; } .markdown-body h4 { font-size: 1em; }
.markdown-body ol, .markdown-body ul { padding-left: 2em; }
.markdown-body code { padding: .2em .4em; font: 85% ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas,
  "Liberation Mono", monospace; background: rgba(129,139,152,.12); border-radius: 6px; white-space: break-spaces; }
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0;
  border-collapse: collapse; font-variant: tabular-nums; }
.markdown-body th { font-weight: 600; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body a { color: #0969da; text-decoration: underline; text-underline-offset: .2rem; }
.markdown-body summary { cursor: pointer; display: list-item; }
.markdown-body details > *:not(summary) { margin-top: 16px; }
`;
const T = mkdirp('tests/tmp/comment');
const browser = await launch();
for (const md of mds) {
  // GitHub renders raw HTML in comments (then sanitises it): --unsafe
  const body = execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'strikethrough', '-e', 'autolink', md],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const name = path.basename(path.dirname(path.resolve(md)));
  const page = `<!doctype html><meta charset="utf-8"><style>${CSS}</style><div class="comment">` +
    `<div class="head"><b>github-actions</b> bot commented</div><div class="markdown-body">${body}</div></div>`;
  const html = path.join(T, `${name}.html`);
  fs.writeFileSync(html, page);
  const tab = await browser.newPage({ viewport: { width: 800, height: 400 } });
  await tab.goto(fileUrl(html), { waitUntil: 'load' });
  if (open) await tab.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  const out = mds.length > 1 ? png.replace('%', name) : png;
  mkdirp(path.dirname(out));
  await tab.locator('.comment').screenshot({ path: out });
  const wide = await tab.evaluate(() => [...document.querySelectorAll('table')].filter((t) => t.scrollWidth > t.clientWidth).length);
  await tab.close();
  console.log(`${out}: ${fs.statSync(out).size} bytes${wide ? `; ${wide} table(s) wider than the comment (they scroll)` : ''}`);
}
await browser.close();
