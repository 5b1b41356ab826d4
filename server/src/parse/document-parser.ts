// Keeps one document's tree up to date across edits: masks BPF macros (./mask.ts), tells the old
// tree what changed, and reparses incrementally so an edit costs about its own size.
import { maskBpfMacros } from './mask';
import { pointAt, type CParser, type OwnedTree, type TreeEdit } from './parser';
import type { SyntaxTree } from './types';

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** The single edit turning `a` into `b` (common prefix and suffix kept), or null when equal. */
export function diffEdit(a: string, b: string): TreeEdit | null {
  if (a === b) return null;
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && isHighSurrogate(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isHighSurrogate(a.charCodeAt(a.length - s - 1))) s--;
  const oldEnd = a.length - s;
  const newEnd = b.length - s;
  return {
    startIndex: p,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(a, p),
    oldEndPosition: pointAt(a, oldEnd),
    newEndPosition: pointAt(b, newEnd),
  };
}

export class DocumentParser {
  private masked = '';
  private tree: OwnedTree | undefined;

  constructor(private readonly parser: CParser) {}

  get backend(): 'wasm' | 'native' {
    return this.parser.backend;
  }

  /**
   * The tree for `text`. Nodes index into `text` one to one, but `node.text` shows the masked
   * copy: slice the document's text with startIndex/endIndex for what the user wrote.
   */
  update(text: string): SyntaxTree {
    const masked = maskBpfMacros(text);
    if (this.tree) {
      const e = diffEdit(this.masked, masked);
      if (!e) return this.tree;
      this.tree.edit(e);
      const next = this.parser.parse(masked, this.tree);
      this.tree.delete();
      this.tree = next;
    } else {
      this.tree = this.parser.parse(masked);
    }
    this.masked = masked;
    return this.tree;
  }

  /** The current tree (undefined before the first update). */
  get current(): SyntaxTree | undefined {
    return this.tree;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.masked = '';
  }
}
