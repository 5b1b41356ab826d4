// Registers the quick-fix feature with the analysis pipeline: syntax lints on every edit, callx
// findings on compiled objects, and code actions for our findings and for other providers' ones
// (the verifier's `..._or_null` accesses, clang's undeclared kfunc calls).
import {
  registerCodeActionProvider, registerObjectProvider, registerSyntaxProvider,
  type CodeAction, type CodeActionContext, type DocumentContext, type ObjectContext,
} from '../../analysis/registry';
import type { BpflsSettings } from '../../analysis/settings';
import type { Finding } from '../../analysis/types';
import { callxFindings } from './callx';
import { helperDeclFindings, isLibbpfHeader } from './helper-decls';
import { lintFindings } from './lints';
import { findingFixes } from './finding-fixes';
import { filterSuppressed } from './suppress';
import { parseC, Source } from './tree';
import type { SyntaxTree } from '../../parse/types';
import type { Fix, FixFinding } from './types';

/** What a finding carries for its code actions (plain data: it crosses thread boundaries). */
export interface FixData {
  fixes: Fix[];
  deprecated?: boolean;
}

export function toFinding(f: FixFinding): Finding {
  const data: FixData = { fixes: f.fixes, ...(f.deprecated ? { deprecated: true } : {}) };
  return {
    range: f.range,
    severity: f.severity,
    code: f.code,
    source: 'bpfls',
    message: f.message,
    ...(f.related ? { related: f.related.map((r) => ({ range: r.range, message: r.message })) } : {}),
    data,
  };
}

function uriPath(uri: string): string {
  return decodeURIComponent(uri.replace(/^file:\/\//, ''));
}

/** All syntax-level findings of this feature for one document (disable comments applied). */
export function fixFindingsForText(src: Source, uri: string, settings: BpflsSettings): FixFinding[] {
  const fileName = uriPath(uri);
  if (isLibbpfHeader(fileName)) return [];
  const all = [...helperDeclFindings(src, { fileName, includePaths: settings.extraIncludePaths }), ...lintFindings(src)];
  return filterSuppressed(src.text, all, settings.lints.disabled);
}

export function syntaxFindings(ctx: DocumentContext): Finding[] {
  if (!ctx.tree) return [];
  return fixFindingsForText(new Source(ctx.doc.text, ctx.tree), ctx.doc.uri, ctx.settings).map(toFinding);
}

export async function objectFindings(ctx: ObjectContext): Promise<Finding[]> {
  const text = ctx.doc.text;
  const find = (tree: SyntaxTree) =>
    callxFindings(new Source(text, tree), ctx.elf, { sourcePath: ctx.sourcePath, includePaths: ctx.settings.extraIncludePaths });
  let found: FixFinding[];
  if (ctx.tree) found = find(ctx.tree);
  else {
    // the worker may get no tree: parse here, and free the wasm tree afterwards
    const own = await parseC(text);
    try {
      found = find(own);
    } finally {
      own.delete();
    }
  }
  return filterSuppressed(text, found, ctx.settings.lints.disabled).map(toFinding);
}

function isFixData(d: unknown): d is FixData {
  return !!d && typeof d === 'object' && Array.isArray((d as FixData).fixes);
}

export function codeActions(ctx: CodeActionContext): CodeAction[] {
  const out: CodeAction[] = [];
  const seen = new Set<string>();
  const push = (fix: Fix, f: Finding) => {
    // one fix-all may hang off several findings: offer it once
    const key = `${fix.title}\n${JSON.stringify(fix.edits)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({
      title: fix.title,
      kind: 'quickfix',
      edits: fix.edits,
      findings: [f],
      ...(fix.isPreferred ? { isPreferred: true } : {}),
      ...(fix.safe ? { safe: true } : {}),
    });
  };
  for (const f of ctx.findings) {
    if (f.source === 'bpfls' && isFixData(f.data)) {
      for (const fix of f.data.fixes) push(fix, f);
      continue;
    }
    if (!ctx.tree) continue;
    const fixes = findingFixes(new Source(ctx.doc.text, ctx.tree), f);
    for (const fix of fixes) push(fix, f);
  }
  return out;
}

registerSyntaxProvider({ id: 'fixes-lints', languages: ['c'], provideFindings: syntaxFindings });
registerObjectProvider({ id: 'fixes-callx', languages: ['c'], provideFindings: objectFindings });
registerCodeActionProvider({ id: 'fixes-actions', languages: ['c'], provideCodeActions: codeActions });
