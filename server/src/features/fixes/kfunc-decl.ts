// A kfunc called without a declaration (clang: "call to undeclared function 'bpf_x'") gets one
// written from the target kernel's BTF: `extern <prototype> __ksym;`, or `__weak` with a
// bpf_ksym_exists() guard around the call for programs that must load on kernels without it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBtf } from '../../bpf/btf/btf';
import { kfuncsFromBtf, type KfuncProto } from '../../knowledge/kfuncs';
import type { SyntaxNode } from '../../parse/types';
import { findLibbpfHeader } from './libbpf-header';
import { eolOf, replaceSpan } from './text';
import { nodesOfType, type Source } from './tree';
import type { Fix, TextEdit } from './types';

const UNDECLARED = /call to undeclared function '(\w+)'|implicit declaration of function '(\w+)'/;

export function undeclaredFunctionName(message: string): string | undefined {
  const m = UNDECLARED.exec(message);
  return m?.[1] ?? m?.[2];
}

const DEFAULT_BTF = '/sys/kernel/btf/vmlinux';
const cache = new Map<string, Map<string, KfuncProto> | null>();

/** The kfuncs of a kernel BTF file by name (parsed once per path); undefined when unreadable. */
export function targetKfuncs(btfPath = DEFAULT_BTF): Map<string, KfuncProto> | undefined {
  if (!cache.has(btfPath)) {
    let map: Map<string, KfuncProto> | null = null;
    try {
      const { btf } = parseBtf(new Uint8Array(readFileSync(btfPath)));
      if (btf) map = new Map(kfuncsFromBtf(btf).map((k) => [k.name, k]));
    } catch {
      map = null;
    }
    cache.set(btfPath, map);
  }
  return cache.get(btfPath) ?? undefined;
}

/** Kernel-internal typedefs vmlinux BTF uses, spelled as the uapi headers spell them. */
const UAPI_NAMES: Record<string, string> = {
  u8: '__u8', u16: '__u16', u32: '__u32', u64: '__u64', s8: '__s8', s16: '__s16', s32: '__s32', s64: '__s64', bool: '_Bool',
};

function hasVmlinuxH(text: string): boolean {
  return /^\s*#\s*include\s*[<"](?:[\w/]*\/)?vmlinux\.h[>"]/m.test(text);
}

/** The prototype as this file can compile it, plus the struct names it needs declared. */
function prototypeFor(text: string, k: KfuncProto): { proto: string; structs: string[] } {
  if (hasVmlinuxH(text)) return { proto: k.proto, structs: [] };
  const proto = k.proto.replace(/\b(u8|u16|u32|u64|s8|s16|s32|s64|bool)\b/g, (t) => UAPI_NAMES[t]);
  const structs = [...new Set([...proto.matchAll(/\b(struct|union) (\w+)/g)].map((m) => `${m[1]} ${m[2]}`))];
  return { proto, structs };
}

let uapiStructs: Set<string> | undefined;

/** Struct and union names the installed uapi linux/bpf.h defines (read once). */
function uapiBpfStructs(): Set<string> {
  if (!uapiStructs) {
    uapiStructs = new Set();
    for (const dir of ['/usr/include', '/usr/local/include']) {
      try {
        const h = readFileSync(path.join(dir, 'linux', 'bpf.h'), 'utf8');
        for (const m of h.matchAll(/^(struct|union) (\w+) \{/gm)) uapiStructs.add(`${m[1]} ${m[2]}`);
        break;
      } catch {
        // not installed here
      }
    }
  }
  return uapiStructs;
}

/**
 * Structs the prototype names that this file leaves incomplete: libbpf matches an extern's
 * prototype against the kernel's, and refuses a forward declaration where the kernel has a struct.
 */
function incompleteStructs(text: string, structs: string[]): string[] {
  if (!structs.length) return [];
  const uapi = /^\s*#\s*include\s*<linux\/bpf\.h>/m.test(text) ? uapiBpfStructs() : new Set<string>();
  return structs.filter((s) => !uapi.has(s) && !new RegExp(`\\b${s.replace(' ', '\\s+')}\\s*\\{`).test(text));
}

/** After the last top-level #include or #define before the first function: where declarations go. */
function declarationPoint(src: Source): number {
  let at = 0;
  for (const n of src.root.namedChildren) {
    if (!n) continue;
    if (n.type === 'function_definition') break;
    if (n.type === 'preproc_include' || n.type === 'preproc_def' || n.type === 'preproc_function_def') {
      const end = src.end(n);
      // preprocessor nodes end after their newline
      at = src.text[end - 1] === '\n' ? end : src.index.lineEnd(src.index.position(end).line) + 1;
    }
  }
  return Math.min(at, src.text.length);
}

function includesHelpers(text: string): boolean {
  return /^\s*#\s*include\s*[<"](?:bpf\/)?bpf_helpers\.h[>"]/m.test(text);
}

function declarationEdit(src: Source, k: KfuncProto, weak: boolean): { edit: TextEdit; proto: string } {
  const eol = eolOf(src.text);
  const { proto, structs } = prototypeFor(src.text, k);
  const helpers = includesHelpers(src.text);
  const ksym = helpers ? '__ksym' : '__attribute__((section(".ksyms")))';
  const weakAttr = weak ? (helpers ? ' __weak' : ' __attribute__((weak))') : '';
  const lines = [...structs.map((s) => `${s};`), `extern ${proto} ${ksym}${weakAttr};`];
  if (weak && !headerHasKsymExists(src.text)) {
    lines.push('#ifndef bpf_ksym_exists', '#define bpf_ksym_exists(sym) (!!(sym))', '#endif');
  }
  const at = declarationPoint(src);
  const lead = at > 0 && src.text[at - 1] !== '\n' ? eol : '';
  return { edit: replaceSpan(src.index, at, at, `${lead}${lines.join(eol)}${eol}`), proto };
}

function headerHasKsymExists(text: string): boolean {
  if (/#\s*define\s+bpf_ksym_exists\b/.test(text)) return true;
  if (!includesHelpers(text)) return false;
  const header = findLibbpfHeader();
  if (!header) return false;
  try {
    return readFileSync(path.join(header.dir, 'bpf', 'bpf_helpers.h'), 'utf8').includes('bpf_ksym_exists');
  } catch {
    return false;
  }
}

export function kfuncFix(src: Source, name: string, btfPath?: string): Fix | undefined {
  const k = targetKfuncs(btfPath)?.get(name);
  if (!k) return undefined;
  const { edit, proto } = declarationEdit(src, k, false);
  const missing = incompleteStructs(src.text, prototypeFor(src.text, k).structs);
  const caveat = missing.length ? ` (libbpf needs the full ${missing.join(', ')}: include vmlinux.h to load it)` : '';
  return {
    title: `Declare kfunc ${name} from kernel BTF: extern ${proto} __ksym;${caveat}`,
    edits: [edit],
    isPreferred: true,
    safe: !missing.length,
  };
}

/** The statements (directly in a block) calling `name`; undefined when a call sits elsewhere
 * (in a declaration or a condition), where a guard cannot simply wrap it. */
function callStatements(src: Source, name: string): SyntaxNode[] | undefined {
  const out: SyntaxNode[] = [];
  for (const n of nodesOfType(src.root, 'call_expression')) {
    if (n.childForFieldName('function')?.text !== name) continue;
    let s: SyntaxNode | null = n;
    while (s && s.parent && s.parent.type !== 'compound_statement') s = s.parent;
    if (s?.type !== 'expression_statement') return undefined;
    if (!out.some((o) => o.startIndex === s!.startIndex)) out.push(s);
  }
  return out;
}

export function kfuncWeakFix(src: Source, name: string, btfPath?: string): Fix | undefined {
  const k = targetKfuncs(btfPath)?.get(name);
  const stmts = k && callStatements(src, name);
  if (!k || !stmts?.length) return undefined;
  const { edit } = declarationEdit(src, k, true);
  const eol = eolOf(src.text);
  const guards = stmts.map((stmt) => {
    const indent = src.index.indentOf(src.line(stmt));
    const unit = indent.includes('\t') || indent === '' ? '\t' : ' '.repeat(Math.min(indent.length, 4));
    return replaceSpan(src.index, src.start(stmt), src.start(stmt), `if (bpf_ksym_exists(${name}))${eol}${indent}${unit}`);
  });
  const missing = incompleteStructs(src.text, prototypeFor(src.text, k).structs);
  const caveat = missing.length ? ` (libbpf needs the full ${missing.join(', ')}: include vmlinux.h to load it)` : '';
  return {
    title: `Declare kfunc ${name} __weak and call it only when the kernel has it (bpf_ksym_exists)${caveat}`,
    edits: [edit, ...guards],
  };
}
