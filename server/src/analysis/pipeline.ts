// Runs the registered providers for one document. Shared by the LSP server, the analysis worker
// and `bpfls check`, so the editor and the CLI report the same findings.
import {
  codeActionProviders, codeLensProviders, completionProviders, hoverProviders, objectProviders,
  signatureHelpProviders, syntaxProviders,
  type CodeAction, type CodeActionContext, type CodeLens, type CodeLensContext, type CompletionItem, type DocumentContext,
  type Hover, type ObjectContext, type ObjectInput, type PositionContext, type SignatureHelp,
} from './registry';
import { loadObject, type LoadResult } from '../bpf/loader';
import { targetBtfBytes } from './target-btf';
import { runningKernelLoadOptions, runningKernelVerifyOptions } from '../toolchain/running-kernel';
import type { BpflsSettings } from './settings';
import { comparePositions, rangesOverlap, type CancellationToken, type Finding, type TextEdit } from './types';

/** Where provider failures go (the server sends them to the client's output channel). */
export type Logger = (message: string) => void;

let log: Logger = (m) => process.stderr.write(m + '\n');
export function setPipelineLogger(l: Logger): void {
  log = l;
}

function guarded<T>(id: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    log(`bpfls: provider ${id} failed: ${(e as Error).stack ?? e}`);
    return fallback;
  }
}

/** Drops findings whose code the user disabled and applies per-code severity overrides. */
export function filterFindings(findings: Finding[], settings: BpflsSettings): Finding[] {
  const off = settings.lints.disabled;
  const sev = settings.lints.severity ?? {};
  const kept = off.length === 0 ? findings : findings.filter((f) => !off.includes(f.code));
  if (Object.keys(sev).length === 0) return kept;
  return kept.map((f) => (sev[f.code] && sev[f.code] !== f.severity ? { ...f, severity: sev[f.code] as Finding['severity'] } : f));
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => comparePositions(a.range.start, b.range.start) || a.message.localeCompare(b.message));
}

/** Syntax providers slower than this on one edit get one log line (they run on every keystroke). */
const SLOW_SYNTAX_MS = 50;
const reportedSlow = new Set<string>();
/** Providers that have run once: the first call pays for warm-up (JIT, lazy tables) and is not judged. */
const warmedUp = new Set<string>();

export function runSyntaxProviders(ctx: DocumentContext, token: CancellationToken): Finding[] {
  const out: Finding[] = [];
  for (const p of syntaxProviders) {
    if (token.isCancellationRequested) break;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    const t0 = performance.now();
    out.push(...guarded(p.id, [], () => p.provideFindings(ctx, token)));
    const ms = performance.now() - t0;
    if (!warmedUp.has(p.id)) warmedUp.add(p.id);
    else if (ms > SLOW_SYNTAX_MS && !reportedSlow.has(p.id)) {
      reportedSlow.add(p.id);
      log(`bpfls: syntax provider ${p.id} took ${ms.toFixed(0)} ms on ${ctx.doc.lineCount} lines (runs on every edit)`);
    }
  }
  return filterFindings(out, ctx.settings);
}

/** The object providers' context: the input plus a `load()` that loads the object once. */
export function objectContext(input: ObjectInput): ObjectContext {
  let loaded: LoadResult | undefined;
  return {
    ...input,
    load(): LoadResult {
      if (!loaded) {
        const targetBtf = targetBtfBytes(input.settings);
        loaded = loadObject(input.elf, targetBtf ? { targetBtf, ...runningKernelLoadOptions(input.settings.targetBtf) } : {});
      }
      return loaded;
    },
    targetFacts() {
      return targetBtfBytes(input.settings) ? runningKernelVerifyOptions(input.settings.targetBtf).target ?? {} : {};
    },
  };
}

export async function runObjectProviders(input: ObjectInput, token: CancellationToken): Promise<Finding[]> {
  const ctx = objectContext(input);
  const out: Finding[] = [];
  for (const p of objectProviders) {
    if (token.isCancellationRequested) break;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    if (p.enabled && !guarded(p.id, false, () => p.enabled!(ctx.settings))) continue;
    try {
      out.push(...(await p.provideFindings(ctx, token)));
    } catch (e) {
      log(`bpfls: provider ${p.id} failed: ${(e as Error).stack ?? e}`);
    }
  }
  return filterFindings(out, ctx.settings);
}

export function provideHover(ctx: PositionContext, token: CancellationToken): Hover | undefined {
  for (const p of hoverProviders) {
    if (token.isCancellationRequested) return undefined;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    const h = guarded(p.id, undefined, () => p.provideHover(ctx, token));
    if (h && h.contents) return h;
  }
  return undefined;
}

export function provideCompletions(ctx: PositionContext, token: CancellationToken): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const p of completionProviders) {
    if (token.isCancellationRequested) break;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    out.push(...guarded(p.id, [], () => p.provideCompletions(ctx, token)));
  }
  return out;
}

export function provideSignatureHelp(ctx: PositionContext, token: CancellationToken): SignatureHelp | undefined {
  for (const p of signatureHelpProviders) {
    if (token.isCancellationRequested) return undefined;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    const s = guarded(p.id, undefined, () => p.provideSignatureHelp(ctx, token));
    if (s && s.signatures.length > 0) return s;
  }
  return undefined;
}

export function provideCodeActions(ctx: CodeActionContext, token: CancellationToken): CodeAction[] {
  const out: CodeAction[] = [];
  for (const p of codeActionProviders) {
    if (token.isCancellationRequested) break;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    out.push(...guarded(p.id, [], () => p.provideCodeActions(ctx, token)));
  }
  return out;
}

export function provideCodeLenses(ctx: CodeLensContext, token: CancellationToken): CodeLens[] {
  const out: CodeLens[] = [];
  for (const p of codeLensProviders) {
    if (token.isCancellationRequested) break;
    if (!p.languages.includes(ctx.doc.languageId)) continue;
    out.push(...guarded(p.id, [], () => p.provideCodeLenses(ctx, token)));
  }
  return out;
}

/** Trigger characters declared by completion or signature-help providers, for the capabilities. */
export function triggerCharacters(kind: 'completion' | 'signatureHelp'): string[] {
  const list = kind === 'completion' ? completionProviders : signatureHelpProviders;
  return [...new Set(list.flatMap((p) => p.triggerCharacters ?? []))];
}

/**
 * The safe fixes `bpfls check --fix` applies: for each finding, the first safe action that
 * claims it, skipping any whose edits overlap an already chosen edit.
 */
export function safeFixes(ctx: DocumentContext, findings: Finding[], token: CancellationToken): TextEdit[] {
  const chosen: TextEdit[] = [];
  for (const f of findings) {
    const actions = provideCodeActions({ ...ctx, range: f.range, findings: [f] }, token);
    const fix = actions.find((a) => a.safe && a.edits.length > 0);
    if (!fix) continue;
    if (fix.edits.some((e) => chosen.some((c) => rangesOverlap(c.range, e.range)))) continue;
    chosen.push(...fix.edits);
  }
  return chosen;
}

/** Applies non-overlapping edits to text (offsets from `offsetAt` of the original text). */
export function applyEdits(text: string, edits: TextEdit[], offsetAt: (p: TextEdit['range']['start']) => number): string {
  const sorted = edits
    .map((e) => ({ start: offsetAt(e.range.start), end: offsetAt(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/**
 * The findings the user sees for one document: syntax findings, then the build's (clang or
 * assembler), then the object providers'. When the build is for the current text, a tree-sitter
 * syntax error on a line where clang also reports an error is dropped (clang says it better),
 * and when that build succeeded all of them are: clang saw the preprocessed text, so what
 * tree-sitter could not parse was a macro or a preprocessor branch, not a mistake.
 */
export function mergeFindings(
  syntax: Finding[], build: Finding[], object: Finding[], buildIsCurrent: boolean, settings: BpflsSettings, buildSucceeded = false,
): Finding[] {
  let syn = syntax;
  if (buildIsCurrent && buildSucceeded) {
    syn = syntax.filter((f) => f.code !== 'bpfls.syntax-error');
  } else if (buildIsCurrent) {
    const clangErrorLines = new Set(build.filter((f) => f.severity === 'error').map((f) => f.range.start.line));
    syn = syntax.filter((f) => f.code !== 'bpfls.syntax-error' || !clangErrorLines.has(f.range.start.line));
  }
  return sortFindings(filterFindings([...syn, ...build, ...object], settings));
}
