// The feature inside the shared pipeline, with trees built the way the server builds them
// (parse/document-parser.ts), and the safe fixes `bpfls check --fix` applies (pipeline.safeFixes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/analysis/plugins';
import { DocumentSnapshot } from '../../src/analysis/document';
import { provideCodeActions, runSyntaxProviders, safeFixes } from '../../src/analysis/pipeline';
import { defaultSettings, normalizeSettings } from '../../src/analysis/settings';
import { neverCancelled } from '../../src/analysis/types';
import { DocumentParser } from '../../src/parse/document-parser';
import { cParser } from '../../src/parse/parser';
import { applyEdits } from '../../src/features/fixes/text';
import { FixCodes } from '../../src/features/fixes/types';
import { assertBpflsAccepts, callxInsns, compile, corpus, haveClang, kernelLoad, kernelUnavailable } from './util';

async function context(text: string, settings = defaultSettings) {
  const parser = new DocumentParser(await cParser());
  const doc = new DocumentSnapshot('file:///w/prog.bpf.c', 'c', 1, text);
  return { doc, tree: parser.update(text), settings };
}

test('server-built trees: a declaration after `#define SEC(name) ...` is still found', async () => {
  const ctx = await context(corpus('probe-read-decl.bpf.c'));
  const codes = runSyntaxProviders(ctx, neverCancelled).map((f) => f.code);
  assert.ok(codes.includes(FixCodes.helperPointerDecl), codes.join(', '));
  assert.ok(codes.includes(FixCodes.deprecatedHelperDecl), codes.join(', '));
  // and the code actions see the same declaration
  const f = runSyntaxProviders(ctx, neverCancelled).find((x) => x.code === FixCodes.deprecatedHelperDecl)!;
  const titles = provideCodeActions({ ...ctx, range: f.range, findings: [f] }, neverCancelled).map((a) => a.title);
  assert.ok(titles.some((t) => t.startsWith('Switch to bpf_probe_read_kernel')), titles.join('\n'));
});

test('bpfls.lints.disabled in the pipeline', async () => {
  const settings = normalizeSettings({ 'lints.disabled': ['bpfls.helper-pointer-decl'] });
  const ctx = await context(corpus('helper-decls.bpf.c'), settings);
  assert.ok(!runSyntaxProviders(ctx, neverCancelled).some((f) => f.code === FixCodes.helperPointerDecl));
});

test('safe fixes (check --fix): const declarations and the right ID; builds at -O0 without callx', { skip: haveClang() ? undefined : 'clang-19 not found' }, async (t) => {
  const text = corpus('helper-wrong-id.bpf.c');
  const ctx = await context(text);
  const findings = runSyntaxProviders(ctx, neverCancelled);
  const edits = safeFixes(ctx, findings, neverCancelled);
  const fixed = applyEdits(text, edits);
  assert.match(fixed, /\(\* const bpf_map_update_elem\)\(.*\) = \(void \*\) 2;/);
  // the include fix-all is not safe: it may change prototypes, so --fix leaves the declarations
  assert.doesNotMatch(fixed, /bpf_helpers\.h/);
  const again = runSyntaxProviders(await context(fixed), neverCancelled).filter((f) => String(f.code).startsWith('bpfls.helper'));
  assert.deepEqual(again, []);
  for (const opt of ['-O0', '-O2'] as const) {
    const c = compile(fixed, opt);
    assert.ok(c.ok, c.stderr);
    assert.deepEqual(callxInsns(c.obj!), []);
    await assertBpflsAccepts(c.obj!, opt);
    const why = kernelUnavailable();
    if (why) t.diagnostic(`kernel load skipped: ${why}`);
    else assert.ok(kernelLoad(c.obj!).ok);
  }
});

test('safe fixes leave review-needing ones alone (probe-read successors, perf map types)', async () => {
  const text = corpus('lints.bpf.c');
  const ctx = await context(text);
  const fixed = applyEdits(text, safeFixes(ctx, runSyntaxProviders(ctx, neverCancelled), neverCancelled));
  assert.match(fixed, /\tbpf_probe_read\(/);
  assert.match(fixed, /__type\(key, __u32\);\n\t__type\(value, struct event\);/);
  assert.match(fixed, /BPF_MAP_TYPE_PERF_EVENT_ARRAY\);\n\t__uint\(key_size, sizeof\(int\)\);/);
});
