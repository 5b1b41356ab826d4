// Hand-written helper declarations: `static void *(*bpf_map_lookup_elem)(void *, const void *) = (void *) 1;`
// The pointer is a variable, so without optimisation clang loads it from .data and calls through
// the register (`callx`), which the verifier refuses. With `* const` (libbpf >= 1.4 writes it so)
// clang folds the constant and emits `call 1` at every optimisation level.
import type { SyntaxNode as Node } from '../../parse/types';
import { deleteLines, eolOf, replaceSpan } from './text';
import { nodesOfType, type Source } from './tree';
import { findLibbpfHeader } from './libbpf-header';
import { helperId, helperName, successorsOf } from './successors';
import { FixCodes, type Fix, type FixFinding, type TextEdit } from './types';

export interface HelperPointerDecl {
  /** the whole declaration statement */
  decl: Node;
  name: string;
  nameNode: Node;
  /** the `(* name)` pointer declarator; its first child is the `*` */
  pointer: Node;
  isConst: boolean;
  /** the number or BPF_FUNC_* identifier in the initialiser */
  idNode: Node;
  /** the helper ID the initialiser holds, when it names one */
  id: number | undefined;
}

function unwrapParens(n: Node | null): Node | null {
  while (n && n.type === 'parenthesized_expression') n = n.namedChild(0);
  return n;
}

export function parseCInteger(text: string): number | undefined {
  const t = text.replace(/[uUlL]+$/, '');
  if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(t)) return undefined;
  const v = /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
  return Number.isSafeInteger(v) ? v : undefined;
}

function helperIdOfInit(value: Node | null): { idNode: Node; id: number | undefined } | undefined {
  let v = unwrapParens(value);
  const cast = v?.type === 'cast_expression';
  if (cast) v = unwrapParens(v!.childForFieldName('value'));
  if (!v) return undefined;
  if (v.type === 'number_literal') {
    // `= 0` and `= (void *) 0` are null function pointers, not helpers
    const id = parseCInteger(v.text);
    return cast && id !== 0 ? { idNode: v, id } : undefined;
  }
  if (v.type === 'identifier' && v.text.startsWith('BPF_FUNC_')) return { idNode: v, id: helperId(`bpf_${v.text.slice(9)}`) };
  return undefined;
}

/** `(*name)(params)` or `*(*name)(params)`: the pointer declarator naming a function pointer. */
function functionPointerOf(declarator: Node | null): { pointer: Node; nameNode: Node } | undefined {
  let d = declarator;
  while (d && d.type === 'pointer_declarator' && d.childForFieldName('declarator')?.type !== 'identifier') {
    d = d.childForFieldName('declarator');
  }
  if (d?.type !== 'function_declarator') return undefined;
  const paren = d.childForFieldName('declarator');
  if (paren?.type !== 'parenthesized_declarator') return undefined;
  const pointer = paren.namedChildren.find((c) => c?.type === 'pointer_declarator');
  const nameNode = pointer?.childForFieldName('declarator');
  if (!pointer || nameNode?.type !== 'identifier') return undefined;
  return { pointer, nameNode };
}

export function findHelperPointerDecls(src: Source): HelperPointerDecl[] {
  const out: HelperPointerDecl[] = [];
  // only function-pointer declarators matter: `(*name)(` or `(* const name)(`; without one in
  // the text, skip walking the whole tree (this runs on every edit)
  if (!/\(\s*\*[\s\w]*\)\s*\(/.test(src.text)) return out;
  for (const init of nodesOfType(src.root, 'init_declarator')) {
    const n = init.parent;
    if (n?.type !== 'declaration') continue;
    const fp = functionPointerOf(init.childForFieldName('declarator'));
    const idInfo = fp && helperIdOfInit(init.childForFieldName('value'));
    if (!fp || !idInfo) continue;
    const isConst = fp.pointer.children.some((c) => c?.type === 'type_qualifier' && c.text === 'const');
    out.push({ decl: n, name: fp.nameNode.text, nameNode: fp.nameNode, pointer: fp.pointer, isConst, ...idInfo });
  }
  return out;
}

export const HELPERS_INCLUDE = '#include <bpf/bpf_helpers.h>';

/** The edit adding `#include <bpf/bpf_helpers.h>`, or undefined when the file already has it. */
export function helpersIncludeEdit(src: Source, beforeLine: number): TextEdit | undefined {
  const { index } = src;
  const includes = src.root.namedChildren.filter((c): c is Node => c?.type === 'preproc_include');
  if (includes.some((i) => /<bpf\/bpf_helpers\.h>|"bpf_helpers\.h"/.test(i.text))) return undefined;
  const eol = eolOf(index.text);
  const before = includes.filter((i) => src.line(i) < beforeLine);
  if (before.length) {
    // a preproc_include node ends after its newline: insert at the start of the next line
    const last = before[before.length - 1];
    const line = index.position(src.end(last) - 1).line + 1;
    const at = line < index.lineCount ? index.starts[line] : index.text.length;
    const lead = at === index.text.length && !index.text.endsWith('\n') ? eol : '';
    return replaceSpan(index, at, at, `${lead}${HELPERS_INCLUDE}${eol}`);
  }
  // No include to follow: the helper definitions need the kernel's fixed-width types first.
  const at = index.starts[Math.min(beforeLine, index.lineCount - 1)];
  return replaceSpan(index, at, at, `#include <linux/types.h>${eol}${HELPERS_INCLUDE}${eol}`);
}

/** Removes a node: its whole lines when it stands alone on them, else just its text. */
export function removeNode(src: Source, node: Node): TextEdit {
  const { index } = src;
  const first = index.position(src.start(node));
  const last = index.position(src.end(node));
  const head = index.lineText(first.line).slice(0, first.character);
  const tail = index.lineText(last.line).slice(last.character);
  if (/^\s*$/.test(head) && /^\s*(\/\/.*)?$/.test(tail)) return deleteLines(index, first.line, last.line);
  return replaceSpan(index, src.start(node), src.end(node), '');
}

function constFix(src: Source, d: HelperPointerDecl): Fix {
  const star = d.pointer.child(0)!;
  const at = src.end(star);
  const spaced = /\s/.test(src.text[at] ?? '');
  return {
    title: `Declare '${d.name}' as '* const' so clang calls the helper directly at every -O level`,
    edits: [replaceSpan(src.index, at, at, spaced ? ' const' : ' const ')],
    isPreferred: true,
    safe: true,
  };
}

/** Every identifier in the file spelled `name` (declaration and call sites), for renames. */
export function identifiersNamed(src: Source, name: string): Node[] {
  const out: Node[] = [];
  for (const n of nodesOfType(src.root, 'identifier')) if (n.text === name) out.push(n);
  return out;
}

export function isLibbpfHeader(fileName: string): boolean {
  return /(^|[\\/])bpf_helper_defs\.h$|(^|[\\/])bpf[\\/]bpf_helpers\.h$/.test(fileName);
}

export const O0_EXPLANATION =
  'is a variable, so without optimisation (-O0) clang loads it and calls through a register (callx), which the verifier rejects';

/** The include fix: removes every hand-written declaration of a libbpf helper name (including
 * the header makes each of them a redefinition) and adds the include once. */
export function includeFix(src: Source, decls: HelperPointerDecl[], includePaths: readonly string[] = []): Fix | undefined {
  const replaceable = decls.filter((d) => helperId(d.name) !== undefined);
  if (!replaceable.length) return undefined;
  const firstLine = Math.min(...replaceable.map((d) => src.line(d.decl)));
  const inc = helpersIncludeEdit(src, firstLine);
  const header = findLibbpfHeader(includePaths);
  // libbpf < 1.4 declares its helpers without const: the include alone does not fix -O0 builds
  const caveat = header && !header.isConst ? ` (libbpf ${header.version ?? '< 1.4'} here: -O0 builds need libbpf >= 1.4)` : '';
  return {
    title:
      (replaceable.length === 1
        ? `Remove the hand-written declaration of '${replaceable[0].name}' and use ${HELPERS_INCLUDE}`
        : `Remove all ${replaceable.length} hand-written helper declarations and use ${HELPERS_INCLUDE}`) + caveat,
    edits: [...replaceable.map((d) => removeNode(src, d.decl)), ...(inc ? [inc] : [])],
    fixAll: replaceable.length > 1,
  };
}

/** The fixes offered wherever a non-const hand-written declaration causes trouble. */
export function pointerDeclFixes(src: Source, d: HelperPointerDecl, all: HelperPointerDecl[], includePaths: readonly string[] = []): Fix[] {
  const fixes = [constFix(src, d)];
  const inc = helperId(d.name) !== undefined ? includeFix(src, all, includePaths) : undefined;
  if (inc) fixes.push(inc);
  return fixes;
}

export function helperDeclFindings(src: Source, opts: { fileName?: string; includePaths?: readonly string[] } = {}): FixFinding[] {
  if (opts.fileName && isLibbpfHeader(opts.fileName)) return [];
  const decls = findHelperPointerDecls(src);
  const { index } = src;
  const findings: FixFinding[] = [];
  for (const d of decls) {
    const expected = helperId(d.name);
    if (!d.isConst) {
      findings.push({
        code: FixCodes.helperPointerDecl,
        severity: 'warning',
        message:
          `Hand-written helper pointer '${d.name}' ${O0_EXPLANATION}. ` +
          `Declare it '* const' (as libbpf >= 1.4 does) or include <bpf/bpf_helpers.h>.`,
        range: src.range(d.nameNode),
        fixes: pointerDeclFixes(src, d, decls, opts.includePaths),
      });
    }
    if (expected !== undefined && d.id !== undefined && d.id !== expected) {
      const actual = helperName(d.id);
      findings.push({
        code: FixCodes.helperWrongId,
        severity: 'error',
        message:
          `'${d.name}' is helper ${expected} (BPF_FUNC_${d.name.slice(4)}), but this pointer holds ${d.id}` +
          (actual ? `, the ID of ${actual}` : ', which names no helper') +
          ': every call through it runs the wrong helper.',
        range: src.range(d.idNode),
        fixes: [
          {
            title: `Use helper ID ${expected} (${d.name})`,
            edits: [replaceSpan(index, src.start(d.idNode), src.end(d.idNode), String(expected))],
            isPreferred: true,
            safe: true,
          },
        ],
      });
    }
    const successors = successorsOf(d.name);
    if (successors.length) {
      const fixes: Fix[] = [];
      for (const s of successors) {
        const sid = s.id;
        const alreadyDeclared = decls.some((o) => o.name === s.name);
        const edits: TextEdit[] = [];
        for (const n of identifiersNamed(src, d.name)) {
          if (n.startIndex === d.nameNode.startIndex && alreadyDeclared) continue;
          edits.push(replaceSpan(index, src.start(n), src.end(n), s.name));
        }
        if (alreadyDeclared) edits.push(removeNode(src, d.decl));
        else edits.push(replaceSpan(index, src.start(d.idNode), src.end(d.idNode), String(sid)));
        fixes.push({ title: `Switch to ${s.name} (helper ${sid}), right when ${s.when}`, edits });
      }
      findings.push({
        code: FixCodes.deprecatedHelperDecl,
        severity: 'warning',
        message: `${d.name} is superseded by ${successors.map((s) => s.name).join(' and ')}; pick the one matching where the pointer points.`,
        range: src.range(d.nameNode),
        fixes,
        deprecated: true,
      });
    }
  }
  return findings;
}
