// Splits one line of BPF assembly into tokens with their columns. Comments (`#`, `//`, `;`)
// end the line; a string literal keeps its escapes decoded.

export type TokKind = 'id' | 'num' | 'punct' | 'str';

export interface Tok {
  kind: TokKind;
  text: string;
  start: number;
  end: number;
  /** Value of a number token. */
  num?: bigint;
  /** Decoded bytes of a string token. */
  bytes?: number[];
}

const PUNCTS = [
  's>>=', '<<=', '>>=', 's/=', 's%=', 's>=', 's<=', '+=', '-=', '*=', '/=', '|=', '&=', '%=', '^=',
  '==', '!=', '>=', '<=', 's>', 's<', '=', '>', '<', '&', '(', ')', '[', ']', '*', '+', '-', ',', ':',
  '@', '%', '"', '/', '|', '^', '!', ';',
];

const isIdStart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 46 || k === 36;
};
const isDigit = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return k >= 48 && k <= 57;
};
const isIdChar = (c: string): boolean => isIdStart(c) || isDigit(c);

/** Punctuators by first character, longest first. */
const PUNCTS_BY_CHAR = new Map<string, string[]>();
for (const p of PUNCTS) {
  if (p.startsWith('s')) continue;
  const list = PUNCTS_BY_CHAR.get(p[0]) ?? [];
  list.push(p);
  PUNCTS_BY_CHAR.set(p[0], list);
}
for (const list of PUNCTS_BY_CHAR.values()) list.sort((a, b) => b.length - a.length);
const SIGNED_PUNCTS = PUNCTS.filter((p) => p.startsWith('s')).sort((a, b) => b.length - a.length);

export interface LexResult {
  toks: Tok[];
  error?: { start: number; end: number; message: string };
}

function decodeString(line: string, start: number): { bytes: number[]; end: number } | undefined {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') return { bytes, end: i + 1 };
    if (c === '\\' && i + 1 < line.length) {
      const n = line[i + 1];
      const simple: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, '"': 34, "'": 39, a: 7, b: 8, f: 12, v: 11 };
      if (/[0-7]/.test(n)) {
        const m = /^[0-7]{1,3}/.exec(line.slice(i + 1))![0];
        bytes.push(parseInt(m, 8) & 0xff);
        i += 1 + m.length;
        continue;
      }
      if (n === 'x') {
        const m = /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 2));
        if (m) { bytes.push(parseInt(m[0], 16)); i += 2 + m[0].length; continue; }
      }
      bytes.push(simple[n] ?? n.charCodeAt(0) & 0xff);
      i += 2;
      continue;
    }
    const code = c.charCodeAt(0);
    if (code < 0x80) bytes.push(code);
    else bytes.push(...new TextEncoder().encode(c));
    i++;
  }
  return undefined;
}

/** Where the comment of a line starts (outside string literals), or the line length. */
export function commentStart(line: string, semicolonComments = true): number {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '#' || (c === ';' && semicolonComments)) return i;
    else if (c === '/' && line[i + 1] === '/') return i;
  }
  return line.length;
}

export function lexLine(line: string, opts: { semicolonComments?: boolean } = {}): LexResult {
  const toks: Tok[] = [];
  const end = commentStart(line, opts.semicolonComments ?? true);
  let i = 0;
  while (i < end) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '"') {
      const s = decodeString(line, i);
      if (!s) return { toks, error: { start: i, end, message: 'unterminated string literal' } };
      toks.push({ kind: 'str', text: line.slice(i, s.end), start: i, end: s.end, bytes: s.bytes });
      i = s.end;
      continue;
    }
    if (isDigit(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)/.exec(line.slice(i, end))!;
      let j = i + m[0].length;
      // A number running into letters (12ab) is one bad token, not two.
      while (j < end && isIdChar(line[j])) j++;
      const text = line.slice(i, j);
      if (j !== i + m[0].length) return { toks, error: { start: i, end: j, message: `invalid number '${text}'` } };
      let num: bigint;
      if (/^0[bB]/.test(text)) num = BigInt(text.replace(/^0[bB]/, '0b'));
      else if (/^0[xX]/.test(text)) num = BigInt(text.replace(/^0X/, '0x'));
      else num = BigInt(text);
      toks.push({ kind: 'num', text, start: i, end: j, num });
      i = j;
      continue;
    }
    // Signed operators begin with `s`: take them before identifiers (`s>>=`, `s<`...).
    const sp = c === 's' ? SIGNED_PUNCTS.find((q) => line.startsWith(q, i) && i + q.length <= end) : undefined;
    if (sp) {
      const p = sp;
      toks.push({ kind: 'punct', text: p, start: i, end: i + p.length });
      i += p.length;
      continue;
    }
    // Inline-asm operands of C (`%[name]`) are names to resolve.
    if (c === '%' && line[i + 1] === '[') {
      const close = line.indexOf(']', i);
      if (close > i + 2 && close < end && /^[A-Za-z_]\w*$/.test(line.slice(i + 2, close))) {
        toks.push({ kind: 'id', text: line.slice(i, close + 1), start: i, end: close + 1 });
        i = close + 1;
        continue;
      }
    }
    if (isIdStart(c)) {
      let j = i + 1;
      for (;;) {
        while (j < end && isIdChar(line[j])) j++;
        // Inline asm makes labels unique with `%=` (l0_%=): part of the name, unless the name
        // is a register (`r1%=r2`).
        if (line[j] === '%' && line[j + 1] === '=' && j + 2 <= end && !/^[rw]\d+$/.test(line.slice(i, j))) { j += 2; continue; }
        break;
      }
      toks.push({ kind: 'id', text: line.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const p = PUNCTS_BY_CHAR.get(c)?.find((q) => line.startsWith(q, i) && i + q.length <= end);
    if (p) {
      toks.push({ kind: 'punct', text: p, start: i, end: i + p.length });
      i += p.length;
      continue;
    }
    return { toks, error: { start: i, end: i + 1, message: `unexpected character '${c}'` } };
  }
  return { toks };
}
