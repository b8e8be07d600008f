// large.mjs: report.html of the benchmark's large profiles (profdiff-synth's
// default: 200,000 stacks, 30,000 functions each), checked in Chromium as
// check.mjs checks the demo's: every graph inline with all its frames on
// screen at 1400 and 800 px, the filter box, no console error. Too slow for
// the suite (minutes; 1,000 profiles are 6 GB): a command of its own.
//
//   node tests/browser/large.mjs zig-out/bin/profdiff 24 [--shots DIR]
//   node tests/browser/large.mjs zig-out/bin/profdiff 1000 [--shots DIR]
//
// The series is generated once into bench/data/large-N/ (kept, as bench/run
// keeps its inputs) and the report written to tests/tmp/large-N/; prints
// the report's time, the size of report.html and of each graph, and the
// page's load time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mkdirp } from './lib.mjs';

const args = process.argv.slice(2);
const si = args.indexOf('--shots');
const shots = si >= 0 ? args.splice(si, 2)[1] : null;
const bin = args[0] || 'zig-out/bin/profdiff';
const n = +(args[1] || 24);
const synth = process.env.PD_SYNTH || path.join(path.dirname(bin), 'profdiff-synth');
const data = `bench/data/large-${n}`;
const out = `tests/tmp/large-${n}`;
const files = () => (fs.existsSync(data) ? fs.readdirSync(data).filter((f) => f.endsWith('.pb.gz')).sort() : []);
if (files().length !== n) {
  fs.rmSync(data, { recursive: true, force: true });
  mkdirp(path.dirname(data));
  console.log(`large: generating ${n} large profiles into ${data}`);
  execFileSync(synth, ['--series', String(n), data], { stdio: 'inherit' });
}
fs.rmSync(out, { recursive: true, force: true });
mkdirp(path.dirname(out));
let t = Date.now();
execFileSync(bin, ['report', '-o', out, '--output-format', 'html,svg', ...files().map((f) => `${data}/${f}`)],
  { stdio: ['ignore', 'inherit', 'inherit'] });
console.log(`large: report of ${n} profiles in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const mb = (f) => (fs.statSync(f).size / 1048576).toFixed(1) + ' MB';
console.log(`large: report.html ${mb(`${out}/report.html`)}; ` + fs.readdirSync(out).filter((f) => f.endsWith('.svg'))
  .map((f) => `${f} ${mb(`${out}/${f}`)}`).join(', '));
if (shots) mkdirp(shots);
const check = ['tests/browser/check.mjs', bin, '--report', out, '--filter', 'leaky/cache'];
if (shots) check.push('--shots', path.join(shots, `large-${n}`));
try {
  execFileSync(process.execPath, check, { stdio: 'inherit' });
} catch (e) {
  process.exit(e.status || 1);
}
