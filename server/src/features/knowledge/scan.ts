// A lexical index of one BPF C document, enough for the knowledge features: program sections and
// the functions under them, the license, extern __ksym declarations, and call sites. It reads the
// text (comments and literals blanked), so it works on code that does not parse; one scan per
// document version, cached.
import type { DocumentSnapshot } from '../../analysis/document';

export interface ProgramSpan {
  /** the SEC("...") name */
  section: string;
  /** offsets of the section string's contents */
  secStart: number;
  secEnd: number;
  /** function name (first argument of BPF_PROG()-style macros) */
  funcName: string;
  /** body offsets, '{' to '}' inclusive */
  bodyStart: number;
  bodyEnd: number;
}

export interface DataSection {
  section: string;
  secStart: number;
  secEnd: number;
  /** the initialiser string for SEC("license") */
  value?: string;
}

export interface CallSite {
  name: string;
  start: number;
  end: number;
  /** inside a function body or initialiser (brace depth > 0): not a declaration */
  nested: boolean;
}

export interface DocIndex {
  /** text with comments and literal contents blanked (same length) */
  code: string;
  programs: ProgramSpan[];
  data: DataSection[];
  license?: DataSection;
  /** names declared `extern ... __ksym` */
  ksyms: Set<string>;
  /** offset where a new top-level declaration can go (after the last #include) */
  declInsertOffset: number;
  readonly calls: CallSite[];
  /**
   * For each function that is not itself a program but is called (directly or through other
   * functions) from programs: the programs that reach it. Helpers called there are checked against
   * those programs' types.
   */
  readonly callers: Map<string, ProgramSpan[]>;
  /** top-level function bodies (programs included), in text order */
  readonly functions: FunctionSpan[];
}

export interface FunctionSpan {
  name: string;
  bodyStart: number;
  bodyEnd: number;
}

/** Blanks comments and the contents of string/char literals, keeping quotes and newlines. */
export function blankComments(text: string): string {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/g, (m) => {
    const q = m[0];
    if (q !== '"' && q !== "'") return m.replace(/[^\n]/g, ' ');
    // Keep the quotes: SEC("...") and initialisers are found by them.
    const closed = m.length > 1 && m.endsWith(q);
    return q + m.slice(1, closed ? -1 : undefined).replace(/[^\n]/g, ' ') + (closed ? q : '');
  });
}

const PROG_MACROS = new Set([
  'BPF_PROG', 'BPF_PROG2', 'BPF_KPROBE', 'BPF_KRETPROBE', 'BPF_UPROBE', 'BPF_URETPROBE', 'BPF_KSYSCALL',
  'BPF_KPROBE_SYSCALL', 'BPF_KRETPROBE_SYSCALL', 'BPF_USDT', 'BPF_STRUCT_OPS', 'BPF_STRUCT_OPS_SLEEPABLE',
]);
const NOT_CALLS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'SEC', '__section', 'defined', '__attribute__', '__builtin_expect']);
/** Bounds the brace matching on broken text. */
const MAX_SCAN = 2_000_000;

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** The identifier ending just before `at` (whitespace allowed between), or ''. */
export function identBefore(code: string, at: number): string {
  let e = at;
  while (e > 0 && e > at - 200 && /\s/.test(code[e - 1])) e--;
  let b = e;
  while (b > 0 && isIdentChar(code.charCodeAt(b - 1))) b--;
  if (b === e || (code.charCodeAt(b) >= 48 && code.charCodeAt(b) <= 57)) return '';
  return code.slice(b, e);
}

function identAfter(code: string, at: number): string {
  let b = at;
  while (b < code.length && b < at + 200 && /\s/.test(code[b])) b++;
  let e = b;
  while (e < code.length && isIdentChar(code.charCodeAt(e))) e++;
  return code.slice(b, e);
}

function matchBrace(code: string, open: number): number {
  let depth = 0;
  const lim = Math.min(code.length, open + MAX_SCAN);
  for (let i = open; i < lim; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return code.length - 1;
}

/**
 * Names worth recording as call sites: helpers and kfuncs. Others (every C call) would only cost
 * memory. Kfuncs without the bpf_ prefix (scx_bpf_*, tcp_*...) are added as the target BTF is read.
 */
const extraCallNames = new Set<string>();
export function addInterestingCallNames(names: Iterable<string>): void {
  for (const n of names) if (!n.startsWith('bpf_')) extraCallNames.add(n);
}

/** The data declaration's value literal is looked for this far after its '='. */
const VALUE_WINDOW = 400;
const VALUE_LITERAL = /^\s*"((?:[^"\\\n]|\\.)*)"/;

/**
 * What follows a SEC("...") whose closing quote is at `close`: a function if '{' comes before ';'
 * or '=' at paren depth 0 (within 4000 characters), a variable otherwise. `stop` is where the scan
 * ended; firstParenName is the identifier before the first '(' (the function or macro name).
 */
function scanDeclarator(code: string, close: number): { stop: number; brace: number; firstParenName: string; firstParenArg: string } {
  let depth = 0;
  const closeParen = code.indexOf(')', close + 1);
  let i = closeParen < 0 ? close + 1 : closeParen + 1;
  let brace = -1;
  let firstParenName = '';
  let firstParenArg = '';
  const lim = Math.min(code.length, close + 4000);
  for (; i < lim; i++) {
    const c = code[i];
    if (c === '(') {
      if (depth === 0 && !firstParenName) {
        const before = identBefore(code, i);
        if (before && before !== 'SEC') {
          firstParenName = before;
          firstParenArg = identAfter(code, i + 1);
        }
      }
      depth++;
    } else if (c === ')') depth = Math.max(0, depth - 1); // the attribute's own closing parens
    else if (depth <= 0 && (c === ';' || c === '{' || c === '=')) { if (c === '{') brace = i; break; }
  }
  return { stop: i, brace, firstParenName, firstParenArg };
}

export function indexDocument(text: string): DocIndex {
  const code = blankComments(text);
  const programs: ProgramSpan[] = [];
  const data: DataSection[] = [];
  const secRe = /\b(?:SEC|__section|section)\s*\(\s*"/g;
  for (let m = secRe.exec(code); m; m = secRe.exec(code)) {
    const secStart = m.index + m[0].length;
    const close = code.indexOf('"', secStart);
    if (close < 0) break;
    const section = text.slice(secStart, close);
    const { stop: i, brace, firstParenName, firstParenArg } = scanDeclarator(code, close);
    if (brace >= 0 && firstParenName) {
      const funcName = PROG_MACROS.has(firstParenName) ? firstParenArg || firstParenName : firstParenName;
      const bodyEnd = matchBrace(code, brace);
      programs.push({ section, secStart, secEnd: close, funcName, bodyStart: brace, bodyEnd });
      secRe.lastIndex = bodyEnd + 1;
    } else {
      const d: DataSection = { section, secStart, secEnd: close };
      if (code[i] === '=') {
        const lit = VALUE_LITERAL.exec(text.slice(i + 1, i + 1 + VALUE_WINDOW));
        if (lit) d.value = lit[1];
      }
      data.push(d);
      secRe.lastIndex = close + 1;
    }
  }
  const ksyms = new Set<string>();
  const externRe = /\bextern\b([^;{}]*?)\b__ksym\b[^;]*;/g;
  for (let m = externRe.exec(code); m; m = externRe.exec(code)) {
    const decl = m[1];
    const fn = /([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$/.exec(decl.trim());
    const v = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(decl.trim());
    const name = fn ? fn[1] : v ? v[1] : '';
    if (name) ksyms.add(name);
  }
  let declInsertOffset = 0;
  const incRe = /^[ \t]*#[ \t]*include\b[^\n]*\n?/gm;
  for (let m = incRe.exec(code); m; m = incRe.exec(code)) declInsertOffset = m.index + m[0].length;
  return withLazyParts(code, programs, data, ksyms, declInsertOffset);
}

/** The index around its eager parts: call sites, functions and callers are found on first use. */
function withLazyParts(code: string, programs: ProgramSpan[], data: DataSection[], ksyms: Set<string>, declInsertOffset: number): DocIndex {
  const license = data.find((d) => d.section === 'license');
  let calls: CallSite[] | undefined;
  let functions: FunctionSpan[] | undefined;
  let callers: Map<string, ProgramSpan[]> | undefined;
  return {
    code, programs, data, license, ksyms, declInsertOffset,
    // Call sites are found on first use: hover and completion never need them.
    get calls() {
      calls ??= findCalls(code, ksyms);
      return calls;
    },
    get functions() {
      functions ??= findFunctions(code);
      return functions;
    },
    get callers() {
      callers ??= reachingPrograms(code, programs, this.functions);
      return callers;
    },
  };
}

/** Top-level `name(...) {` bodies: the header between the previous ';' or '}' and '{' ends in ')'. */
function findFunctions(code: string): FunctionSpan[] {
  const out: FunctionSpan[] = [];
  let depth = 0;
  let headerStart = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 123 /* { */) {
      if (depth === 0) {
        const header = code.slice(headerStart, i).replace(/__attribute__\s*\(\([^;{}]*?\)\)|\b(?:SEC|__section)\s*\([^;{}()]*\)/g, '').trimEnd();
        if (header.endsWith(')')) {
          const open = header.indexOf('(');
          const name = open > 0 ? identBefore(header, open) : '';
          const macroArg = /^\s*([A-Za-z_]\w*)/.exec(header.slice(open + 1));
          const fname = /^BPF_(PROG2?|KPROBE|KRETPROBE|UPROBE|URETPROBE|KSYSCALL|USDT|STRUCT_OPS(_SLEEPABLE)?)$/.test(name) && macroArg ? macroArg[1] : name;
          const end = matchBrace(code, i);
          if (fname && !/^(if|for|while|switch|SEC)$/.test(fname)) out.push({ name: fname, bodyStart: i, bodyEnd: end });
          i = end;
          headerStart = end + 1;
          continue;
        }
      }
      depth++;
    } else if (c === 125 /* } */) {
      if (depth > 0) depth--;
      if (depth === 0) headerStart = i + 1;
    } else if (c === 59 /* ; */ && depth === 0) headerStart = i + 1;
  }
  return out;
}

/** Programs reaching each non-program function through calls (bounded breadth-first walk). */
function reachingPrograms(code: string, programs: ProgramSpan[], functions: FunctionSpan[]): Map<string, ProgramSpan[]> {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const calleesOf = (f: { bodyStart: number; bodyEnd: number }): string[] => {
    const out = new Set<string>();
    const re = /\b([A-Za-z_]\w*)\s*\(/g;
    re.lastIndex = f.bodyStart;
    for (let m = re.exec(code); m && m.index < f.bodyEnd; m = re.exec(code)) if (byName.has(m[1])) out.add(m[1]);
    return [...out];
  };
  const callees = new Map<string, string[]>();
  const result = new Map<string, ProgramSpan[]>();
  const programNames = new Set(programs.map((p) => p.funcName));
  for (const p of programs) {
    const seen = new Set<string>([p.funcName]);
    const queue = [p.funcName];
    for (let steps = 0; queue.length && steps < 10_000; steps++) {
      const name = queue.shift()!;
      const f = byName.get(name);
      if (!f) continue;
      let cs = callees.get(name);
      if (!cs) callees.set(name, (cs = calleesOf(f)));
      for (const c of cs) {
        if (seen.has(c) || programNames.has(c)) continue;
        seen.add(c);
        queue.push(c);
        const l = result.get(c) ?? [];
        l.push(p);
        result.set(c, l);
      }
    }
  }
  return result;
}

function findCalls(code: string, ksyms: Set<string>): CallSite[] {
  const calls: CallSite[] = [];
  const callRe = /\b([A-Za-z_]\w*)\s*\(/g;
  let depth = 0;
  let at = 0;
  for (let m = callRe.exec(code); m; m = callRe.exec(code)) {
    for (; at < m.index; at++) {
      const c = code.charCodeAt(at);
      if (c === 123) depth++;
      else if (c === 125 && depth > 0) depth--;
    }
    if (NOT_CALLS.has(m[1])) continue;
    if (!m[1].startsWith('bpf_') && !m[1].startsWith('scx_bpf_') && !extraCallNames.has(m[1]) && !ksyms.has(m[1])) continue;
    calls.push({ name: m[1], start: m.index, end: m.index + m[1].length, nested: depth > 0 });
  }
  return calls;
}

/** Edits longer than this are not worth checking: the index is rebuilt. */
const MAX_SHIFT_EDIT = 64;
const WORDS_ONLY = /^[A-Za-z0-9_ ]*$/;
/** Words whose statements the eager scan reads (SEC, externs, #include): an edit near them rebuilds. */
const DECL_WORDS = /\b(?:SEC|__section|section|extern|__ksym|include)\b|#/;

/**
 * The index of `text` from the index of `oldText` (the same document before one edit), when the
 * edit provably changes no declaration the eager scan records: it replaces a run of letters,
 * digits, '_' and spaces on one line by another, away from SEC(...) headers and strings, extern
 * statements and preprocessor lines, and cannot open or close a comment or literal. Offsets after
 * the edit are shifted; call sites, functions and callers are found again on first use. Returns
 * undefined when the index must be rebuilt. (The scan tests check it against a fresh index.)
 */
export function shiftIndex(old: DocIndex, oldText: string, text: string): DocIndex | undefined {
  // (the eager scan bounds its brace matching: far larger texts are rebuilt to stay exact)
  if (text.length > MAX_SCAN / 2 || oldText.length > MAX_SCAN / 2) return undefined;
  const minLen = Math.min(oldText.length, text.length);
  // common prefix and suffix: whole chunks compared natively, then characters
  const CHUNK = 512;
  let p = 0;
  while (p + CHUNK <= minLen && oldText.substring(p, p + CHUNK) === text.substring(p, p + CHUNK)) p += CHUNK;
  while (p < minLen && oldText.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  const ol = oldText.length, nl = text.length;
  while (s + CHUNK <= minLen - p && oldText.substring(ol - s - CHUNK, ol - s) === text.substring(nl - s - CHUNK, nl - s)) s += CHUNK;
  while (s < minLen - p && oldText.charCodeAt(ol - 1 - s) === text.charCodeAt(nl - 1 - s)) s++;
  const oldEnd = oldText.length - s;
  const removed = oldText.slice(p, oldEnd);
  const inserted = text.slice(p, text.length - s);
  if (removed.length + inserted.length > MAX_SHIFT_EDIT || !WORDS_ONLY.test(removed) || !WORDS_ONLY.test(inserted)) return undefined;
  // the characters the edit joins or separates must not form or break '//', '/*', '*/', '\"'
  const before = oldText[p - 1] ?? '\n', after = oldText[oldEnd] ?? '\n';
  if ('/*\\"\''.includes(before) || '/*\\"\''.includes(after)) return undefined;
  // the old and new line of the edit: no SEC, extern, __ksym, #include
  const lineStart = oldText.lastIndexOf('\n', p - 1) + 1;
  let lineEnd = oldText.indexOf('\n', oldEnd);
  if (lineEnd < 0) lineEnd = oldText.length;
  if (DECL_WORDS.test(oldText.slice(lineStart, lineEnd)) || DECL_WORDS.test(text.slice(lineStart, lineEnd + text.length - oldText.length))) return undefined;
  // not between SEC and its '("' (whitespace, even newlines, may separate them)
  const code = old.code;
  let q = p - 1;
  while (q >= 0 && /\s/.test(code[q])) q--;
  let r = oldEnd;
  while (r < code.length && /\s/.test(code[r])) r++;
  if (/^(?:SEC|__section|section)$/.test(identBefore(code, q + 1)) || (code[q] === '(' && code[r] === '"')) return undefined;
  // not inside a SEC header (SEC to the body's '{'), a data section's statement or an extern statement
  for (const prog of old.programs) {
    const start = secKeywordStart(code, prog.secStart);
    if (start > oldEnd) break;
    if (p <= prog.bodyStart) return undefined;
  }
  for (const d of old.data) {
    const start = secKeywordStart(code, d.secStart);
    if (start > oldEnd) break;
    // the declarator the scan read, and the value literal after an '='
    const { stop } = scanDeclarator(code, d.secEnd);
    let end = stop;
    if (code[stop] === '=') {
      const lit = VALUE_LITERAL.exec(oldText.slice(stop + 1, stop + 1 + VALUE_WINDOW));
      end = stop + 1 + (lit ? lit[0].length : VALUE_WINDOW);
    }
    if (p <= end) return undefined;
  }
  const stmtStart = Math.max(code.lastIndexOf(';', p - 1), code.lastIndexOf('{', p - 1), code.lastIndexOf('}', p - 1)) + 1;
  let stmtEnd = code.indexOf(';', oldEnd);
  if (stmtEnd < 0) stmtEnd = code.length;
  if (stmtEnd - stmtStart > 100_000 || /\b(?:extern|__ksym)\b/.test(code.slice(stmtStart, stmtEnd))) return undefined;
  // inside a comment or literal the new characters are blanked; in code they stay. Decide by a
  // non-space neighbour on the line whose blanking is known; otherwise rebuild.
  // (spaces stay spaces either way)
  const blanked = /^ *$/.test(inserted) ? false : blankedAt(oldText, code, p, oldEnd, lineStart, lineEnd);
  if (blanked === undefined) return undefined;
  const newCode = code.slice(0, p) + (blanked ? inserted.replace(/[^\n]/g, ' ') : inserted) + code.slice(oldEnd);
  const delta = text.length - oldText.length;
  const at = (o: number) => (o >= oldEnd ? o + delta : o);
  const programs = old.programs.map((x) => ({ ...x, secStart: at(x.secStart), secEnd: at(x.secEnd), bodyStart: at(x.bodyStart), bodyEnd: at(x.bodyEnd) }));
  const data = old.data.map((x) => ({ ...x, secStart: at(x.secStart), secEnd: at(x.secEnd) }));
  // (the insertion point is the start of a line: text inserted there goes after it)
  const declInsertOffset = old.declInsertOffset > p ? old.declInsertOffset + delta : old.declInsertOffset;
  return withLazyParts(newCode, programs, data, old.ksyms, declInsertOffset);
}

/** Where `SEC ( "` begins, given the offset just past its quote (whitespace may separate the parts). */
function secKeywordStart(code: string, secStart: number): number {
  let i = secStart - 2; // before the quote
  while (i >= 0 && /\s/.test(code[i])) i--;
  i--; // the '('
  while (i >= 0 && /\s/.test(code[i])) i--;
  while (i >= 0 && isIdentChar(code.charCodeAt(i))) i--;
  return i + 1;
}

/**
 * Whether the edit [p, end) of the old text lies in a blanked run (comment or literal contents):
 * an identifier character next to it, or inside it, tells (its code character is a space only
 * when blanked). Undefined when no such character is at hand.
 */
function blankedAt(text: string, code: string, p: number, end: number, lineStart: number, lineEnd: number): boolean | undefined {
  const word = (i: number) => i >= lineStart && i < lineEnd && isIdentChar(text.charCodeAt(i));
  for (const i of [p - 1, end, ...(end > p ? [p] : [])]) {
    if (word(i)) return code[i] !== text[i];
  }
  return undefined;
}

const cache = new WeakMap<DocumentSnapshot, DocIndex>();
let last: { uri: string; version: number; text: string; index: DocIndex } | undefined;

/**
 * The index of a document, computed once per snapshot (and per identical text). After a small
 * edit that changes no declaration, the previous version's index is shifted instead of rebuilt.
 */
export function docIndex(doc: DocumentSnapshot): DocIndex {
  const hit = cache.get(doc);
  if (hit) return hit;
  let index: DocIndex | undefined;
  if (last && last.uri === doc.uri && last.text === doc.text) index = last.index;
  else {
    if (last && last.uri === doc.uri) index = shiftIndex(last.index, last.text, doc.text);
    index ??= indexDocument(doc.text);
    last = { uri: doc.uri, version: doc.version, text: doc.text, index };
  }
  cache.set(doc, index);
  return index;
}

/** The program whose body contains the offset. */
export function programAt(index: DocIndex, offset: number): ProgramSpan | undefined {
  let lo = 0;
  let hi = index.programs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = index.programs[mid];
    if (offset < p.bodyStart) hi = mid - 1;
    else if (offset > p.bodyEnd) lo = mid + 1;
    else return p;
  }
  return undefined;
}

/** The identifier under or just before the offset, with its span. */
export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let s = offset;
  let e = offset;
  const isW = (c: string | undefined) => !!c && /[A-Za-z0-9_]/.test(c);
  while (s > 0 && isW(text[s - 1])) s--;
  while (e < text.length && isW(text[e])) e++;
  if (s === e || /[0-9]/.test(text[s])) return undefined;
  return { word: text.slice(s, e), start: s, end: e };
}

/** Licenses the kernel treats as GPL-compatible (include/linux/license.h). */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}
