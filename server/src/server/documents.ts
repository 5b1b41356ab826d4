// Per-document state in the server: the text (incrementally updated), the tree, and the
// findings of each stage with the version they were computed for.
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { DocumentSnapshot, type LanguageId } from '../analysis/document';
import type { Finding } from '../analysis/types';
import type { DocumentParser } from '../parse/document-parser';
import type { SyntaxTree } from '../parse/types';

/** A filesystem path for a document URI; non-file documents get a stable path in the temp dir. */
export function pathForUri(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      /* fall through */
    }
  }
  const name = decodeURIComponent(uri.replace(/^[a-z-]+:/i, '').split(/[/\\]/).pop() || 'untitled.bpf.c');
  return path.join(os.tmpdir(), 'bpfls-untitled', name.replace(/[^\w.-]/g, '_'));
}

export class DocState {
  private text: TextDocument;
  private snap: DocumentSnapshot | undefined;
  readonly filePath: string;
  tree: SyntaxTree | undefined;
  /** The version `tree` and `syntaxFindings` describe. */
  syntaxVersion = -1;
  syntaxFindings: Finding[] = [];
  buildFindings: Finding[] = [];
  buildVersion = -1;
  /** Whether the build at buildVersion produced an object (clang or the assembler succeeded). */
  buildSucceeded = false;
  objectFindings: Finding[] = [];
  /** Aborts the running compile/analysis of this document. */
  controller: AbortController | undefined;
  debounce: NodeJS.Timeout | undefined;
  /** Pending fresh reparse of a tree that incremental parsing left unsettled (see DocumentParser). */
  settleTimer: NodeJS.Timeout | undefined;
  syntaxScheduled = false;
  /** Duration of the last syntax pass: the next one waits as long (bounds CPU under edit storms). */
  lastSyntaxMs = 0;

  constructor(
    readonly uri: string,
    readonly languageId: LanguageId,
    version: number,
    content: string,
    readonly parser: DocumentParser | undefined,
  ) {
    this.text = TextDocument.create(uri, languageId, version, content);
    this.filePath = pathForUri(uri);
  }

  get version(): number {
    return this.text.version;
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    this.text = TextDocument.update(this.text, changes, version);
    this.snap = undefined;
  }

  snapshot(): DocumentSnapshot {
    this.snap ??= new DocumentSnapshot(this.uri, this.languageId, this.text.version, this.text.getText());
    return this.snap;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    clearTimeout(this.settleTimer);
    this.controller?.abort();
    this.parser?.dispose();
    this.tree = undefined;
  }
}
