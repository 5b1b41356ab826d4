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
    // A function follows if '{' comes before ';' at paren depth 0; a variable otherwise.
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
    if (brace >= 0 && firstParenName) {
      const funcName = PROG_MACROS.has(firstParenName) ? firstParenArg || firstParenName : firstParenName;
      const bodyEnd = matchBrace(code, brace);
      programs.push({ section, secStart, secEnd: close, funcName, bodyStart: brace, bodyEnd });
      secRe.lastIndex = bodyEnd + 1;
    } else {
      const d: DataSection = { section, secStart, secEnd: close };
      if (code[i] === '=') {
        const lit = /^\s*"((?:[^"\\\n]|\\.)*)"/.exec(text.slice(i + 1, i + 400));
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

const cache = new WeakMap<DocumentSnapshot, DocIndex>();
let last: { uri: string; version: number; text: string; index: DocIndex } | undefined;

/** The index of a document, computed once per snapshot (and per identical text). */
export function docIndex(doc: DocumentSnapshot): DocIndex {
  const hit = cache.get(doc);
  if (hit) return hit;
  let index: DocIndex;
  if (last && last.uri === doc.uri && last.version === doc.version && last.text === doc.text) index = last.index;
  else {
    index = indexDocument(doc.text);
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
