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
  private text = '';
  private masked = '';
  private tree: OwnedTree | undefined;
  private incrementalWithErrors = false;

  constructor(private readonly parser: CParser) {}

  get backend(): 'wasm' | 'native' {
    return this.parser.backend;
  }

  /**
   * The tree for `text`. Nodes index into `text` one to one, but `node.text` shows the masked
   * copy: slice the document's text with startIndex/endIndex for what the user wrote.
   */
  update(text: string): SyntaxTree {
    if (this.tree && text === this.text) return this.tree;
    const masked = maskBpfMacros(text);
    this.text = text;
    if (this.tree) {
      const e = diffEdit(this.masked, masked);
      if (!e) return this.tree;
      this.tree.edit(e);
      const next = this.parser.parse(masked, this.tree);
      this.tree.delete();
      this.tree = next;
      this.incrementalWithErrors = next.rootNode.hasError;
    } else {
      this.tree = this.parser.parse(masked);
      this.incrementalWithErrors = false;
    }
    this.masked = masked;
    return this.tree;
  }

  /**
   * True when the tree came from an incremental parse of text with syntax errors. tree-sitter's
   * error recovery may then shape the ERROR nodes differently from a fresh parse of the same
   * text; `settle()` replaces such a tree with the fresh one (call it when edits pause).
   */
  get unsettled(): boolean {
    return this.incrementalWithErrors;
  }

  /** Reparses the current text from scratch if the tree is unsettled; returns the current tree. */
  settle(): SyntaxTree | undefined {
    if (this.tree && this.incrementalWithErrors) {
      const fresh = this.parser.parse(this.masked);
      this.tree.delete();
      this.tree = fresh;
      this.incrementalWithErrors = false;
    }
    return this.tree;
  }

  /** The current tree (undefined before the first update). */
  get current(): SyntaxTree | undefined {
    return this.tree;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.text = this.masked = '';
  }
}
