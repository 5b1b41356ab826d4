// BpflsServer glues the components together: document state, the tree-sitter parser, the
// analysis pipeline (syntax providers on every edit; clang and the object providers after a
// debounce, in the background) and the LSP requests. It is the only code that speaks LSP.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import '../analysis/plugins';
import { loadExternalPlugins } from '../analysis/external';
import type { LanguageId } from '../analysis/document';
import { buildObject } from '../analysis/build';
import { matchesAnyGlob } from '../analysis/glob';
import {
  mergeFindings, provideCodeActions, provideCodeLenses, provideCompletions, provideHover, provideSignatureHelp,
  runSyntaxProviders, setPipelineLogger, triggerCharacters,
} from '../analysis/pipeline';
import { objectProviders, serverCommands, type DocumentContext } from '../analysis/registry';
import {
  SEMANTIC_TOKEN_TYPES, encodeSemanticTokens, provideDefinition, provideDocumentSymbols, provideFormatting,
  provideReferences, provideSemanticTokens, setExtraLogger, type DocumentSymbol as BpflsSymbol, type Location as BpflsLocation,
} from '../analysis/registry-extra';
import { normalizeSettings, type BpflsSettings } from '../analysis/settings';
import { neverCancelled, rangesOverlap, type Finding } from '../analysis/types';
import { DocumentParser } from '../parse/document-parser';
import { cParser, type CParser } from '../parse/parser';
import { findClang } from '../toolchain/clang';
import { targetBtfProblem } from '../toolchain/target-btf';
import { AnalysisWorker } from './analysis-worker';
import { toCodeAction, toCodeLens, toCompletionItem, toDiagnostic, toHover, toSignatureHelp } from './convert';
import { DocState } from './documents';

/** Sent after each background analysis pass, so clients and tests can tell when results are final. */
export const ANALYSIS_DONE = 'bpfls/analysisDone';
export interface AnalysisDoneParams {
  uri: string;
  version: number;
  /** build: the compile (or assemble) status; objects: the object providers' status. */
  build: string;
  objects: string;
  ms: number;
}
/** Client -> server: Workspace Trust changed (VS Code grants trust without restarting us). */
export const DID_CHANGE_TRUST = 'bpfls/didChangeTrust';

/** Initialization options a client may send (the VS Code client sends both). */
export interface InitializationOptions {
  settings?: unknown;
  trusted?: boolean;
  /** Milliseconds between the last edit and the compile (default 300). */
  debounceMs?: number;
}

const LANGUAGES: readonly string[] = ['c', 'bpf-asm'];
/** Quiet time after an edit before an unsettled tree is reparsed from scratch. */
const SETTLE_MS = 150;

export class BpflsServer {
  private readonly docs = new Map<string, DocState>();
  /** The settings analyses use: the user's, with an unusable bpfls.targetBtf replaced by the default. */
  private settings!: BpflsSettings;
  /** The settings as the user gave them (normalized). */
  private userSettings!: BpflsSettings;
  /** What is wrong with the user's bpfls.targetBtf, if anything. */
  private targetBtfProblem: string | undefined;
  private trusted: boolean;
  private readonly debounceMs: number;
  private readonly worker: AnalysisWorker;
  private readonly workspaceRoots: string[];
  private readonly caps: ClientCapabilities;
  /** Warnings already shown with window/showMessage since the last settings change. */
  private readonly shownWarnings = new Set<string>();
  /** Problems with the settings themselves, shown at the top of every document bpfls handles. */
  private settingsFindings: Finding[] = [];

  private constructor(
    private readonly connection: Connection,
    private readonly parser: CParser,
    params: InitializeParams,
  ) {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    this.trusted = init.trusted ?? true;
    this.applySettings(normalizeSettings(init.settings, this.trusted));
    this.debounceMs = typeof init.debounceMs === 'number' ? init.debounceMs : 300;
    this.caps = params.capabilities;
    this.workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (this.workspaceRoots.length === 0 && params.rootUri) {
      const r = uriToPath(params.rootUri);
      if (r) this.workspaceRoots.push(r);
    }
    this.worker = new AnalysisWorker((m) => this.log(m));
    setPipelineLogger((m) => this.log(m));
    setExtraLogger((m) => this.log(m));
    for (const e of loadExternalPlugins()) this.log(e);
  }

  /** Creates the server for an `initialize` request (loads the parser once). */
  static async initialize(connection: Connection, params: InitializeParams): Promise<BpflsServer> {
    const parser = await cParser('wasm');
    return new BpflsServer(connection, parser, params);
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: triggerCharacters('completion') },
      signatureHelpProvider: { triggerCharacters: triggerCharacters('signatureHelp') },
      codeActionProvider: { codeActionKinds: ['quickfix', 'refactor', 'source'] },
      codeLensProvider: { resolveProvider: false },
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [] }, full: true },
      // The client registers each of these and forwards it to workspace/executeCommand.
      ...(serverCommands.length ? { executeCommandProvider: { commands: serverCommands.map((c) => c.id) } } : {}),
    };
  }

  initializeResult(): InitializeResult {
    return { capabilities: this.capabilities(), serverInfo: { name: 'bpfls', version: '0.1.0' } };
  }

  /** Binds one handler per LSP method. */
  register(): void {
    const c = this.connection;
    c.onInitialized(() => void this.onInitialized());
    c.onDidOpenTextDocument((p) => {
      const { uri, languageId, version, text } = p.textDocument;
      if (!LANGUAGES.includes(languageId)) return;
      this.docs.get(uri)?.dispose();
      const parser = languageId === 'c' ? new DocumentParser(this.parser) : undefined;
      const st = new DocState(uri, languageId as LanguageId, version, text, parser);
      this.docs.set(uri, st);
      this.runSyntax(st);
      this.scheduleAnalysis(st, 0);
    });
    c.onDidChangeTextDocument((p) => {
      const st = this.docs.get(p.textDocument.uri);
      if (!st) return;
      st.update(p.contentChanges, p.textDocument.version);
      // A newer text makes the running compile and analysis pointless.
      st.controller?.abort();
      st.controller = undefined;
      this.scheduleSyntax(st);
      this.scheduleAnalysis(st, this.debounceMs);
    });
    c.onDidCloseTextDocument((p) => {
      const st = this.docs.get(p.textDocument.uri);
      if (!st) return;
      st.dispose();
      this.docs.delete(p.textDocument.uri);
      void c.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    });
    c.onDidChangeConfiguration((p) => void this.reloadSettings(p.settings));
    c.onNotification(DID_CHANGE_TRUST, (p: { trusted?: boolean }) => {
      this.trusted = p?.trusted === true;
      this.applySettings({ ...this.userSettings, trusted: this.trusted });
      this.shownWarnings.clear();
      void this.checkSettings().catch((e) => this.log(`bpfls: checking settings failed: ${(e as Error).stack ?? e}`));
      this.reanalyzeAll();
    });
    c.onHover((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      if (!ctx) return null;
      const st = this.docs.get(p.textDocument.uri);
      const h = provideHover({ ...ctx, position: p.position, findings: st ? this.findingsOf(st) : [] }, token);
      return h ? toHover(h) : null;
    });
    c.onCompletion((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      if (!ctx) return [];
      return provideCompletions({ ...ctx, position: p.position }, token).map(toCompletionItem);
    });
    c.onSignatureHelp((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      if (!ctx) return null;
      const s = provideSignatureHelp({ ...ctx, position: p.position }, token);
      return s ? toSignatureHelp(s) : null;
    });
    c.onCodeAction((p, token) => {
      const st = this.docs.get(p.textDocument.uri);
      const ctx = this.context(p.textDocument.uri);
      if (!st || !ctx) return [];
      const findings = this.findingsOf(st).filter((f) => rangesOverlap(f.range, p.range));
      return provideCodeActions({ ...ctx, range: p.range, findings }, token).map((a) => toCodeAction(a, p.textDocument.uri));
    });
    c.onCodeLens((p, token) => {
      const st = this.docs.get(p.textDocument.uri);
      const ctx = this.context(p.textDocument.uri);
      if (!st || !ctx) return [];
      return provideCodeLenses({ ...ctx, findings: this.findingsOf(st) }, token).map(toCodeLens);
    });
    const toLocation = (uri: string) => (l: BpflsLocation) => ({ uri: l.uri ?? uri, range: l.range });
    c.onDefinition((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      return ctx ? provideDefinition({ ...ctx, position: p.position }, token).map(toLocation(p.textDocument.uri)) : [];
    });
    c.onReferences((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      if (!ctx) return [];
      const q = { ...ctx, position: p.position, includeDeclaration: p.context.includeDeclaration };
      return provideReferences(q, token).map(toLocation(p.textDocument.uri));
    });
    const toSymbol = (s: BpflsSymbol): unknown => ({
      name: s.name, detail: s.detail, range: s.range, selectionRange: s.selectionRange,
      kind: ({ function: 12, namespace: 3, constant: 14, variable: 13, field: 8, module: 2, object: 19 } as const)[s.kind],
      children: s.children?.map(toSymbol),
    });
    c.onDocumentSymbol((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      return ctx ? (provideDocumentSymbols(ctx, token).map(toSymbol) as never) : [];
    });
    c.onDocumentFormatting((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      return ctx ? provideFormatting({ ...ctx, options: { tabSize: p.options.tabSize, insertSpaces: p.options.insertSpaces } }, token) : [];
    });
    c.languages.semanticTokens.on((p, token) => {
      const ctx = this.context(p.textDocument.uri);
      return { data: ctx ? encodeSemanticTokens(provideSemanticTokens(ctx, token)) : [] };
    });
    c.onExecuteCommand(async (p, token) => {
      const cmd = serverCommands.find((x) => x.id === p.command);
      if (!cmd) throw new Error(`unknown command ${p.command}`);
      const result = await cmd.execute({
        arguments: p.arguments ?? [],
        document: (uri) => {
          const st = this.docs.get(uri);
          const ctx = this.context(uri);
          return st && ctx ? { ...ctx, findings: this.findingsOf(st) } : undefined;
        },
      }, token);
      if (result.detail) this.log(`${p.command}: ${result.message}\n${result.detail}`);
      if (result.error) void c.window.showErrorMessage(result.message);
      else void c.window.showInformationMessage(result.message);
      return result;
    });
    c.onShutdown(async () => {
      for (const st of this.docs.values()) st.dispose();
      this.docs.clear();
      await this.worker.dispose();
    });
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private async onInitialized(): Promise<void> {
    const before = this.userSettings;
    if (this.caps.workspace?.configuration) await this.reloadSettings(undefined);
    // reloadSettings checks settings that changed; the initial ones are checked here
    if (this.userSettings === before) void this.checkSettings().catch((e) => this.log(`bpfls: checking settings failed: ${(e as Error).stack ?? e}`));
  }

  /**
   * Checks the settings that name files (bpfls.clangPath, bpfls.targetBtf): a wrong one would
   * otherwise only show as missing diagnostics. Each problem becomes a warning at the top of every
   * document and one window message per settings change.
   */
  private async checkSettings(): Promise<void> {
    const s = this.userSettings;
    const problems: string[] = [];
    if (s.clangPath && s.trusted) {
      const r = await findClang({ settingPath: s.clangPath, trusted: true });
      // BPFLS_CLANG wins over the setting; its problems are reported by the compile
      if (!r.ok && r.message.startsWith('bpfls.clangPath')) problems.push(`${r.message}. Until then only syntax checks run.`);
    }
    if (s.targetBtf && this.targetBtfProblem) {
      problems.push(`bpfls.targetBtf '${s.targetBtf}' ${this.targetBtfProblem}: bpfls uses /sys/kernel/btf/vmlinux until the setting is fixed`);
    }
    if (this.userSettings !== s) return; // changed again while clang was probed: that check reports
    this.settingsFindings = problems.map((message) => ({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'warning', code: 'bpfls.settings', source: 'bpfls', message,
    }));
    for (const m of problems) this.warnOnce(m);
    for (const st of this.docs.values()) this.publish(st);
  }

  /**
   * Takes new settings. A target BTF that is not a readable BTF file (a directory, /dev/zero, a
   * FIFO, garbage) is replaced by the default before any analysis reads it: readers would block on
   * a device or FIFO. checkSettings reports it.
   */
  private applySettings(next: BpflsSettings): void {
    this.userSettings = next;
    this.targetBtfProblem = next.targetBtf ? targetBtfProblem(next.targetBtf) : undefined;
    this.settings = this.targetBtfProblem ? { ...next, targetBtf: '' } : next;
  }

  /** window/showMessage once per distinct message until the settings change. */
  private warnOnce(message: string): void {
    this.log(`bpfls: ${message}`);
    if (this.shownWarnings.has(message)) return;
    this.shownWarnings.add(message);
    void this.connection.window.showWarningMessage(`bpfls: ${message}`);
  }

  /** Re-reads settings (pulled from the client when it supports it) and re-analyses open documents. */
  private async reloadSettings(pushed: unknown): Promise<void> {
    let raw: unknown;
    if (this.caps.workspace?.configuration) {
      try {
        raw = await this.connection.workspace.getConfiguration({ section: 'bpfls' });
      } catch (e) {
        this.log(`bpfls: could not read settings: ${(e as Error).message}`);
      }
    }
    if (raw === undefined || raw === null) raw = (pushed as { bpfls?: unknown } | undefined)?.bpfls ?? pushed;
    const next = normalizeSettings(raw, this.trusted);
    if (JSON.stringify(next) === JSON.stringify(this.userSettings)) return;
    this.applySettings(next);
    this.shownWarnings.clear();
    void this.checkSettings().catch((e) => this.log(`bpfls: checking settings failed: ${(e as Error).stack ?? e}`));
    this.reanalyzeAll();
  }

  private reanalyzeAll(): void {
    for (const st of this.docs.values()) {
      st.controller?.abort();
      st.syntaxVersion = -1;
      this.runSyntax(st);
      this.scheduleAnalysis(st, 0);
    }
  }

  private workspaceRootFor(file: string): string | undefined {
    return this.workspaceRoots.filter((r) => file === r || file.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  /**
   * Whether bpfls handles this document: bpf-asm always; C files when they match bpfls.files
   * (VS Code's selector already filters, other editors send every C file).
   */
  private inScope(st: DocState): boolean {
    return st.languageId !== 'c' || matchesAnyGlob(st.filePath, this.settings.files, this.workspaceRootFor(st.filePath));
  }

  /** The provider context for a request, with the syntax pass brought up to date first. */
  private context(uri: string): DocumentContext | undefined {
    const st = this.docs.get(uri);
    if (!st || !this.inScope(st)) return undefined;
    if (st.syntaxVersion !== st.version) this.runSyntax(st);
    return { doc: st.snapshot(), tree: st.tree, settings: this.settings };
  }

  private scheduleSyntax(st: DocState): void {
    if (st.syntaxScheduled) return;
    st.syntaxScheduled = true;
    // Coalesces a burst of didChange notifications into one reparse. When passes are slow (huge
    // documents, slow providers), waiting as long as the last pass took keeps the server at most
    // half busy with them during an edit storm, so requests and the final state stay prompt.
    const run = () => {
      st.syntaxScheduled = false;
      if (this.docs.get(st.uri) === st && st.syntaxVersion !== st.version) this.runSyntax(st);
    };
    const delay = st.lastSyntaxMs > 20 ? Math.min(st.lastSyntaxMs, 250) : 0;
    if (delay === 0) setImmediate(run);
    else setTimeout(run, delay);
  }

  /** Reparses and runs the syntax providers (milliseconds), then publishes. */
  private runSyntax(st: DocState): void {
    const doc = st.snapshot();
    if (!this.inScope(st)) {
      st.syntaxFindings = st.buildFindings = st.objectFindings = [];
      st.syntaxVersion = doc.version;
      this.publish(st);
      return;
    }
    const t0 = performance.now();
    st.tree = st.parser?.update(doc.text);
    st.syntaxFindings = runSyntaxProviders({ doc, tree: st.tree, settings: this.settings }, neverCancelled);
    st.syntaxVersion = doc.version;
    const ms = performance.now() - t0;
    st.lastSyntaxMs = ms;
    if (ms > 100) this.log(`bpfls: syntax pass on ${path.basename(st.filePath)} took ${ms.toFixed(0)} ms`);
    this.publish(st);
    clearTimeout(st.settleTimer);
    st.settleTimer = st.parser?.unsettled ? setTimeout(() => this.settle(st), SETTLE_MS) : undefined;
  }

  /**
   * Replaces a tree that incremental parsing left with errors by a fresh parse once edits pause,
   * so the syntax findings are exactly those of opening the text anew.
   */
  private settle(st: DocState): void {
    clearTimeout(st.settleTimer);
    st.settleTimer = undefined;
    if (this.docs.get(st.uri) !== st || !st.parser?.unsettled || st.syntaxVersion !== st.version) return;
    const doc = st.snapshot();
    st.tree = st.parser.settle();
    st.syntaxFindings = runSyntaxProviders({ doc, tree: st.tree, settings: this.settings }, neverCancelled);
    this.publish(st);
  }

  private findingsOf(st: DocState): Finding[] {
    return mergeFindings(st.syntaxFindings, st.buildFindings, st.objectFindings, st.buildVersion === st.version, this.settings, st.buildSucceeded);
  }

  private publish(st: DocState): void {
    if (this.docs.get(st.uri) !== st) return;
    const findings = this.findingsOf(st).filter((f) => !f.hidden);
    if (this.inScope(st)) findings.unshift(...this.settingsFindings);
    const diagnostics = findings.map((f) => toDiagnostic(f, st.uri));
    void this.connection.sendDiagnostics({ uri: st.uri, version: st.version, diagnostics });
  }

  private scheduleAnalysis(st: DocState, delay: number): void {
    clearTimeout(st.debounce);
    if (!this.inScope(st)) return;
    st.debounce = setTimeout(() => {
      st.debounce = undefined;
      void this.analyze(st).catch((e) => this.log(`bpfls: analysis failed: ${(e as Error).stack ?? e}`));
    }, delay);
  }

  /** Compile (or assemble), then run the object providers in the worker; cancelled by newer edits. */
  private async analyze(st: DocState): Promise<void> {
    if (st.syntaxVersion !== st.version) this.runSyntax(st);
    this.settle(st);
    st.controller?.abort();
    const controller = new AbortController();
    st.controller = controller;
    const signal = controller.signal;
    const doc = st.snapshot();
    const version = doc.version;
    const t0 = performance.now();
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    const name = path.basename(st.filePath);
    progress?.begin('bpfls', undefined, `${st.languageId === 'c' ? 'compiling' : 'assembling'} ${name}`);
    let objects = 'skipped';
    let buildStatus = 'cancelled';
    try {
      if (signal.aborted) return;
      const settings = this.settings;
      const root = this.workspaceRootFor(st.filePath);
      if (objectProviders.some((p) => p.languages.includes(st.languageId))) this.worker.warmUp();
      const build = await buildObject(
        { doc, tree: undefined, settings },
        { filePath: st.filePath, workspaceRoot: root, signal, log: (m) => this.log(m) },
      );
      buildStatus = build.status;
      if (signal.aborted || st.version !== version) return;
      if (build.status === 'no-clang') this.reportNoClang(build.message ?? '');
      if (build.status === 'failed') this.log(`bpfls: ${name}: ${build.message}`);
      st.buildFindings = build.findings;
      st.buildVersion = version;
      st.buildSucceeded = build.status === 'ok';
      if (!build.elf) st.objectFindings = [];
      this.publish(st);
      if (!build.elf) return;
      if (!objectProviders.some((p) => p.languages.includes(st.languageId))) return;
      progress?.report(`analysing ${name}`);
      const outcome = await this.worker.run({ doc, settings, elf: build.elf, sourcePath: build.sourcePath, signal });
      objects = outcome.status;
      if (signal.aborted || st.version !== version) return;
      if (outcome.status === 'ok') {
        st.objectFindings = outcome.findings;
        // lenses summarise object findings (emulator runs): ask the client to fetch them again
        if (this.caps.workspace?.codeLens?.refreshSupport) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      }
      else if (outcome.status === 'timeout') {
        st.objectFindings = [{
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'warning', code: 'bpfls.analysis-timeout', source: 'bpfls',
          message: `analysis stopped after ${Math.round(outcome.ms / 1000)} s; results are incomplete`,
        }];
      } else if (outcome.status === 'failed') {
        this.log(`bpfls: ${name}: analysis failed: ${outcome.message}`);
        st.objectFindings = [];
      }
      this.publish(st);
    } finally {
      progress?.done();
      if (st.controller === controller) st.controller = undefined;
      if (!signal.aborted && this.docs.get(st.uri) === st) {
        const done: AnalysisDoneParams = { uri: st.uri, version, build: buildStatus, objects, ms: performance.now() - t0 };
        void this.connection.sendNotification(ANALYSIS_DONE, done);
      }
    }
  }

  private reportNoClang(message: string): void {
    this.warnOnce(`${message}. Until then only syntax checks run.`);
  }
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
