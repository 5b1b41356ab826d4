// The whole pipeline for one document, in-process: parse, syntax providers, build (clang or an
// object builder), object providers, merge. `bpfls check` uses it; the LSP server runs the same
// stages but spreads them over time (syntax now, build after a debounce, objects in a worker).
import { pathToFileURL } from 'node:url';
import { DocumentSnapshot, type LanguageId } from './document';
import { buildObject, tokenFor, type BuildResult } from './build';
import { mergeFindings, runObjectProviders, runSyntaxProviders } from './pipeline';
import type { DocumentContext } from './registry';
import type { BpflsSettings } from './settings';
import type { Finding } from './types';
import { DocumentParser } from '../parse/document-parser';
import type { CParser } from '../parse/parser';

export interface AnalyzeOptions {
  filePath: string;
  text: string;
  languageId: LanguageId;
  settings: BpflsSettings;
  parser: CParser;
  workspaceRoot?: string;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export interface AnalyzeResult {
  findings: Finding[];
  build: BuildResult;
  /** The context the findings were computed in (for code actions). Call `dispose` when done. */
  ctx: DocumentContext;
  dispose(): void;
}

export function languageForPath(p: string): LanguageId {
  return /\.(s|S|asm|dis|objdump)$/.test(p) ? 'bpf-asm' : 'c';
}

export async function analyzeText(o: AnalyzeOptions): Promise<AnalyzeResult> {
  const doc = new DocumentSnapshot(pathToFileURL(o.filePath).href, o.languageId, 1, o.text);
  const parser = o.languageId === 'c' ? new DocumentParser(o.parser) : undefined;
  const tree = parser?.update(o.text);
  const ctx: DocumentContext = { doc, tree, settings: o.settings };
  const token = tokenFor(o.signal);
  const syntax = runSyntaxProviders(ctx, token);
  const build = await buildObject(ctx, { filePath: o.filePath, workspaceRoot: o.workspaceRoot, signal: o.signal, log: o.log });
  const object = build.elf ? await runObjectProviders({ ...ctx, elf: build.elf, sourcePath: build.sourcePath }, token) : [];
  return {
    findings: mergeFindings(syntax, build.findings, object.filter((f) => !f.hidden), true, o.settings, build.status === 'ok'),
    build,
    ctx,
    dispose: () => parser?.dispose(),
  };
}
