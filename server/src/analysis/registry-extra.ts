// More plug-in points, beside ./registry.ts and with the same rules: go to definition, find
// references, document symbols, formatting and semantic tokens. LSP-free; server/src/server
// converts the answers. The run* functions apply each kind's merge rule, guarded per provider.
import type { DocumentContext, PositionContext } from './registry';
import type { CancellationToken, Range, TextEdit } from './types';

interface ProviderBase {
  id: string;
  languages: readonly import('./document').LanguageId[];
}

export interface Location {
  /** Absent: the request's own document. */
  uri?: string;
  range: Range;
}

/** The first non-empty answer wins. */
export interface DefinitionProvider extends ProviderBase {
  provideDefinition(ctx: PositionContext, token: CancellationToken): Location[];
}

/** Answers are concatenated. */
export interface ReferencesProvider extends ProviderBase {
  provideReferences(ctx: PositionContext & { includeDeclaration: boolean }, token: CancellationToken): Location[];
}

export type SymbolKind = 'function' | 'namespace' | 'constant' | 'variable' | 'field' | 'module' | 'object';

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: SymbolKind;
  /** The whole extent (e.g. a section up to the next). */
  range: Range;
  /** The name itself; inside `range`. */
  selectionRange: Range;
  children?: DocumentSymbol[];
}

/** Symbols from all providers are concatenated. */
export interface DocumentSymbolProvider extends ProviderBase {
  provideDocumentSymbols(ctx: DocumentContext, token: CancellationToken): DocumentSymbol[];
}

export interface FormattingOptions {
  tabSize: number;
  insertSpaces: boolean;
}

/** The first provider for the language formats the document. */
export interface FormattingProvider extends ProviderBase {
  provideFormatting(ctx: DocumentContext & { options: FormattingOptions }, token: CancellationToken): TextEdit[];
}

/** The token types every semantic-token provider shares (the LSP legend, in this order). */
export const SEMANTIC_TOKEN_TYPES = [
  'keyword', 'variable', 'number', 'function', 'comment', 'string', 'macro', 'label', 'operator', 'type', 'namespace',
] as const;
export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];

/** One token on one line (tokens never span lines). */
export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: SemanticTokenType;
}

/** The first provider for the language answers. */
export interface SemanticTokensProvider extends ProviderBase {
  provideSemanticTokens(ctx: DocumentContext, token: CancellationToken): SemanticToken[];
}

export const definitionProviders: DefinitionProvider[] = [];
export const referencesProviders: ReferencesProvider[] = [];
export const documentSymbolProviders: DocumentSymbolProvider[] = [];
export const formattingProviders: FormattingProvider[] = [];
export const semanticTokensProviders: SemanticTokensProvider[] = [];

function add<T extends { id: string }>(list: T[], p: T): void {
  const i = list.findIndex((q) => q.id === p.id);
  if (i >= 0) list[i] = p;
  else list.push(p);
}

export function registerDefinitionProvider(p: DefinitionProvider): void { add(definitionProviders, p); }
export function registerReferencesProvider(p: ReferencesProvider): void { add(referencesProviders, p); }
export function registerDocumentSymbolProvider(p: DocumentSymbolProvider): void { add(documentSymbolProviders, p); }
export function registerFormattingProvider(p: FormattingProvider): void { add(formattingProviders, p); }
export function registerSemanticTokensProvider(p: SemanticTokensProvider): void { add(semanticTokensProviders, p); }

let log: (m: string) => void = (m) => process.stderr.write(m + '\n');
export function setExtraLogger(l: (m: string) => void): void { log = l; }

function guarded<T>(id: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    log(`bpfls: provider ${id} failed: ${(e as Error).stack ?? e}`);
    return fallback;
  }
}

const applies = (p: ProviderBase, ctx: DocumentContext) => p.languages.includes(ctx.doc.languageId);

export function provideDefinition(ctx: PositionContext, token: CancellationToken): Location[] {
  for (const p of definitionProviders) {
    if (token.isCancellationRequested || !applies(p, ctx)) continue;
    const r = guarded(p.id, [], () => p.provideDefinition(ctx, token));
    if (r.length) return r;
  }
  return [];
}

export function provideReferences(ctx: PositionContext & { includeDeclaration: boolean }, token: CancellationToken): Location[] {
  return referencesProviders.filter((p) => applies(p, ctx)).flatMap((p) => guarded(p.id, [], () => p.provideReferences(ctx, token)));
}

export function provideDocumentSymbols(ctx: DocumentContext, token: CancellationToken): DocumentSymbol[] {
  return documentSymbolProviders.filter((p) => applies(p, ctx)).flatMap((p) => guarded(p.id, [], () => p.provideDocumentSymbols(ctx, token)));
}

export function provideFormatting(ctx: DocumentContext & { options: FormattingOptions }, token: CancellationToken): TextEdit[] {
  const p = formattingProviders.find((x) => applies(x, ctx));
  return p ? guarded(p.id, [], () => p.provideFormatting(ctx, token)) : [];
}

export function provideSemanticTokens(ctx: DocumentContext, token: CancellationToken): SemanticToken[] {
  const p = semanticTokensProviders.find((x) => applies(x, ctx));
  return p ? guarded(p.id, [], () => p.provideSemanticTokens(ctx, token)) : [];
}

/** LSP's relative encoding of semantic tokens (5 integers per token, sorted by position). */
export function encodeSemanticTokens(tokens: SemanticToken[]): number[] {
  const sorted = [...tokens].sort((a, b) => a.line - b.line || a.character - b.character);
  const out: number[] = [];
  let line = 0;
  let ch = 0;
  let end = 0;
  for (const t of sorted) {
    if (t.length <= 0) continue;
    const dl = t.line - line;
    if (dl === 0 && out.length && t.character < end) continue; // overlapping tokens: keep the first
    const dc = dl === 0 ? t.character - ch : t.character;
    out.push(dl, dc, t.length, SEMANTIC_TOKEN_TYPES.indexOf(t.type), 0);
    line = t.line;
    ch = t.character;
    end = t.character + t.length;
  }
  return out;
}
