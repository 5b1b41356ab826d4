// Tree access for the lints, on the foundation's backend-neutral SyntaxNode. The server hands
// providers a tree of the masked text (parse/mask.ts: same length, so offsets match the user's
// text); `parseC` builds the same for tests and callers without a server.
import { maskBpfMacros } from '../../parse/mask';
import { cParser, type CParser, type OwnedTree } from '../../parse/parser';
import type { SyntaxNode, SyntaxTree } from '../../parse/types';
import { LineIndex } from './text';
import type { Range } from './types';

export async function parseC(text: string): Promise<OwnedTree> {
  return (await cParser()).parse(maskOutsideDirectives(text));
}

let loaded: CParser | undefined;
void cParser().then(
  (p) => (loaded = p),
  () => undefined,
);

/**
 * Runs `use` on a tree of `text` whose preprocessor lines are intact. The server's tree masks
 * macros inside #define lines too (`#define SEC(name) ...` loses its name and swallows the next
 * lines); only then, and only once the parser is loaded, this parses again synchronously.
 */
export function withDirectiveSafeTree<T>(text: string, tree: SyntaxTree, use: (t: SyntaxTree) => T): T {
  if (!loaded || !hasBrokenDefine(tree)) return use(tree);
  const own = loaded.parse(maskOutsideDirectives(text));
  try {
    return use(own);
  } finally {
    own.delete();
  }
}

/** A #define whose name is not on its own line: its macro name was masked away. */
function hasBrokenDefine(tree: SyntaxTree): boolean {
  for (const d of nodesOfType(tree.rootNode, ['preproc_def', 'preproc_function_def'])) {
    const name = d.childForFieldName('name');
    if (!name || name.startPosition.row !== d.startPosition.row) return true;
  }
  return false;
}

/**
 * maskBpfMacros, but preprocessor lines keep their text: masking `SEC(name)` inside
 * `#define SEC(name) ...` leaves a nameless #define that swallows the following lines.
 */
export function maskOutsideDirectives(text: string, masked = maskBpfMacros(text)): string {
  if (masked === text) return text;
  const parts: string[] = [];
  let at = 0;
  const directive = /^[ \t]*#(?:[^\n]*\\\r?\n)*[^\n]*/gm;
  for (let m = directive.exec(text); m; m = directive.exec(text)) {
    parts.push(masked.slice(at, m.index), m[0]);
    at = m.index + m[0].length;
    if (m[0].length === 0) directive.lastIndex++;
  }
  parts.push(masked.slice(at));
  return parts.join('');
}

/** Every node of a subtree, preorder, bounded so a pathological file cannot stall the server. */
export function* walk(root: SyntaxNode, limit = 1_000_000): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [root];
  let n = 0;
  while (stack.length && n++ < limit) {
    const node = stack.pop()!;
    yield node;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const c = node.child(i);
      if (c) stack.push(c);
    }
  }
}

/** Descendants of the given types, in document order (tree-sitter's own traversal: fast). */
export function nodesOfType(root: SyntaxNode, types: string | string[]): SyntaxNode[] {
  return root.descendantsOfType(types).filter((n): n is SyntaxNode => n !== null);
}

export function ancestor(node: SyntaxNode, type: string): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === type) return p;
  return null;
}

/**
 * A document's text, line index and tree together. Both backends index nodes in UTF-16 code
 * units when parsing a JavaScript string (measured: web-tree-sitter and node tree-sitter 0.25
 * give the same startIndex after non-ASCII text), so node offsets are string offsets.
 */
export class Source {
  readonly index: LineIndex;

  constructor(readonly text: string, readonly tree: SyntaxTree) {
    this.index = new LineIndex(text);
  }

  get root(): SyntaxNode {
    return this.tree.rootNode;
  }

  start(n: SyntaxNode): number {
    return n.startIndex;
  }

  end(n: SyntaxNode): number {
    return n.endIndex;
  }

  range(n: SyntaxNode): Range {
    return this.index.range(this.start(n), this.end(n));
  }

  line(n: SyntaxNode): number {
    return this.index.position(this.start(n)).line;
  }
}
