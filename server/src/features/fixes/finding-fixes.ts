// Fixes for findings other providers report:
// - the verifier's `invalid mem access '..._or_null'`: insert the NULL check after the lookup;
// - clang's "call to undeclared function 'bpf_x'" for a kfunc: declare it from the target BTF;
// - the knowledge lints' deprecated kfunc/helper calls: rename to the successor when it takes
//   the same arguments.
import type { Finding } from '../../analysis/types';
import type { SyntaxNode } from '../../parse/types';
import { kfuncFix, kfuncWeakFix, targetKfuncs, undeclaredFunctionName } from './kfunc-decl';
import { helperByName } from '../../knowledge/helpers';
import { removeNode } from './helper-decls';
import { eolOf, replaceSpan } from './text';
import { nodesOfType, walk, type Source } from './tree';
import type { Fix } from './types';

export const OR_NULL_ACCESS = /invalid mem access '(\w+_or_null)'/;

/** Functions whose result the verifier treats as possibly NULL. */
const MAYBE_NULL_CALL = /lookup|_get$|storage_get|ringbuf_reserve|_acquire$|obj_new|_from_id|_find|kptr_xchg|dynptr_data|_cast$/;

function enclosingFunction(src: Source, line: number): SyntaxNode | undefined {
  for (const n of src.root.namedChildren) {
    if (n?.type !== 'function_definition') continue;
    const first = src.line(n);
    const last = src.index.position(src.end(n)).line;
    if (first <= line && line <= last) return n;
  }
  return undefined;
}

/** The section a function is placed in by SEC("...") just before it (SEC is masked in the tree). */
export function sectionOf(src: Source, fn: SyntaxNode): string | undefined {
  const body = fn.childForFieldName('body');
  const headEnd = body ? src.start(body) : src.end(fn);
  // SEC("x") may sit on the two lines above the function, outside its node; never look past
  // the previous top-level node
  const prev = fn.previousSibling;
  const from = Math.max(prev ? src.end(prev) : 0, src.index.starts[Math.max(0, src.line(fn) - 2)]);
  const head = src.text.slice(from, headEnd);
  return /\bSEC\s*\(\s*"([^"]*)"\s*\)/.exec(head)?.[1];
}

function hasInclude(text: string, re: RegExp): boolean {
  return new RegExp(`^\\s*#\\s*include\\s*[<"](?:${re.source})[>"]`, 'm').test(text);
}

/** A return value that lets the packet or event through, per program type. */
export function safeReturnValue(section: string | undefined, text: string): string {
  const s = (section ?? '').replace(/^\?/, '');
  const uapiEnums = hasInclude(text, /linux\/bpf\.h|vmlinux\.h/) || /\bXDP_PASS\b/.test(text);
  if (/^xdp/.test(s)) return uapiEnums ? 'XDP_PASS' : '2 /* XDP_PASS */';
  if (/^(tc|tcx|classifier|action|netkit)\b/.test(s)) {
    const named = hasInclude(text, /linux\/pkt_cls\.h/) || /#\s*define\s+TC_ACT_OK\b/.test(text);
    return named ? 'TC_ACT_OK' : '0 /* TC_ACT_OK */';
  }
  if (/^(sk_skb|sk_msg|sk_lookup|sk_reuseport)/.test(s)) return uapiEnums ? 'SK_PASS' : '1 /* SK_PASS */';
  // cgroup programs return 1 to allow the operation
  if (/^cgroup/.test(s) || s === 'sockops') return '1';
  return '0';
}

function returnStatement(src: Source, fn: SyntaxNode): string {
  const type = fn.childForFieldName('type');
  const decl = fn.childForFieldName('declarator');
  if (decl?.type === 'pointer_declarator') return 'return NULL;';
  if (type?.type === 'primitive_type' && type.text === 'void') return 'return;';
  const section = sectionOf(src, fn);
  return `return ${section ? safeReturnValue(section, src.text) : '0'};`;
}

/** Identifiers the line dereferences: `v->f`, `*v`, `v[i]`, `v.f` is not a pointer use. */
function dereferencedNames(src: Source, fn: SyntaxNode, line: number): string[] {
  const names: string[] = [];
  for (const n of walk(fn)) {
    if (src.line(n) !== line) continue;
    let target: SyntaxNode | null = null;
    if (n.type === 'field_expression' && n.child(1)?.type === '->') target = n.childForFieldName('argument');
    else if (n.type === 'pointer_expression' && n.child(0)?.type === '*') target = n.childForFieldName('argument');
    else if (n.type === 'subscript_expression') target = n.childForFieldName('argument');
    while (target?.type === 'parenthesized_expression') target = target.namedChild(0);
    if (target?.type === 'identifier' && !names.includes(target.text)) names.push(target.text);
  }
  // also plain uses (passed on, assigned from): the access may be in an inlined callee
  for (const n of walk(fn)) {
    if (src.line(n) === line && n.type === 'identifier' && !names.includes(n.text)) names.push(n.text);
  }
  return names;
}

interface Assignment {
  /** the statement to insert the check after */
  stmt: SyntaxNode;
  name: string;
  call: string;
}

/** The last statement before `line` that stores a call's result in `name`. */
function lastAssignment(src: Source, fn: SyntaxNode, name: string, line: number): Assignment | undefined {
  let best: Assignment | undefined;
  for (const n of walk(fn)) {
    if (src.line(n) > line) continue;
    let value: SyntaxNode | null = null;
    if (n.type === 'init_declarator') {
      let d = n.childForFieldName('declarator');
      while (d && d.type === 'pointer_declarator') d = d.childForFieldName('declarator');
      if (d?.type === 'identifier' && d.text === name) value = n.childForFieldName('value');
    } else if (n.type === 'assignment_expression' && n.child(1)?.type === '=') {
      const left = n.childForFieldName('left');
      if (left?.type === 'identifier' && left.text === name) value = n.childForFieldName('right');
    }
    while (value?.type === 'cast_expression') value = value.childForFieldName('value');
    while (value?.type === 'parenthesized_expression') value = value.namedChild(0);
    if (value?.type !== 'call_expression') continue;
    let stmt: SyntaxNode | null = n;
    while (stmt && stmt.type !== 'declaration' && stmt.type !== 'expression_statement') stmt = stmt.parent;
    if (!stmt || src.line(stmt) > line || stmt.parent?.type !== 'compound_statement') continue;
    const call = value.childForFieldName('function')?.text ?? '';
    if (!best || src.start(stmt) > src.start(best.stmt)) best = { stmt, name, call };
  }
  return best;
}

export function nullCheckFix(src: Source, line: number, kind: string): Fix | undefined {
  const fn = enclosingFunction(src, line);
  if (!fn) return undefined;
  const candidates: Assignment[] = [];
  for (const name of dereferencedNames(src, fn, line)) {
    const a = lastAssignment(src, fn, name, line);
    if (a) candidates.push(a);
  }
  const pick = candidates.find((c) => MAYBE_NULL_CALL.test(c.call)) ?? candidates[0];
  if (!pick) return undefined;
  const stmtLine = src.line(pick.stmt);
  const indent = src.index.indentOf(stmtLine);
  const unit = indent.includes('\t') || indent === '' ? '\t' : ' '.repeat(Math.min(indent.length, 4));
  const eol = eolOf(src.text);
  const at = src.end(pick.stmt);
  const check = `${eol}${indent}if (!${pick.name})${eol}${indent}${unit}${returnStatement(src, fn)}`;
  return {
    title: `Check '${pick.name}' (from ${pick.call}()) for NULL before using it`,
    edits: [replaceSpan(src.index, at, at, check)],
    isPreferred: true,
    // `kind` names what the verifier saw (map_value_or_null, ...); the check is right for all
    safe: kind.endsWith('_or_null'),
  };
}

/** Fixes for a finding another provider made (verifier, clang), if we have any. */
export function findingFixes(src: Source, f: Finding): Fix[] {
  const orNull = OR_NULL_ACCESS.exec(f.message);
  if (orNull) {
    const fix = nullCheckFix(src, f.range.start.line, orNull[1]);
    return fix ? [fix] : [];
  }
  if (f.code === 'bpfls.kfunc-deprecated' || f.code === 'bpfls.helper-deprecated') {
    const name = /^(\w+)/.exec(src.index.text.slice(src.index.offset(f.range.start), src.index.offset(f.range.end)))?.[1];
    const d = f.data as { successor?: unknown; successors?: unknown } | undefined;
    const successors = Array.isArray(d?.successors) ? d.successors : typeof d?.successor === 'string' ? [d.successor] : [];
    if (!name) return [];
    return successors
      .filter((s): s is string => typeof s === 'string' && /^\w+$/.test(s))
      .map((s) => renameFix(src, name, s, f.code === 'bpfls.kfunc-deprecated'))
      .filter((x): x is Fix => !!x);
  }
  const kfunc = undeclaredFunctionName(f.message);
  if (kfunc) {
    const strong = kfuncFix(src, kfunc);
    const weak = kfuncWeakFix(src, kfunc);
    return [strong, weak].filter((x): x is Fix => !!x);
  }
  return [];
}

/** Arguments at each call of `name` in the file (undefined when calls disagree). */
function callArity(src: Source, name: string): number | undefined {
  let n: number | undefined;
  for (const c of nodesOfType(src.root, 'call_expression')) {
    if (c.childForFieldName('function')?.text !== name) continue;
    const k = c.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment').length ?? 0;
    if (n !== undefined && n !== k) return undefined;
    n = k;
  }
  return n;
}

/** The extern declaration of a function in this file, if any. */
function externDecl(src: Source, name: string): SyntaxNode | undefined {
  for (const n of src.root.namedChildren) {
    if (n?.type !== 'declaration') continue;
    for (const d of walk(n)) {
      if (d.type === 'function_declarator' && d.childForFieldName('declarator')?.text === name) return n;
    }
  }
  return undefined;
}

/** Renames calls (and the file's own declaration) of a deprecated function to its successor,
 * when the successor takes as many arguments as the calls pass. */
function renameFix(src: Source, from: string, to: string, isKfunc: boolean): Fix | undefined {
  const arity = callArity(src, from);
  if (arity === undefined) return undefined;
  const params = isKfunc ? targetKfuncs()?.get(to)?.params.length : helperByName(to)?.args.length;
  if (params === undefined || params !== arity) return undefined;
  if (!isKfunc) {
    const old = helperByName(from);
    if (old && old.args.length !== params) return undefined;
  }
  const edits = [];
  const successorDeclared = externDecl(src, to) !== undefined;
  const oldDecl = externDecl(src, from);
  for (const n of nodesOfType(src.root, 'identifier')) {
    if (n.text !== from) continue;
    if (successorDeclared && oldDecl && src.start(n) >= src.start(oldDecl) && src.end(n) <= src.end(oldDecl)) continue;
    edits.push(replaceSpan(src.index, src.start(n), src.end(n), to));
  }
  if (successorDeclared && oldDecl) edits.push(removeNode(src, oldDecl));
  return { title: `Replace ${from} with ${to}`, edits, isPreferred: true, safe: isKfunc };
}
