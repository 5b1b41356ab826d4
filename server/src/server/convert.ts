// Conversions between the pipeline's LSP-free values and LSP types. The only place that knows both.
import {
  CodeActionKind, CompletionItemKind, CompletionItemTag, DiagnosticSeverity, InsertTextFormat, MarkupKind,
  type CodeAction as LspCodeAction, type CodeLens as LspCodeLens, type CompletionItem as LspCompletionItem,
  type Diagnostic, type Hover as LspHover, type SignatureHelp as LspSignatureHelp,
} from 'vscode-languageserver';
import type { CodeAction, CodeLens, CompletionItem, CompletionKind, Hover, SignatureHelp } from '../analysis/registry';
import type { Finding, Severity, TextEdit } from '../analysis/types';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  const d: Diagnostic = { range: f.range, severity: SEVERITY[f.severity], code: f.code, source: f.source, message: f.message };
  if (f.related?.length) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message }));
  }
  if (f.data !== undefined) d.data = f.data;
  return d;
}

export function toHover(h: Hover): LspHover {
  return { contents: { kind: MarkupKind.Markdown, value: h.contents }, ...(h.range ? { range: h.range } : {}) };
}

const KIND: Record<CompletionKind, CompletionItemKind> = {
  function: CompletionItemKind.Function,
  constant: CompletionItemKind.Constant,
  variable: CompletionItemKind.Variable,
  field: CompletionItemKind.Field,
  keyword: CompletionItemKind.Keyword,
  struct: CompletionItemKind.Struct,
  enumMember: CompletionItemKind.EnumMember,
  snippet: CompletionItemKind.Snippet,
  macro: CompletionItemKind.Constant,
  text: CompletionItemKind.Text,
};

export function toCompletionItem(c: CompletionItem): LspCompletionItem {
  const item: LspCompletionItem = { label: c.label };
  if (c.kind) item.kind = KIND[c.kind];
  if (c.detail) item.detail = c.detail;
  if (c.documentation) item.documentation = { kind: MarkupKind.Markdown, value: c.documentation };
  if (c.sortText) item.sortText = c.sortText;
  if (c.filterText) item.filterText = c.filterText;
  if (c.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
  if (c.range) item.textEdit = { range: c.range, newText: c.insertText ?? c.label };
  else if (c.insertText) item.insertText = c.insertText;
  if (c.deprecated) item.tags = [CompletionItemTag.Deprecated];
  // Edits elsewhere in the document (the knowledge features' `extern ... __ksym;` for a kfunc).
  const extra = (c as CompletionItem & { additionalTextEdits?: TextEdit[] }).additionalTextEdits;
  if (extra?.length) item.additionalTextEdits = extra;
  return item;
}

export function toSignatureHelp(s: SignatureHelp): LspSignatureHelp {
  return {
    activeSignature: s.activeSignature,
    activeParameter: s.activeParameter,
    signatures: s.signatures.map((sig) => ({
      label: sig.label,
      ...(sig.documentation ? { documentation: { kind: MarkupKind.Markdown, value: sig.documentation } } : {}),
      parameters: sig.parameters.map((p) => ({
        label: p.label,
        ...(p.documentation ? { documentation: { kind: MarkupKind.Markdown, value: p.documentation } } : {}),
      })),
    })),
  };
}

const ACTION_KIND = { quickfix: CodeActionKind.QuickFix, refactor: CodeActionKind.Refactor, source: CodeActionKind.Source };

export function toCodeAction(a: CodeAction, uri: string): LspCodeAction {
  return {
    title: a.title,
    kind: ACTION_KIND[a.kind],
    edit: { changes: { [uri]: a.edits } },
    ...(a.findings ? { diagnostics: a.findings.map((f) => toDiagnostic(f, uri)) } : {}),
    ...(a.isPreferred ? { isPreferred: true } : {}),
  };
}

export function toCodeLens(l: CodeLens): LspCodeLens {
  return {
    range: l.range,
    command: { title: l.title, command: l.command?.command ?? '', ...(l.command?.arguments ? { arguments: l.command.arguments } : {}) },
  };
}
