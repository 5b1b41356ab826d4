// A large, realistic BPF C file for the parse and edit benchmarks: the examples repeated with
// their identifiers renamed per copy (so every copy is a distinct, valid program).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function largeBpfFile(targetLines: number): string {
  const dir = path.resolve(__dirname, '../examples');
  const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.bpf.c')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  const headers = new Set<string>();
  const bodies: string[] = [];
  let lines = 0;
  for (let copy = 0; lines < targetLines; copy++) {
    for (const s of sources) {
      const body = s
        .split('\n')
        .filter((l) => {
          if (l.startsWith('#include')) {
            headers.add(l);
            return false;
          }
          return !l.startsWith('char LICENSE');
        })
        .join('\n')
        .replace(/\b(xdp_count|trace_unlinkat|classify|xdp_seen|pkt_stats|events|verdicts|seen|count|datarec|event|verdict|V_PASS|V_DROP|V_MARK|V_MAX)\b/g, `$1_${copy}`);
      bodies.push(body);
      lines += body.split('\n').length;
      if (lines >= targetLines) break;
    }
  }
  return [...headers, ...bodies, 'char LICENSE[] SEC("license") = "GPL";', ''].join('\n');
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
