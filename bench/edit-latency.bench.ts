// Edit -> syntax findings latency, the path the server runs on every keystroke
// (server.ts runSyntax): a new snapshot of the text, the incremental reparse (mask + diff +
// tree-sitter) and every registered syntax provider. Baseline, in the same run: tree-sitter
// alone reparsing the same edits incrementally, and a bare full parse of the text.
import * as os from 'node:os';
import '../server/src/analysis/plugins';
import { DocumentSnapshot } from '../server/src/analysis/document';
import { runSyntaxProviders } from '../server/src/analysis/pipeline';
import { syntaxProviders } from '../server/src/analysis/registry';
import { defaultSettings } from '../server/src/analysis/settings';
import { DocumentParser, diffEdit } from '../server/src/parse/document-parser';
import { maskBpfMacros } from '../server/src/parse/mask';
import { wasmCParser } from '../server/src/parse/parser';
import { largeBpfFile, percentile } from './large-file';

const LINES = 5000;
const EDITS = Number(process.env.BPFLS_BENCH_EDITS ?? 200);

/** Typing at a spot inside a function body, spread over the file: insert a char, then delete it. */
function edits(text: string, count: number): string[] {
  const spots: number[] = [];
  for (let at = text.indexOf('return ', 0); at >= 0 && spots.length < 64; at = text.indexOf('return ', at + 1)) spots.push(at);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = spots[Math.floor(k / 2) % spots.length];
    out.push(k % 2 === 0 ? text.slice(0, at) + 'x' + text.slice(at) : text);
  }
  return out;
}

(async () => {
  const text = largeBpfFile(LINES);
  const parser = await wasmCParser();
  const versions = edits(text, EDITS);
  console.log(`file: ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB; ${EDITS} edits (type a char, delete it)`);

  // Baseline: tree-sitter alone on the same text and edits (no masking, no providers).
  const full: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    parser.parse(text).delete();
    full.push(performance.now() - t0);
  }
  const baseTimes: number[] = [];
  {
    let tree = parser.parse(text);
    let prev = text;
    for (const v of versions) {
      const t0 = performance.now();
      const e = diffEdit(prev, v);
      if (e) {
        tree.edit(e);
        const next = parser.parse(v, tree);
        tree.delete();
        tree = next;
      }
      baseTimes.push(performance.now() - t0);
      prev = v;
    }
    tree.delete();
  }

  // The server's path.
  const dp = new DocumentParser(parser);
  dp.update(text);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const perProvider = new Map<string, number[]>();
  let findings = 0;
  versions.forEach((v, k) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const doc = new DocumentSnapshot('file:///bench/large.bpf.c', 'c', k + 2, v);
    const tree = dp.update(v);
    findings = runSyntaxProviders({ doc, tree, settings: defaultSettings }, { isCancellationRequested: false }).length;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  });
  // Per-provider cost on the final text (where the time goes).
  const doc = new DocumentSnapshot('file:///bench/large.bpf.c', 'c', 1, text);
  const tree = dp.update(text);
  for (const p of syntaxProviders) {
    const xs: number[] = [];
    for (let k = 0; k < 9; k++) {
      const d = new DocumentSnapshot(doc.uri, 'c', 100 + k, text);
      const t0 = performance.now();
      p.provideFindings({ doc: d, tree, settings: defaultSettings }, { isCancellationRequested: false });
      xs.push(performance.now() - t0);
    }
    perProvider.set(p.id, xs);
  }
  const maskTimes: number[] = [];
  for (let k = 0; k < 9; k++) {
    const t0 = performance.now();
    maskBpfMacros(versions[k * 2]);
    maskTimes.push(performance.now() - t0);
  }
  dp.dispose();

  const p50 = percentile(times, 50), p99 = percentile(times, 99);
  const b50 = percentile(baseTimes, 50), b99 = percentile(baseTimes, 99);
  const f50 = percentile(full, 50);
  const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
  console.log(`edit -> syntax findings (all providers): p50 ${ms(p50)}   p99 ${ms(p99)}   (${findings} findings)`);
  console.log(`  same, CPU time (this process):         p50 ${ms(percentile(cpuTimes, 50))}   p99 ${ms(percentile(cpuTimes, 99))}`);
  console.log(`baseline: bare incremental reparse:      p50 ${ms(b50)}   p99 ${ms(b99)}`);
  console.log(`baseline: bare full parse:               p50 ${ms(f50)}`);
  console.log(`ratio to incremental reparse: p50 ${(p50 / b50).toFixed(2)}x  p99 ${(p99 / b99).toFixed(2)}x;  to full parse: p50 ${(p50 / f50).toFixed(2)}x  p99 ${(p99 / f50).toFixed(2)}x`);
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs (wall times grow with it; the ratios much less)`);
  console.log(`targets: p50 <= 20 ms ${p50 <= 20 ? 'met' : 'MISSED'}, p99 <= 50 ms ${p99 <= 50 ? 'met' : 'MISSED'}`);
  console.log(`macro masking, whole file: p50 ${ms(percentile(maskTimes, 50))}`);
  for (const [id, xs] of perProvider) console.log(`  provider ${id.padEnd(24)} p50 ${ms(percentile(xs, 50))}`);
})();
