// Edit -> syntax findings latency, the path the server runs on every keystroke
// (server.ts runSyntax): a new snapshot of the text, the incremental reparse (mask + diff +
// tree-sitter) and every registered syntax provider, on a 5,000-line BPF C file. Baselines in
// the same run: tree-sitter alone reparsing the same edits incrementally, and a bare full parse.
// Each figure is wall time and CPU time of this process: on a shared machine wall time also
// counts the other processes (the load average is printed), CPU time is what bpfls spends.
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
/** A running server has compiled its hot code: the first edits (JIT warm-up) run but are not counted. */
const WARMUP = 40;

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

interface Times {
  wall: number[];
  cpu: number[];
}

function timed(into: Times | undefined, f: () => void): void {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  if (!into) return;
  into.wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  into.cpu.push((c.user + c.system) / 1000);
}

const times = (): Times => ({ wall: [], cpu: [] });
const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;

(async () => {
  const text = largeBpfFile(LINES);
  const parser = await wasmCParser();
  const versions = edits(text, WARMUP + EDITS);
  console.log(`file: ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB; ${EDITS} edits (type a char, delete it) after ${WARMUP} uncounted`);

  // Baseline 1: a bare full parse of the text.
  const full = times();
  for (let k = 0; k < 9; k++) timed(k < 2 ? undefined : full, () => parser.parse(text).delete());

  // Baseline 2: tree-sitter alone on the same edits (no masking, no providers). The raw text
  // has the macros tree-sitter cannot read, so its error recovery is part of this baseline.
  const bare = times();
  {
    let tree = parser.parse(text);
    let prev = text;
    versions.forEach((v, k) =>
      timed(k < WARMUP ? undefined : bare, () => {
        const e = diffEdit(prev, v);
        if (e) {
          tree.edit(e);
          const next = parser.parse(v, tree);
          tree.delete();
          tree = next;
        }
        prev = v;
      }),
    );
    tree.delete();
  }

  // The server's path.
  const dp = new DocumentParser(parser);
  dp.update(text);
  const server = times();
  let findings = 0;
  versions.forEach((v, k) =>
    timed(k < WARMUP ? undefined : server, () => {
      const doc = new DocumentSnapshot('file:///bench/large.bpf.c', 'c', k + 2, v);
      findings = runSyntaxProviders({ doc, tree: dp.update(v), settings: defaultSettings }, { isCancellationRequested: false }).length;
    }),
  );

  // Where the time goes: masking and each provider on the final text.
  const tree = dp.update(text);
  const mask = times();
  for (let k = 0; k < 9; k++) timed(mask, () => maskBpfMacros(versions[k * 2]));
  const perProvider = new Map<string, Times>();
  for (const p of syntaxProviders) {
    const t = times();
    for (let k = 0; k < 9; k++) {
      const doc = new DocumentSnapshot('file:///bench/large.bpf.c', 'c', 10_000 + k, text);
      timed(t, () => p.provideFindings({ doc, tree, settings: defaultSettings }, { isCancellationRequested: false }));
    }
    perProvider.set(p.id, t);
  }
  dp.dispose();

  const row = (label: string, t: Times) =>
    console.log(`${label.padEnd(42)} wall p50 ${ms(percentile(t.wall, 50))} p99 ${ms(percentile(t.wall, 99))}   CPU p50 ${ms(percentile(t.cpu, 50))} p99 ${ms(percentile(t.cpu, 99))}`);
  row(`edit -> syntax findings (${findings} findings)`, server);
  row('baseline: bare tree-sitter incremental', bare);
  row('baseline: bare tree-sitter full parse', full);
  const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
  console.log(`ratio (CPU) to bare incremental reparse: p50 ${ratio(server.cpu, bare.cpu, 50)}x  p99 ${ratio(server.cpu, bare.cpu, 99)}x;` +
    `  to a full parse: p50 ${ratio(server.cpu, full.cpu, 50)}x  p99 ${ratio(server.cpu, full.cpu, 99)}x`);
  const verdict = (t: number[], p: number, limit: number) => (percentile(t, p) <= limit ? 'met' : 'MISSED');
  console.log(`targets p50 <= 20 ms / p99 <= 50 ms: wall ${verdict(server.wall, 50, 20)}/${verdict(server.wall, 99, 50)}, ` +
    `CPU ${verdict(server.cpu, 50, 20)}/${verdict(server.cpu, 99, 50)}   (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)`);
  row('  macro masking, whole file', mask);
  for (const [id, t] of perProvider) row(`  provider ${id}`, t);
})();
