// LSP-free value types shared by the language server, `bpfls check` and every analysis provider.
// Positions are 0-based (line, UTF-16 character), like LSP, so the server converts nothing but names.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Where a finding came from: our own analyses, the user's compiler, or the kernel. */
export type FindingSource = 'bpfls' | 'clang' | 'verifier' | 'kernel' | 'emulator' | 'tree-sitter' | (string & {});

export interface RelatedInformation {
  range: Range;
  message: string;
  /** Another document; absent means the finding's own document. */
  uri?: string;
}

/** One diagnostic, as the editor and `bpfls check` show it. */
export interface Finding {
  range: Range;
  severity: Severity;
  /** Stable identifier, e.g. 'bpfls.kfunc-unstable'; users disable lints by it (bpfls.lints.disabled). */
  code: string;
  source: FindingSource;
  message: string;
  related?: RelatedInformation[];
  /** Opaque payload a code-action provider reads back (must survive JSON and structured clone). */
  data?: unknown;
  /** Not shown as a diagnostic: carries facts from the worker for hovers (e.g. verifier states). */
  hidden?: boolean;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** LSP-free cancellation: poll `isCancellationRequested` inside long loops. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

export const neverCancelled: CancellationToken = { isCancellationRequested: false };

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}
