// tree-sitter-c parses C without running the preprocessor, so the macros every BPF program uses
// (SEC("xdp"), __uint(type, ...), __always_inline, bpf_for(...)) would show up as syntax errors.
// `maskBpfMacros` rewrites them into plain C of exactly the same length, keeping every newline,
// so node indices and positions in the tree still match the user's text one to one.
//
//   SEC("xdp")                      -> blanks
//   __uint(max_entries, 1 << 12)    -> int  (*max_entries)[1 << 12]   (libbpf: int (*name)[val])
//   __type(key, struct foo)         -> int  (*key)                    (type values are blanked)
//   __always_inline, __ksym, ...    -> blanks; __attribute__((...)) and __aligned(8) -> blanks
//   bpf_for(i, 0, n) / bpf_repeat(n) / bpf_for_each(...) -> while  (...)
//   container_of(p, struct s, f), bpf_core_type_exists(struct s) -> type arguments become 0
//   selftest annotations (__success, __msg("..."), __naked, private(A) at a line start) -> blanks; asm operand macros
//   __imm(x) -> "i"  (x); __clobber_all -> "memory"; bpf_cmp_unlikely(a, ==, b) -> (a, 0 , b)

const ATTRIBUTE_WORDS = new Set([
  '__always_inline', '__noinline', '__weak', '__hidden', '__ksym', '__kconfig', '__kptr', '__kptr_untrusted',
  '__kptr_ref', '__percpu_kptr', '__rcu', '__user', '__iomem', '__percpu', '__force', '__arg_ctx', '__arg_nonnull',
  '__arg_nullable', '__arg_trusted', '__arg_untrusted', '__arg_arena', '__arena', '__packed', '__used',
  '__maybe_unused', '__always_unused', '__noreturn', '__bpf_fastcall', '__uptr', '__nullable', '__ref',
  '__opt', '__str', '__ign', '__sz', '__k', '__iter', '__refcounted_kptr', '__arena_global',
  // kernel selftest annotations (bpf_misc.h), common in verifier test programs
  '__failure', '__success', '__failure_unpriv', '__success_unpriv', '__naked', '__auxiliary', '__auxiliary_unpriv',
  '__arch_x86_64', '__arch_arm64', '__arch_riscv64', '__arch_s390x', '__load_if_JITed', '__not_subprog',
  '__pragma_loop_no_unroll', '__pragma_loop_unroll_full',
  // kernel/selftest attribute macros (compiler.h, bpf_misc.h)
  '__unused', '__read_mostly', '__bitwise',
]);
const ATTRIBUTE_CALLS = new Set([
  '__attribute__', '__attribute', '__aligned', '__contains', '__section', '__btf_decl_tag', '__btf_type_tag', '__exception_cb',
  '__msg', '__msg_unpriv', '__description', '__log_level', '__retval', '__retval_unpriv', '__xlated', '__xlated_unpriv',
  '__jited', '__jited_unpriv', '__flag', '__btf_path', '__arch', '__caps_unpriv', '__regex', '__stderr', '__stdout',
  '__stderr_unpriv', '__stdout_unpriv', '__linear_size', '__pragma_loop_unroll_count',
]);
/** bpf_misc.h asm operand macros: `__imm(x)` is `[x]"i"(x)`; we keep a plain `"i"(x)` operand. */
const ASM_OPERANDS = new Set(['__imm', '__imm_addr', '__imm_const', '__imm_insn', '__imm_ptr']);
/** bpf_misc.h clobber lists, which stand where asm expects string literals. */
const ASM_CLOBBERS = new Set(['__clobber_all', '__clobber_common']);
/** Macros taking a comparison operator as their second argument. */
const OPERATOR_ARG_MACROS = new Set(['bpf_cmp_likely', 'bpf_cmp_unlikely']);
const MAP_FIELDS = new Set(['__uint', '__type', '__array', '__ulong']);
const LOOP_MACROS = new Set(['bpf_for', 'bpf_for_each', 'bpf_repeat']);
/** Macros whose arguments may be types; a `struct/union/enum X` argument becomes `0`. */
const TYPE_ARG_MACROS = new Set([
  'container_of', 'bpf_core_type_exists', 'bpf_core_type_size', 'bpf_core_type_id_kernel',
  'bpf_core_type_id_local', 'bpf_core_type_matches', 'bpf_core_enum_value', 'bpf_core_enum_value_exists',
  'bpf_core_cast', 'bpf_rdonly_cast', 'bpf_obj_new', 'bpf_percpu_obj_new', 'offsetofend', 'sizeof_field',
  'bpf_core_type_id', 'bpf_core_field_exists', 'bpf_core_field_size', 'bpf_core_field_offset',
  'bpf_core_field_signed', 'bpf_core_field_lshift_u64', 'bpf_core_field_rshift_u64',
]);
const CONDITIONAL = /^#\s*(if|ifdef|ifndef|elif|else|endif)\b/;
/** Longest macro argument list we look at (bounds the scan on broken text). */
const MAX_ARGS = 4096;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdent(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
/** Whether only blanks precede `i` on its line. */
function atLineStart(t: string, i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const c = t.charCodeAt(k);
    if (c === 10) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * Index of the newline ending the directive that starts at `i` (continuation lines and block
 * comments spanning lines included), or the text's end.
 */
function directiveEnd(t: string, i: number): number {
  const n = t.length;
  for (let k = i; k < n; k++) {
    const c = t.charCodeAt(k);
    if (c === 10) {
      let b = k - 1;
      if (b >= i && t.charCodeAt(b) === 13) b--;
      if (b < i || t.charCodeAt(b) !== 92) return k;
    } else if (c === 47 && t.charCodeAt(k + 1) === 42) {
      const e = t.indexOf('*/', k + 2);
      if (e < 0) return n;
      k = e + 1;
    } else if (c === 47 && t.charCodeAt(k + 1) === 47) {
      const e = t.indexOf('\n', k);
      return e < 0 ? n : e;
    }
  }
  return n;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/**
 * Index just past the ')' matching the '(' at `open`, or -1 (strings and char literals are
 * skipped). Braces and ';' end the search unless `allowBodies` (`__array(values, struct {...})`).
 */
function matchParen(t: string, open: number, allowBodies = false): number {
  let depth = 0;
  const limit = Math.min(t.length, open + MAX_ARGS);
  for (let i = open; i < limit; i++) {
    const c = t.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      if (--depth === 0) return i + 1;
    } else if (c === 34 || c === 39) {
      for (i++; i < limit && t.charCodeAt(i) !== c; i++) {
        if (t.charCodeAt(i) === 92) i++;
        else if (t.charCodeAt(i) === 10) break;
      }
    } else if (!allowBodies && (c === 59 || c === 123 || c === 125)) {
      return -1; // ';' '{' '}' never appear inside these macros' arguments
    }
  }
  return -1;
}

/** Splits the argument text between '(' and ')' at top-level commas: [start, end) pairs. */
function splitArgs(t: string, open: number, close: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close - 1; i++) {
    const c = t.charCodeAt(i);
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
    else if (c === 44 && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, close - 1]);
  return out;
}

const SIMPLE_VALUE = /^[\s\w+\-*/<>()|&~^]*$/;
const TYPE_KEYWORD = /^\s*(struct|union|enum|unsigned|signed|const|volatile|typeof|__typeof__)\b/;

/** Returns `text` with the BPF macros tree-sitter cannot parse rewritten (same length, same newlines). */
export function maskBpfMacros(text: string): string {
  // Rewrites are collected as code units in a copy made on the first one (most edits to most
  // files rewrite something, but building the copy lazily keeps macro-free text free).
  let out: Uint16Array | null = null;
  const put = (from: number, s: string) => {
    if (!out) {
      out = new Uint16Array(text.length);
      for (let k = 0; k < text.length; k++) out[k] = text.charCodeAt(k);
    }
    for (let k = 0; k < s.length; k++) {
      const old = out[from + k];
      if (old !== 10 && old !== 13) out[from + k] = s.charCodeAt(k);
    }
  };
  const blank = (from: number, to: number) => put(from, ' '.repeat(to - from));

  const n = text.length;
  let parens = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Skip comments and literals so text inside them is never rewritten.
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (c === 34 || c === 39) {
      for (i++; i < n && text.charCodeAt(i) !== c && text.charCodeAt(i) !== 10; i++) if (text.charCodeAt(i) === 92) i++;
      continue;
    }
    // Preprocessor lines keep their text: masking `SEC(name)` inside `#define SEC(name) ...`
    // would leave a nameless #define that swallows the lines after it. The exception: a
    // conditional inside parentheses (asm strings or arguments chosen by #if), which
    // tree-sitter-c cannot read there; blanked, it leaves both branches' tokens side by side.
    if (c === 35 && atLineStart(text, i)) {
      const end = directiveEnd(text, i);
      if (parens > 0 && CONDITIONAL.test(text.slice(i, Math.min(end, i + 16)))) blank(i, end);
      i = end - 1;
      continue;
    }
    if (c === 40) parens++;
    else if (c === 41) parens = Math.max(0, parens - 1);
    else if (c === 59 || c === 123 || c === 125) parens = 0; // parentheses never span these (but for(;;) and ({ })
    if (!isIdentStart(c) || (i > 0 && isIdent(text.charCodeAt(i - 1)))) continue;
    let j = i + 1;
    while (j < n && isIdent(text.charCodeAt(j))) j++;
    // Every macro we rewrite starts with '_', 'S', 'b', 'c', 'o', 'p' or 's': skip other words without slicing.
    if (c !== 95 && c !== 83 && c !== 98 && c !== 99 && c !== 111 && c !== 112 && c !== 115) {
      i = j - 1;
      continue;
    }
    const word = text.slice(i, j);
    const isCandidate =
      word === 'SEC' || word === 'offsetof' || (word === 'private' && atLineStart(text, i)) || ATTRIBUTE_WORDS.has(word) || ATTRIBUTE_CALLS.has(word) || MAP_FIELDS.has(word) ||
      LOOP_MACROS.has(word) || TYPE_ARG_MACROS.has(word) || ASM_OPERANDS.has(word) || ASM_CLOBBERS.has(word) ||
      OPERATOR_ARG_MACROS.has(word);
    if (!isCandidate) {
      i = j - 1;
      continue;
    }
    if (ATTRIBUTE_WORDS.has(word)) {
      blank(i, j);
      i = j - 1;
      continue;
    }
    if (ASM_CLOBBERS.has(word)) {
      put(i, '"memory"'.padEnd(j - i, ' '));
      i = j - 1;
      continue;
    }
    let open = j;
    while (open < n && isSpace(text.charCodeAt(open))) open++;
    if (text.charCodeAt(open) !== 40) {
      i = j - 1;
      continue;
    }
    // __array(values, struct {...}) and bpf_obj_new(struct { int data; }) hold bodies
    const close = matchParen(text, open, MAP_FIELDS.has(word) || TYPE_ARG_MACROS.has(word));
    if (close < 0) {
      i = j - 1;
      continue;
    }
    if (word === 'offsetof') {
      // tree-sitter-c takes offsetof(type, field) with a plain field only: `ipv4.sport` or
      // `cb[0]` become a 0 standing for the whole expression.
      const args = splitArgs(text, open, close);
      if (args.length === 2 && !/^\s*[A-Za-z_]\w*\s*$/.test(text.slice(args[1][0], args[1][1]))) {
        put(i, '0'.padEnd(close - i, ' '));
      }
      i = close - 1;
      continue;
    }
    if (word === 'SEC' || word === 'private' || ATTRIBUTE_CALLS.has(word)) {
      blank(i, close);
    } else if (MAP_FIELDS.has(word)) {
      maskMapField(text, i, open, close, put, blank);
    } else if (LOOP_MACROS.has(word)) {
      put(i, 'while'.padEnd(j - i, ' '));
    } else if (ASM_OPERANDS.has(word)) {
      blank(i, open);
      put(i, '"i"');
      // __imm_const(name, value): an asm operand holds one expression, so drop `name,`.
      const args = splitArgs(text, open, close);
      if (args.length === 2) blank(args[0][0], args[1][0]);
      // the operand's expression may hold macros too: __imm_const(x, offsetof(struct s, f[0]))
      i = open;
      continue;
    } else if (OPERATOR_ARG_MACROS.has(word)) {
      const args = splitArgs(text, open, close);
      if (args.length === 3) put(args[1][0], '0'.padEnd(args[1][1] - args[1][0], ' '));
    } else {
      for (const [s, e] of splitArgs(text, open, close)) {
        if (TYPE_KEYWORD.test(text.slice(s, e))) put(s, '0'.padEnd(e - s, ' '));
      }
    }
    i = close - 1;
  }
  return out ? decodeUnits(out) : text;
}

function decodeUnits(u: Uint16Array): string {
  const parts: string[] = [];
  for (let k = 0; k < u.length; k += 8192) parts.push(String.fromCharCode.apply(null, u.subarray(k, k + 8192) as unknown as number[]));
  return parts.join('');
}

function maskMapField(
  text: string, start: number, open: number, close: number,
  put: (from: number, s: string) => void, blank: (from: number, to: number) => void,
): void {
  const args = splitArgs(text, open, close);
  const nameMatch = args.length === 2 ? /^\s*([A-Za-z_]\w*)\s*$/.exec(text.slice(args[0][0], args[0][1])) : null;
  if (!nameMatch || open + 1 - start < 5) {
    // Not the libbpf shape: make it `int` followed by blanks, which still ends the field cleanly.
    put(start, 'int');
    blank(start + 3, close);
    return;
  }
  // "__uint(" -> "int  (*" : the keyword becomes int, the '(' stays, a '*' goes just before the name.
  const nameStart = args[0][0] + nameMatch[0].indexOf(nameMatch[1]);
  const nameEnd = nameStart + nameMatch[1].length;
  blank(start, nameStart);
  put(start, 'int');
  put(nameStart - 2, '(*');
  const comma = args[0][1];
  const value = text.slice(args[1][0], args[1][1]);
  const sepLen = value.length - value.trimStart().length + 1; // ',' plus the blanks after it
  // __uint/__ulong values are numbers (kept as the array size); __type/__array values are types.
  const numeric = /^__u(int|long)$/.test(text.slice(start, open).trim());
  const simple = numeric && value.trim() !== '' && SIMPLE_VALUE.test(value) && !TYPE_KEYWORD.test(value);
  if (simple && sepLen >= 2) {
    blank(nameEnd, comma + sepLen);
    put(comma, ')[');
    put(close - 1, ']');
  } else {
    blank(nameEnd, close);
    put(comma, ')');
  }
}
