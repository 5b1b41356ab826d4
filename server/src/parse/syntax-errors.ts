// Syntax errors from the tree-sitter tree (ERROR and MISSING nodes), reported within
// milliseconds of an edit, long before clang has run.
import { registerSyntaxProvider, type DocumentContext } from '../analysis/registry';
import type { Finding, RelatedInformation } from '../analysis/types';
import type { SyntaxNode } from './types';

/** Beyond this many, more syntax errors only add noise (clang stops at 20 too). */
const MAX_ERRORS = 30;

const AFTER: Record<string, string> = {
  expression_statement: 'expression',
  declaration: 'declaration',
  field_declaration: 'struct field',
  return_statement: 'return statement',
  break_statement: "'break'",
  continue_statement: "'continue'",
  goto_statement: 'goto statement',
  type_definition: 'typedef',
  do_statement: 'do/while statement',
  struct_specifier: 'struct definition',
  enum_specifier: 'enum definition',
  union_specifier: 'union definition',
};

const NAMED_THING: Record<string, string> = {
  identifier: 'an identifier',
  field_identifier: 'a field name',
  type_identifier: 'a type name',
  primitive_type: 'a type',
  number_literal: 'a number',
  string_literal: 'a string',
};

function quoteToken(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 30 ? `'${one.slice(0, 27)}...'` : `'${one}'`;
}

function firstLeaf(n: SyntaxNode): SyntaxNode {
  let cur = n;
  for (let depth = 0; depth < 1000 && cur.childCount > 0; depth++) {
    const c = cur.child(0);
    if (!c) break;
    cur = c;
  }
  return cur;
}

function missingMessage(n: SyntaxNode): string {
  const parent = n.parent;
  const inExpression = !!parent && /(_expression|argument_list|return_statement|init_declarator|condition_clause)$/.test(parent.type);
  const what = n.isNamed
    ? (n.type === 'identifier' && inExpression ? 'an expression' : (NAMED_THING[n.type] ?? `${n.type.replace(/_/g, ' ')}`))
    : `'${n.type}'`;
  const after = parent ? AFTER[parent.type] : undefined;
  if (after && !n.isNamed) return `expected ${what} after ${after}`;
  return `expected ${what}`;
}

/**
 * Macros #defined in the file itself. Without a preprocessor, tree-sitter cannot know what
 * `TAIL_FUNC(0)` or `list_for_each_entry(n, head, node) {` expand to, so errors on lines using
 * them are left to clang (which reports real ones after its debounce).
 */
function fileMacros(text: string): RegExp | undefined {
  const names = new Set<string>();
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm;
  for (let m = re.exec(text); m && names.size < 2000; m = re.exec(text)) names.add(m[1]);
  return names.size ? new RegExp(`\\b(?:${[...names].join('|')})\\b`) : undefined;
}

/** Whether the error at `at` sits on a line using one of the file's own macros. */
function onMacroLine(text: string, at: number, macros: RegExp | undefined): boolean {
  if (!macros) return false;
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  return macros.test(text.slice(start, end));
}

export function syntaxErrorFindings(ctx: DocumentContext): Finding[] {
  const tree = ctx.tree;
  if (!tree || !tree.rootNode.hasError) return [];
  const { doc } = ctx;
  const text = doc.text;
  const out: Finding[] = [];
  const range = (start: number, end: number) => ({ start: doc.positionAt(start), end: doc.positionAt(end) });
  let macros: RegExp | undefined | null = null;
  const unknowable = (at: number): boolean => {
    if (macros === null) macros = fileMacros(text);
    return onMacroLine(text, at, macros);
  };

  const visit = (n: SyntaxNode): void => {
    if (out.length >= MAX_ERRORS) return;
    if (n.isMissing) {
      if (unknowable(n.startIndex)) return;
      // an unnamed bit-field (`u64 :64;` padding) is C, but tree-sitter-c wants a name
      if (n.type === 'field_identifier' && /^\s*:/.test(text.slice(n.startIndex, n.startIndex + 40))) return;
      const related: RelatedInformation[] = [];
      if (n.type === '}' || n.type === ')' || n.type === ']') {
        const opener = { '}': '{', ')': '(', ']': '[' }[n.type];
        const open = n.parent?.children.find((c) => c?.type === opener);
        if (open) related.push({ range: range(open.startIndex, open.endIndex), message: `to match this '${opener}'` });
      }
      out.push({
        range: range(n.startIndex, n.startIndex),
        severity: 'error',
        code: 'bpfls.syntax-error',
        source: 'bpfls',
        message: missingMessage(n),
        ...(related.length ? { related } : {}),
      });
      return;
    }
    if (n.isError) {
      const leaf = firstLeaf(n);
      const tokenText = text.slice(leaf.startIndex, leaf.endIndex);
      // #if/#else/#endif inside an expression or a parameter list: tree-sitter-c only takes
      // conditionals between statements and declarations; clang sees the real code.
      if (/^#\s*(if|ifdef|ifndef|elif|else|endif)\b/.test(tokenText) || unknowable(leaf.startIndex)) return;
      const oneLine = n.startPosition.row === n.endPosition.row && n.endIndex - n.startIndex <= 80;
      const end = oneLine ? n.endIndex : leaf.endIndex;
      out.push({
        range: range(leaf.startIndex, Math.max(end, leaf.startIndex)),
        severity: 'error',
        code: 'bpfls.syntax-error',
        source: 'bpfls',
        message: tokenText.trim() ? `syntax error: unexpected ${quoteToken(tokenText)}` : 'syntax error',
      });
      return;
    }
    if (!n.hasError) return;
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c) visit(c);
    }
  };
  visit(tree.rootNode);
  return out;
}

registerSyntaxProvider({
  id: 'syntax-errors',
  languages: ['c'],
  provideFindings: (ctx) => syntaxErrorFindings(ctx),
});
