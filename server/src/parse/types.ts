// The syntax tree as providers see it: the subset of the tree-sitter Node API that both
// web-tree-sitter and the native binding offer, so a provider works on either backend.

export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly isError: boolean;
  readonly hasError: boolean;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly children: (SyntaxNode | null)[];
  readonly namedChildren: (SyntaxNode | null)[];
  readonly parent: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly nextNamedSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(fieldName: string): SyntaxNode | null;
  descendantForPosition(start: Point, end?: Point): SyntaxNode | null;
  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): (SyntaxNode | null)[];
}

/** A parsed document. Positions in `Point` are (row, column in bytes of UTF-8 for native, UTF-16 units for wasm). */
export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  /** Which backend produced the tree; positions of non-ASCII text differ between them (see above). */
  readonly backend: 'wasm' | 'native';
}
