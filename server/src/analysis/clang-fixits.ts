// Offers clang's own fix-it hints (e.g. "insert ';'") as quick fixes. Fix-its that only insert or
// replace punctuation are marked safe, so `bpfls check --fix` applies them.
import { registerCodeActionProvider, type CodeAction } from './registry';
import type { ClangFindingData } from '../toolchain/diagnostics';

const PUNCTUATION = /^[\s;,(){}[\]\->.]*$/;

registerCodeActionProvider({
  id: 'clang-fixits',
  languages: ['c'],
  provideCodeActions(ctx) {
    const out: CodeAction[] = [];
    for (const f of ctx.findings) {
      const edits = (f.data as Partial<ClangFindingData> | undefined)?.clangFixits;
      if (f.source !== 'clang' || !Array.isArray(edits) || edits.length === 0) continue;
      const describe = edits.length === 1 && edits[0].newText
        ? (edits[0].range.start.line === edits[0].range.end.line && edits[0].range.start.character === edits[0].range.end.character
          ? `insert '${edits[0].newText}'` : `replace with '${edits[0].newText}'`)
        : 'apply clang fix-it';
      out.push({
        title: `Fix: ${describe} (clang)`,
        kind: 'quickfix',
        edits,
        findings: [f],
        isPreferred: true,
        safe: edits.every((e) => PUNCTUATION.test(e.newText) && PUNCTUATION.test(ctx.doc.getText(e.range))),
      });
    }
    return out;
  },
});
