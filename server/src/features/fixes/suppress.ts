// Turning lints off: by setting (bpfls.lints.disabled) and by comments in the source.
//   // bpfls-disable-next-line probe-read, perfbuf-usage
//   x = y; // bpfls-disable-line probe-read
//   /* bpfls-disable untyped-map-member */      (the whole file)
// A comment without codes silences every code. bpflint's own `bpflint: disable=<lint>` comment is
// honoured for the line after it, so files annotated for bpflint stay quiet here too.
import type { FixFinding } from './types';

export interface Suppressions {
  file: Set<string> | 'all' | undefined;
  lines: Map<number, Set<string> | 'all'>;
}

const DIRECTIVE = /\/[/*]\s*(bpfls-disable-next-line|bpfls-disable-line|bpfls-disable)(?![\w-])([^\n]*)|bpflint:\s*disable=([\w-]+)/g;

function codesOf(rest: string): Set<string> | 'all' {
  const codes = rest
    .replace(/\*\/.*$/, '')
    .split(/[\s,]+/)
    .filter((c) => /^[\w.-]+$/.test(c))
    .map(shortCode);
  return codes.length ? new Set(codes) : 'all';
}

/** Codes are written with or without their `bpfls.` prefix. */
export function shortCode(code: string): string {
  return code.startsWith('bpfls.') ? code.slice(6) : code;
}

function merge(a: Set<string> | 'all' | undefined, b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...(a ?? []), ...b]);
}

export function parseSuppressions(text: string): Suppressions {
  const s: Suppressions = { file: undefined, lines: new Map() };
  let line = 0;
  let at = 0;
  DIRECTIVE.lastIndex = 0;
  for (let m = DIRECTIVE.exec(text); m; m = DIRECTIVE.exec(text)) {
    for (; at < m.index; at++) if (text.charCodeAt(at) === 10) line++;
    if (m[3]) {
      s.lines.set(line + 1, merge(s.lines.get(line + 1), new Set([shortCode(m[3])])));
      continue;
    }
    const codes = codesOf(m[2]);
    if (m[1] === 'bpfls-disable') s.file = merge(s.file, codes);
    else {
      const target = m[1] === 'bpfls-disable-line' ? line : line + 1;
      s.lines.set(target, merge(s.lines.get(target), codes));
    }
  }
  return s;
}

function covers(set: Set<string> | 'all' | undefined, code: string): boolean {
  return set === 'all' || (set !== undefined && set.has(code));
}

export function isSuppressed(s: Suppressions, code: string, line: number, disabled: readonly string[] = []): boolean {
  const short = shortCode(code);
  return (
    disabled.some((d) => shortCode(d) === short) || covers(s.file, short) || covers(s.lines.get(line), short)
  );
}

export function filterSuppressed(
  text: string,
  findings: FixFinding[],
  disabled: readonly string[] = [],
): FixFinding[] {
  const s = parseSuppressions(text);
  return findings.filter((f) => !isSuppressed(s, f.code, f.range.start.line, disabled));
}
