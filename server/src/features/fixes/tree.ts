// Tree access for the lints, on the foundation's backend-neutral SyntaxNode. The server hands
// providers a tree of the masked text (parse/mask.ts: same length, so offsets match the user's
// text); `parseC` builds the same for tests and callers without a server.
import { maskBpfMacros } from '../../parse/mask';
import { cParser, type OwnedTree } from '../../parse/parser';
import type { SyntaxNode, SyntaxTree } from '../../parse/types';
import { LineIndex } from './text';
import type { Range } from './types';

export async function parseC(text: string): Promise<OwnedTree> {
  return (await cParser()).parse(maskBpfMacros(text));
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
