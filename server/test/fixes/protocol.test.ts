// The fixes through plain LSP: diagnostics from `bpfls lsp --stdio`, textDocument/codeAction
// answers (kind quickfix, isPreferred, a WorkspaceEdit), the edit applied client-side the way an
// editor does, and the diagnostics clearing afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';
import { applyEdits } from '../../src/features/fixes/text';
import type { TextEdit } from '../../src/features/fixes/types';
import { corpus, haveClang } from './util';

interface LspCodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  diagnostics?: Diagnostic[];
  edit?: { changes?: Record<string, TextEdit[]> };
}

function tmpFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-fixes-proto-'));
  return path.join(dir, name);
}

async function codeActions(c: LspTestClient, uri: string, d: Diagnostic): Promise<LspCodeAction[]> {
  return c.request<LspCodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d], only: ['quickfix'] },
  });
}

function editOf(a: LspCodeAction, uri: string): TextEdit[] {
  const edits = a.edit?.changes?.[uri];
  assert.ok(edits?.length, `action '${a.title}' edits ${uri}`);
  return edits;
}

test('helper pointer declaration: diagnostic, quick fixes over LSP, clean after applying', async () => {
  const file = tmpFile('decls.bpf.c');
  const uri = fileUri(file);
  const c = await LspTestClient.start({ debounceMs: 50, settings: { analyses: { compile: false } } });
  try {
    let text = corpus('helper-decls.bpf.c');
    c.open(uri, text);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.helper-pointer-decl'), { version: 1 });
    const decl = diags.filter((x) => x.code === 'bpfls.helper-pointer-decl');
    assert.equal(decl.length, 2);
    assert.equal(decl[0].severity, 2);
    assert.match(decl[0].message, /callx/);
    const actions = await codeActions(c, uri, decl[0]);
    assert.ok(actions.every((a) => a.kind === 'quickfix'));
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => t.includes("'* const'")), titles.join('\n'));
    assert.ok(titles.some((t) => t.includes('Remove all 2 hand-written helper declarations')), titles.join('\n'));
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1);
    assert.match(preferred[0].title, /'\* const'/);

    // the fix-all: one action removes both declarations and adds the include
    const all = actions.find((a) => a.title.includes('Remove all'))!;
    text = applyEdits(text, editOf(all, uri));
    c.change(uri, 2, [{ text }]);
    // the server may publish version 2 in more than one pass (throttled syntax passes)
    const after = await c.waitForDiagnostics(uri, (d) => !d.some((x) => String(x.code).startsWith('bpfls.helper')), { version: 2 });
    assert.deepEqual(after.filter((x) => String(x.code).startsWith('bpfls.helper')), []);
    assert.equal(text.match(/#include <bpf\/bpf_helpers\.h>/g)?.length, 1);
  } finally {
    await c.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('lints: disabled by setting and by comment over LSP', async () => {
  const file = tmpFile('lints.bpf.c');
  const uri = fileUri(file);
  const c = await LspTestClient.start({
    debounceMs: 50,
    settings: { analyses: { compile: false }, lints: { disabled: ['bpfls.perfbuf-usage'] } },
  });
  try {
    const text = corpus('lints.bpf.c').replace('\tbpf_probe_read(', '\t// bpfls-disable-next-line probe-read\n\tbpf_probe_read(');
    c.open(uri, text);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.untyped-map-member'), { version: 1 });
    const codes = new Set(diags.map((d) => d.code));
    assert.ok(codes.has('bpfls.unrolled-loop'));
    assert.ok(!codes.has('bpfls.perfbuf-usage'), 'disabled by setting');
    assert.ok(!codes.has('bpfls.probe-read'), 'disabled by comment');
    const hint = diags.find((d) => d.code === 'bpfls.unrolled-loop')!;
    assert.equal(hint.severity, 4);
    const untyped = diags.find((d) => d.code === 'bpfls.untyped-map-member')!;
    const [a] = await codeActions(c, uri, untyped);
    assert.equal(a.title, 'Use __type(key, __u32)');
    assert.equal(a.isPreferred, true);
  } finally {
    await c.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('-O0 build (bpfls.extraFlags): callx diagnostic at the call site with the const fix', { skip: haveClang() ? undefined : 'clang-19 not found' }, async () => {
  const file = tmpFile('o0.bpf.c');
  const uri = fileUri(file);
  const c = await LspTestClient.start({ debounceMs: 50, settings: { extraFlags: ['-O0'], analyses: { verify: false, run: false } } });
  try {
    const text = corpus('helper-decls.bpf.c');
    fs.writeFileSync(file, text);
    c.open(uri, text);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.callx'), { version: 1, timeoutMs: 60_000 });
    const callx = diags.filter((x) => x.code === 'bpfls.callx').sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(callx.map((d) => d.range.start.line), [21, 27]);
    assert.equal(callx[0].severity, 1);
    assert.match(callx[0].message, /'bpf_map_lookup_elem'.*hand-written declaration of 'bpf_map_lookup_elem' on line 8/);
    const actions = await codeActions(c, uri, callx[0]);
    const constFix = actions.find((a) => a.isPreferred)!;
    assert.match(constFix.title, /'\* const'/);
    const fixed = applyEdits(text, editOf(constFix, uri));
    assert.match(fixed, /\(\* const bpf_map_lookup_elem\)/);
  } finally {
    await c.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('undeclared kfunc: clang\'s diagnostic gets the extern declaration over LSP', { skip: haveClang() ? undefined : 'clang-19 not found' }, async (t) => {
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return t.skip('no kernel BTF');
  const file = tmpFile('kfunc.bpf.c');
  const uri = fileUri(file);
  const c = await LspTestClient.start({ debounceMs: 50, settings: { analyses: { verify: false, run: false } } });
  try {
    const text = corpus('kfunc-undeclared.bpf.c');
    fs.writeFileSync(file, text);
    c.open(uri, text);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => /undeclared function 'bpf_rcu_read_lock'/.test(x.message)), { version: 1, timeoutMs: 60_000 });
    const d = diags.find((x) => /undeclared function 'bpf_rcu_read_lock'/.test(x.message))!;
    const actions = await codeActions(c, uri, d);
    const decl = actions.find((a) => a.title.startsWith('Declare kfunc bpf_rcu_read_lock from kernel BTF'));
    assert.ok(decl?.isPreferred, actions.map((a) => a.title).join('\n'));
    assert.ok(actions.some((a) => a.title.includes('__weak')));
    const fixed = applyEdits(text, editOf(decl, uri));
    assert.match(fixed, /extern void bpf_rcu_read_lock\(void\) __ksym;\n/);
  } finally {
    await c.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('verifier finding over LSP: the NULL-check quick fix', { skip: haveClang() ? undefined : 'clang-19 not found' }, async (t) => {
  await import('../../src/analysis/plugins.js');
  const { objectProviders } = await import('../../src/analysis/registry.js');
  if (!objectProviders.some((p) => /verif/.test(p.id))) return t.skip('no verifier object provider is registered yet');
  const file = tmpFile('nullcheck.bpf.c');
  const uri = fileUri(file);
  const c = await LspTestClient.start({ debounceMs: 50, settings: { analyses: { run: false } } });
  try {
    const text = corpus('null-check-xdp.bpf.c');
    fs.writeFileSync(file, text);
    c.open(uri, text);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => /invalid mem access 'map_value_or_null'/.test(x.message)), { version: 1, timeoutMs: 60_000 });
    const v = diags.find((x) => /invalid mem access 'map_value_or_null'/.test(x.message))!;
    assert.equal(v.range.start.line, 18);
    const actions = await codeActions(c, uri, v);
    const check = actions.find((a) => a.title.startsWith("Check 'value'"));
    assert.ok(check?.isPreferred, actions.map((a) => a.title).join('\n'));
    assert.match(applyEdits(text, editOf(check, uri)), /\tif \(!value\)\n\t\treturn XDP_PASS;\n/);
  } finally {
    await c.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
