// LSP-free findings and fixes. Positions are zero-based lines and UTF-16 columns, as LSP counts them,
// so the server can hand them over without conversion; nothing here imports LSP code.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** the one action an editor applies on "auto fix" */
  isPreferred?: boolean;
  /** safe to apply without review: `bpfls check --fix` applies these */
  safe?: boolean;
  /** a fix-all action: it edits every finding of its code in the document */
  fixAll?: boolean;
}

export interface FixFinding {
  /** a stable lint code, usable in disable comments and in bpfls.lints.disabled */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes: Fix[];
  /** places worth showing beside the finding (the declaration that caused a callx, ...) */
  related?: { message: string; range: Range; file?: string }[];
  /** diagnostic tags: deprecated code renders struck through */
  deprecated?: boolean;
}

/** The codes this feature reports. */
export const FixCodes = {
  helperPointerDecl: 'bpfls.helper-pointer-decl',
  helperWrongId: 'bpfls.helper-wrong-id',
  deprecatedHelperDecl: 'bpfls.deprecated-helper-decl',
  probeRead: 'bpfls.probe-read',
  untypedMapMember: 'bpfls.untyped-map-member',
  perfbufUsage: 'bpfls.perfbuf-usage',
  unrolledLoop: 'bpfls.unrolled-loop',
  callx: 'bpfls.callx',
  missingKfuncDecl: 'bpfls.missing-kfunc-decl',
  nullCheck: 'bpfls.null-check',
} as const;
