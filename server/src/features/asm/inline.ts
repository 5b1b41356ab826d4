// Inline BPF assembly in C: finds `asm volatile("…" : outputs : inputs : clobbers)` statements,
// joins their string literals (adjacent literals, `\` line continuations, escapes) into assembly
// text with one statement per line, and keeps, for every character of that text, its offset in
// the C document, so the assembler's findings and hovers land on the right characters of the string.
import { assemble, type AsmResult } from '../../bpf/asm/assembler';

export interface InlineAsmBlock {
  /** Offset of the `asm` keyword in the document. */
  start: number;
  /** Offset after the closing parenthesis (or the end of the last string when unbalanced). */
  end: number;
  /** The template as assembly text, statements separated by '\n'. */
  text: string;
  /** offsets[line][col] = document offset of that character (and one past the line's end). */
  offsets: number[][];
  /** Operand values given by `__imm_const(name, N)` or `[name] "i"(N)`. */
  constants: Map<string, bigint>;
  asm: AsmResult;
}

const ASM_START = /\b(?:asm|__asm__|__asm)\b(?:\s+(?:volatile|__volatile__|goto|inline))*\s*\(/g;
/** Bounded work per document: this runs on the main thread on every edit. */
const MAX_BLOCKS = 500;
const MAX_TEMPLATE = 200_000;

/** Comments and preprocessor-free scan helper: the offset after whitespace and comments. */
function skipSpace(t: string, i: number): number {
  for (;;) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (t.startsWith('\\\n', i)) { i += 2; continue; }
    if (t.startsWith('\\\r\n', i)) { i += 3; continue; }
    if (t.startsWith('//', i)) { while (i < t.length && t[i] !== '\n') i++; continue; }
    if (t.startsWith('/*', i)) { const e = t.indexOf('*/', i + 2); i = e < 0 ? t.length : e + 2; continue; }
    return i;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

interface Template { text: string; offsets: number[][]; end: number }

/** Reads adjacent string literals from `i` (at a '"'); statements split at '\n' and ';'. */
function readTemplate(t: string, i: number): Template {
  const lines: string[] = [''];
  const offsets: number[][] = [[]];
  const push = (ch: string, at: number) => {
    lines[lines.length - 1] += ch;
    offsets[offsets.length - 1].push(at);
  };
  const breakLine = (at: number) => {
    offsets[offsets.length - 1].push(at);
    lines.push('');
    offsets.push([]);
  };
  let total = 0;
  while (i < t.length && t[i] === '"' && total < MAX_TEMPLATE) {
    i++;
    while (i < t.length && t[i] !== '"' && total++ < MAX_TEMPLATE) {
      const c = t[i];
      if (c === '\n') break; // an unterminated literal ends at the line's end
      if (c === '\\') {
        const n = t[i + 1];
        if (n === '\n') { i += 2; continue; }
        if (n === '\r' && t[i + 2] === '\n') { i += 3; continue; }
        const e = n !== undefined ? SIMPLE_ESCAPES[n] : undefined;
        if (e === '\n') breakLine(i);
        else if (e !== undefined) push(e, i);
        else push(n ?? '', i);
        i += 2;
        continue;
      }
      if (c === ';') breakLine(i);
      else if (c === '%' && t[i + 1] === '%') { push('%', i); i++; } // GCC's escape for a literal '%'
      else push(c, i);
      i++;
    }
    if (t[i] === '"') i++;
    const next = skipSpace(t, i);
    if (t[next] !== '"') break;
    i = next;
  }
  offsets[offsets.length - 1].push(i);
  // The assembler sees C comments written inside the template (selftests annotate each line).
  const text = lines.join('\n').replace(/\/\*[^]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return renameNumericLabels({ text, offsets, end: i });
}

/**
 * GNU numeric local labels (`1:` defined any number of times, `1f` / `1b` naming the next or
 * previous one) become unique names; the renamed characters keep the document offsets of the
 * characters they replace.
 */
function renameNumericLabels(tpl: Template): Template {
  if (!/(^|\s)\d+:|\b\d+[fb]\b/.test(tpl.text)) return tpl;
  const lines = tpl.text.split('\n');
  const defs = new Map<string, number>();
  const token = /^(\s*)(\d+):|\b(\d+)([fb])\b/g;
  for (let l = 0; l < lines.length; l++) {
    let line = lines[l];
    let row = tpl.offsets[l];
    token.lastIndex = 0;
    for (let m = token.exec(line); m; m = token.exec(line)) {
      let start: number;
      let end: number;
      let name: string;
      if (m[2] !== undefined) {
        const k = defs.get(m[2]) ?? 0;
        defs.set(m[2], k + 1);
        start = m.index + m[1].length;
        end = start + m[2].length;
        name = `.Lnum${m[2]}_${k}`;
      } else {
        // A number followed by f/b only names a label after a jump keyword.
        if (!/\b(goto|gotol|ja|j\w+|call)\b[^;]*$/.test(line.slice(0, m.index))) continue;
        const k = (defs.get(m[3]) ?? 0) - (m[4] === 'b' ? 1 : 0);
        start = m.index;
        end = start + m[0].length;
        name = `.Lnum${m[3]}_${Math.max(k, 0)}`;
      }
      const fill = [...Array(name.length - 1).fill(row[start]), row[end - 1]];
      row = [...row.slice(0, start), ...fill, ...row.slice(end)];
      line = line.slice(0, start) + name + line.slice(end);
      token.lastIndex = start + name.length;
    }
    lines[l] = line;
    tpl.offsets[l] = row;
  }
  return { text: lines.join('\n'), offsets: tpl.offsets, end: tpl.end };
}

/** Operand constants from the input list: `__imm_const(name, 42)` and `[name] "i" (42)`. */
function readConstants(t: string, from: number, to: number): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const s = t.slice(from, to);
  const num = (v: string): bigint | undefined => {
    const m = /^\s*(-?)\s*(0x[0-9a-fA-F]+|\d+)[uUlL]*\s*$/.exec(v);
    if (!m) return undefined;
    try { return (m[1] ? -1n : 1n) * BigInt(m[2]); } catch { return undefined; }
  };
  // Constants the C compiler computes (offsetof, sizeof, macros) are unknown here: 0 stands in.
  for (const m of s.matchAll(/__imm_(?:const|insn)\(\s*(\w+)\s*,/g)) {
    const arg = argumentText(s, m.index + m[0].length);
    out.set(m[1], num(arg) ?? 0n);
  }
  for (const m of s.matchAll(/\[(\w+)\]\s*"i"\s*\(/g)) {
    const arg = argumentText(s, m.index + m[0].length);
    if (/^\s*&?\s*[A-Za-z_]\w*\s*$/.test(arg)) continue; // a symbol: helper, function or variable
    out.set(m[1], num(arg) ?? 0n);
  }
  return out;
}

/** The text up to the parenthesis closing an argument list that starts at `i`. */
function argumentText(s: string, i: number): string {
  let depth = 1;
  let j = i;
  for (; j < s.length && j < i + 1000; j++) {
    if (s[j] === '(') depth++;
    else if (s[j] === ')' && --depth === 0) break;
  }
  return s.slice(i, j);
}

/** The offset of the parenthesis closing the one before `i` (strings and comments skipped). */
function closingParen(t: string, i: number): number {
  let depth = 1;
  const limit = Math.min(t.length, i + MAX_TEMPLATE);
  while (i < limit) {
    const c = t[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < limit && t[i] !== c && t[i] !== '\n') i += t[i] === '\\' ? 2 : 1;
    } else if (c === '/' && (t[i + 1] === '/' || t[i + 1] === '*')) {
      i = skipSpace(t, i) - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

// An edit touches one asm statement: the others are assembled once and found here.
const asmCache = new Map<string, AsmResult>();
const ASM_CACHE_SIZE = 2000;

function assembleCached(text: string, constants: Map<string, bigint>): AsmResult {
  const key = `${[...constants].map(([k, v]) => `${k}=${v}`).join(',')}\0${text}`;
  const hit = asmCache.get(key);
  if (hit) return hit;
  const asm = assemble(text, { syntax: 'llvm', operands: (name) => constants.get(name) });
  if (asmCache.size >= ASM_CACHE_SIZE) asmCache.delete(asmCache.keys().next().value!);
  asmCache.set(key, asm);
  return asm;
}

/** Every inline asm statement of a C text, each assembled on its own. */
export function findInlineAsm(text: string): InlineAsmBlock[] {
  const out: InlineAsmBlock[] = [];
  ASM_START.lastIndex = 0;
  for (let m = ASM_START.exec(text); m && out.length < MAX_BLOCKS; m = ASM_START.exec(text)) {
    if (inCommentOrString(text, m.index)) continue;
    const open = m.index + m[0].length;
    const first = skipSpace(text, open);
    if (text[first] !== '"') continue;
    const tpl = readTemplate(text, first);
    const close = closingParen(text, tpl.end);
    const end = close < 0 ? tpl.end : close;
    const constants = readConstants(text, tpl.end, end);
    const asm = assembleCached(tpl.text, constants);
    out.push({ start: m.index, end, text: tpl.text, offsets: tpl.offsets, constants, asm });
    ASM_START.lastIndex = Math.max(end, open);
  }
  return out;
}

/** A cheap check that `at` is not inside a // or /* comment on its own line (good enough for `asm`). */
function inCommentOrString(t: string, at: number): boolean {
  const lineStart = t.lastIndexOf('\n', at - 1) + 1;
  const before = t.slice(lineStart, at);
  if (before.includes('//')) return true;
  const open = t.lastIndexOf('/*', at);
  return open >= 0 && t.indexOf('*/', open) > at;
}

/** The document offset of a template position (clamped to the line). */
export function docOffset(block: InlineAsmBlock, line: number, col: number): number {
  const row = block.offsets[line] ?? block.offsets[block.offsets.length - 1];
  return row[Math.max(0, Math.min(col, row.length - 1))];
}

/** The template position of a document offset, when it falls on a template character. */
export function templatePosition(block: InlineAsmBlock, offset: number): { line: number; col: number } | undefined {
  if (offset < block.start || offset > block.end) return undefined;
  for (let line = 0; line < block.offsets.length; line++) {
    const row = block.offsets[line];
    for (let col = 0; col < row.length; col++) {
      if (row[col] === offset) return { line, col };
      if (row[col] > offset && col > 0 && row[col - 1] < offset) return { line, col: col - 1 };
    }
  }
  return undefined;
}
