// Parse latency on a large BPF C file: web-tree-sitter (wasm, the default) against the native
// binding (the baseline, when it loads), for a full parse and for an incremental reparse after
// a one-character edit; plus macro masking and the whole syntax pass with every provider.
import '../server/src/analysis/plugins';
import { DocumentSnapshot } from '../server/src/analysis/document';
import { runSyntaxProviders } from '../server/src/analysis/pipeline';
import { defaultSettings } from '../server/src/analysis/settings';
import { DocumentParser } from '../server/src/parse/document-parser';
import { maskBpfMacros } from '../server/src/parse/mask';
import { largeBpfFile } from './large-file';
import { nativeCParser, nativeLoadError, wasmCParser, type CParser } from '../server/src/parse/parser';

const TARGET_LINES = 7400;

const largeFile = () => largeBpfFile(TARGET_LINES);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(runs: number, f: () => void): number {
  f(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

function measure(parser: CParser, text: string) {
  const masked = maskBpfMacros(text);
  const full = time(9, () => parser.parse(masked).delete());
  const dp = new DocumentParser(parser);
  dp.update(text);
  let n = 0;
  const mid = text.indexOf('\n', text.length >> 1);
  const incremental = time(21, () => {
    n++;
    dp.update(text.slice(0, mid) + (n % 2 ? ' ' : '') + text.slice(mid));
  });
  dp.dispose();
  return { full, incremental };
}

(async () => {
  const text = largeFile();
  const lineCount = text.split('\n').length;
  console.log(`file: ${lineCount} lines, ${(text.length / 1024).toFixed(0)} KiB (examples/*.bpf.c repeated)`);
  const mask = time(21, () => maskBpfMacros(text));
  console.log(`macro masking:                 ${mask.toFixed(1)} ms`);

  const wasm = await wasmCParser();
  const w = measure(wasm, text);
  const native = nativeCParser();
  const nat = native ? measure(native, text) : undefined;
  const row = (label: string, a: number, b?: number) =>
    console.log(`${label.padEnd(30)} wasm ${a.toFixed(1).padStart(7)} ms` +
      (b !== undefined ? `   native ${b.toFixed(1).padStart(7)} ms   wasm/native ${(a / b).toFixed(2)}x` : '   native: n/a'));
  row('full parse:', w.full, nat?.full);
  row('incremental (mask+diff+parse):', w.incremental, nat?.incremental);
  if (!native) console.log(`(native tree-sitter not loaded: ${nativeLoadError()})`);

  const dp = new DocumentParser(wasm);
  const tree = dp.update(text);
  const doc = new DocumentSnapshot('file:///bench/large.bpf.c', 'c', 1, text);
  const syntax = time(5, () => runSyntaxProviders({ doc, tree, settings: defaultSettings }, { isCancellationRequested: false }));
  console.log(`syntax pass (all providers):   ${syntax.toFixed(1)} ms`);
  dp.dispose();
})();
