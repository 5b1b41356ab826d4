// The analysis pipeline's plug-in points. A feature registers itself with one call from its own
// module, and adds one import line to ./plugins.ts so the server, the worker thread and
// `bpfls check` all load it. Inputs and outputs are LSP-free; server/src/server converts them.
//
// Rules for providers:
// - Never throw on bad input (the pipeline catches and logs, but a throw loses your findings).
// - Poll `token.isCancellationRequested` in long loops and return early when it is set.
// - Syntax, hover, completion, signature-help, code-action and code-lens providers run on the
//   main thread on every request: keep them to milliseconds. Object providers run in a worker.
import type { DocumentSnapshot, LanguageId } from './document';
import type { BpflsSettings } from './settings';
import type { CancellationToken, Finding, Position, Range, TextEdit } from './types';
import type { SyntaxTree } from '../parse/types';
import type { LoadResult } from '../bpf/loader';
import type { TargetFacts } from '../bpf/verifier/target';

/** What every provider receives about the document. */
export interface DocumentContext {
  doc: DocumentSnapshot;
  /** tree-sitter-c tree for `c` documents; undefined for `bpf-asm` (asm providers parse themselves). */
  tree: SyntaxTree | undefined;
  settings: BpflsSettings;
}

interface ProviderBase {
  /** Unique, stable name used in logs and timings, e.g. 'kfunc-lints'. */
  id: string;
  /** Languages this provider handles. */
  languages: readonly LanguageId[];
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

/** Fast lints on every edit (tree-sitter tree or raw text). Must finish in a few milliseconds. */
export interface SyntaxProvider extends ProviderBase {
  provideFindings(ctx: DocumentContext, token: CancellationToken): Finding[];
}

export interface ObjectContext extends DocumentContext {
  /** The ELF object clang produced from `doc.text` (`-target bpf -O2 -g`). */
  elf: Uint8Array;
  /** Path of the source as clang saw it (DWARF/BTF line info names it). */
  sourcePath: string;
  /**
   * The object as libbpf would load it against the settings' target BTF (CO-RE, kfuncs), loaded
   * once per compile on first use and shared by every object provider.
   */
  load(): LoadResult;
  /**
   * Facts about the target kernel the verifier needs (nr_cpu_ids, its configuration): read from the
   * running kernel when the settings' target BTF is its own, else empty (the verifier's defaults).
   */
  targetFacts?(): TargetFacts;
}

/** What the callers of the object providers supply; the pipeline adds the shared `load()`. */
export type ObjectInput = Omit<ObjectContext, 'load'>;

/**
 * Runs after a successful compile, in the analysis worker thread (verifier, emulator, ...).
 * May be async; is cancelled (token set, then the worker killed after a grace period) when the
 * document changes. Findings must be plain data (they cross a thread boundary).
 */
export interface ObjectProvider extends ProviderBase {
  /** Skip when the user turned this analysis off, e.g. `(s) => s.analyses.verify`. */
  enabled?(settings: BpflsSettings): boolean;
  provideFindings(ctx: ObjectContext, token: CancellationToken): Finding[] | Promise<Finding[]>;
}

/**
 * Builds the ELF object for a language clang does not compile (the BPF assembler for `bpf-asm`),
 * after the same debounce as clang; its findings are shown like clang's, and a returned object
 * goes to the object providers. The first builder for a language wins.
 */
export interface ObjectBuilder extends ProviderBase {
  build(ctx: DocumentContext, token: CancellationToken): ObjectBuild | Promise<ObjectBuild>;
}

export interface ObjectBuild {
  elf?: Uint8Array;
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------
// Editor features (main thread, per request)

export interface PositionContext extends DocumentContext {
  position: Position;
  /** The findings currently known for the document (object providers' included), when known. */
  findings?: Finding[];
}

export interface Hover {
  /** Markdown. */
  contents: string;
  range?: Range;
}

/** Returns undefined when it has nothing to say; the first non-empty answer wins (registration order). */
export interface HoverProvider extends ProviderBase {
  provideHover(ctx: PositionContext, token: CancellationToken): Hover | undefined;
}

export type CompletionKind =
  | 'function' | 'constant' | 'variable' | 'field' | 'keyword' | 'struct' | 'enumMember' | 'snippet' | 'macro' | 'text';

export interface CompletionItem {
  label: string;
  kind?: CompletionKind;
  /** One line shown beside the label, e.g. a prototype. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Text to insert (defaults to label); `${1:arg}` placeholders when `snippet` is true. */
  insertText?: string;
  snippet?: boolean;
  sortText?: string;
  filterText?: string;
  /** Replaces this range instead of the word at the cursor. */
  range?: Range;
  deprecated?: boolean;
}

/** Items from all providers are concatenated. */
export interface CompletionProvider extends ProviderBase {
  triggerCharacters?: string[];
  provideCompletions(ctx: PositionContext, token: CancellationToken): CompletionItem[];
}

export interface SignatureInformation {
  label: string;
  documentation?: string;
  /** Each parameter as a substring of `label` or [start, end) offsets into it. */
  parameters: { label: string | [number, number]; documentation?: string }[];
}

export interface SignatureHelp {
  signatures: SignatureInformation[];
  activeSignature: number;
  activeParameter: number;
}

/** The first non-empty answer wins. */
export interface SignatureHelpProvider extends ProviderBase {
  triggerCharacters?: string[];
  provideSignatureHelp(ctx: PositionContext, token: CancellationToken): SignatureHelp | undefined;
}

export interface CodeActionContext extends DocumentContext {
  range: Range;
  /** The findings (from any provider) that overlap `range`, with their `data` intact. */
  findings: Finding[];
}

export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'refactor' | 'source';
  /** Edits to this document. */
  edits: TextEdit[];
  /** The findings this action fixes. */
  findings?: Finding[];
  isPreferred?: boolean;
  /**
   * True when applying the edit cannot change behaviour the user relies on: `bpfls check --fix`
   * applies these (only the first safe action per finding, and never overlapping edits).
   */
  safe?: boolean;
}

/** Actions from all providers are concatenated. */
export interface CodeActionProvider extends ProviderBase {
  provideCodeActions(ctx: CodeActionContext, token: CancellationToken): CodeAction[];
}

export interface CodeLens {
  range: Range;
  title: string;
  /** A command the client runs on click (contributed in package.json), with JSON arguments. */
  command?: { command: string; arguments?: unknown[] };
}

export interface CodeLensContext extends DocumentContext {
  /** The findings currently shown for the document (object providers' included), when known. */
  findings?: Finding[];
}

/** Lenses from all providers are concatenated. */
export interface CodeLensProvider extends ProviderBase {
  provideCodeLenses(ctx: CodeLensContext, token: CancellationToken): CodeLens[];
}

// ---------------------------------------------------------------------------------------------
// Commands (code lenses and code actions name them; the client forwards them to the server)

export interface CommandContext {
  /** The arguments the code lens or action gave the command. */
  arguments: unknown[];
  /** An open document's current context and findings (undefined when not open). */
  document(uri: string): (DocumentContext & { findings: Finding[] }) | undefined;
}

export interface CommandResult {
  /** One line the editor shows as a notification. */
  message: string;
  /** Longer text for the output channel (e.g. a trace). */
  detail?: string;
  /** Error results are shown as errors. */
  error?: boolean;
}

/** A server-side command, e.g. 'bpfls.runProgram'; ids must be unique. Runs on the main thread. */
export interface ServerCommand {
  id: string;
  execute(ctx: CommandContext, token: CancellationToken): CommandResult | Promise<CommandResult>;
}

// ---------------------------------------------------------------------------------------------
// Registries

export const syntaxProviders: SyntaxProvider[] = [];
export const objectProviders: ObjectProvider[] = [];
export const objectBuilders: ObjectBuilder[] = [];
export const hoverProviders: HoverProvider[] = [];
export const completionProviders: CompletionProvider[] = [];
export const signatureHelpProviders: SignatureHelpProvider[] = [];
export const codeActionProviders: CodeActionProvider[] = [];
export const codeLensProviders: CodeLensProvider[] = [];
export const serverCommands: ServerCommand[] = [];

function add<T extends { id: string }>(list: T[], p: T): void {
  // Re-registration (a module evaluated twice, e.g. in tests) replaces the earlier one.
  const i = list.findIndex((q) => q.id === p.id);
  if (i >= 0) list[i] = p;
  else list.push(p);
}

export function registerSyntaxProvider(p: SyntaxProvider): void { add(syntaxProviders, p); }
export function registerObjectProvider(p: ObjectProvider): void { add(objectProviders, p); }
export function registerObjectBuilder(p: ObjectBuilder): void { add(objectBuilders, p); }
export function registerHoverProvider(p: HoverProvider): void { add(hoverProviders, p); }
export function registerCompletionProvider(p: CompletionProvider): void { add(completionProviders, p); }
export function registerSignatureHelpProvider(p: SignatureHelpProvider): void { add(signatureHelpProviders, p); }
export function registerCodeActionProvider(p: CodeActionProvider): void { add(codeActionProviders, p); }
export function registerCodeLensProvider(p: CodeLensProvider): void { add(codeLensProviders, p); }
export function registerCommand(c: ServerCommand): void { add(serverCommands, c); }
