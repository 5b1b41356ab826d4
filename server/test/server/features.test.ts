// Editor features and object providers through the protocol, with providers added by a
// BPFLS_PLUGINS module: conversions to LSP, code actions from clang fix-its, and cancellation of
// object providers in the worker (cooperative, and by terminating a worker that ignores it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';
import { findClang } from '../../src/toolchain/clang';

let dir = '';
let plugin = '';
let clangMissing = '';

before(async () => {
  const r = await findClang({ trusted: true });
  if (!r.ok) clangMissing = r.message;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-features-'));
  plugin = path.join(dir, 'test-plugin.js');
  fs.writeFileSync(plugin, `
const fs = require('fs');
const path = require('path');
const dir = ${JSON.stringify(dir)};
const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } };
exports.activate = (api) => {
  api.registerHoverProvider({ id: 'test-hover', languages: ['c', 'bpf-asm'],
    provideHover: (ctx) => ctx.doc.text.includes('HOVERME') ? { contents: '**hover** at line ' + ctx.position.line, range: zero } : undefined });
  api.registerCompletionProvider({ id: 'test-completion', languages: ['c'], triggerCharacters: ['@'],
    provideCompletions: () => [{ label: 'bpf_test_item', kind: 'function', detail: 'long bpf_test_item(int x)',
      documentation: 'A *test* item.', insertText: 'bpf_test_item(\${1:x})', snippet: true }] });
  api.registerSignatureHelpProvider({ id: 'test-signature', languages: ['c'], triggerCharacters: ['('],
    provideSignatureHelp: () => ({ signatures: [{ label: 'f(int a, int b)', parameters: [{ label: 'int a' }, { label: [9, 14] }] }], activeSignature: 0, activeParameter: 1 }) });
  api.registerCodeLensProvider({ id: 'test-lens', languages: ['c'],
    provideCodeLenses: () => [{ range: zero, title: 'Run', command: { command: 'bpfls.test', arguments: [1] } }] });
  api.registerCommand({ id: 'bpfls.test.echo',
    execute: (ctx) => {
      const d = ctx.document(ctx.arguments[0]);
      return { message: 'echo ' + ctx.arguments[1] + ' on ' + (d ? d.doc.lineCount + ' lines' : 'no document'), detail: 'details' };
    } });
  api.registerObjectProvider({ id: 'test-object', languages: ['c'],
    async provideFindings(ctx, token) {
      const text = ctx.doc.text;
      if (text.includes('STUCK')) {
        fs.writeFileSync(path.join(dir, 'stuck-started'), '');
        const end = Date.now() + 20000;
        while (Date.now() < end) { /* ignores the token on purpose */ }
        return [];
      }
      if (text.includes('SLOWOBJ')) {
        fs.writeFileSync(path.join(dir, 'slow-started'), '');
        while (!token.isCancellationRequested) await new Promise((r) => setTimeout(r, 10));
        fs.writeFileSync(path.join(dir, 'slow-cancelled'), '');
        return [];
      }
      console.log('stray output from a provider in the worker');
      return [{ range: zero, severity: 'information', code: 'test.object', source: 'bpfls',
        message: 'object of ' + ctx.elf.length + ' bytes, ELF magic ' + (ctx.elf[1] === 0x45) + ', tree ' + (ctx.tree ? ctx.tree.rootNode.type : 'none') }];
    } });
};
`);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function start() {
  return LspTestClient.start({ debounceMs: 30, env: { BPFLS_PLUGINS: plugin } });
}

const PROG = 'int f(void) { return 0; }\n';

test('hover, completion, signature help and code lenses reach the client as LSP', async () => {
  const c = await start();
  try {
    const uri = fileUri(path.join(dir, 'feat.bpf.c'));
    c.open(uri, '// HOVERME\n' + PROG);
    const init = c; // capabilities were negotiated in start(); check trigger characters via a request below
    const hover = await init.request<{ contents: { kind: string; value: string }; range: unknown }>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 4 } });
    assert.deepEqual(hover.contents, { kind: 'markdown', value: '**hover** at line 1' });
    const items = await c.request<{ label: string; kind: number; insertTextFormat: number; documentation: { value: string } }[]>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 0 } });
    const item = items.find((i) => i.label === 'bpf_test_item')!;
    assert.equal(item.kind, 3);
    assert.equal(item.insertTextFormat, 2);
    assert.equal(item.documentation.value, 'A *test* item.');
    const sig = await c.request<{ activeParameter: number; signatures: { parameters: { label: unknown }[] }[] }>('textDocument/signatureHelp', { textDocument: { uri }, position: { line: 1, character: 6 } });
    assert.equal(sig.activeParameter, 1);
    assert.deepEqual(sig.signatures[0].parameters[1].label, [9, 14]);
    const lenses = await c.request<{ command: { title: string; command: string; arguments: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.find((l) => l.command.title === 'Run')?.command, { title: 'Run', command: 'bpfls.test', arguments: [1] });
  } finally {
    await c.stop();
  }
});

test('object providers run on the compiled object in the worker', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const c = await start();
  try {
    const uri = fileUri(path.join(dir, 'obj.bpf.c'));
    c.open(uri, PROG);
    const done = await c.waitForAnalysis(uri, 1);
    assert.equal(done.objects, 'ok');
    const d = c.diagnostics.get(uri)!.diagnostics.find((x) => x.code === 'test.object');
    assert.ok(d, JSON.stringify(c.diagnostics.get(uri)));
    assert.match(d.message, /^object of \d+ bytes, ELF magic true, tree translation_unit$/);
    assert.deepEqual(c.protocolErrors, [], 'worker output never reaches the LSP stream');
    assert.ok(c.notifications.some((n) => n.method === 'window/logMessage' && /stray output from a provider/.test((n.params as { message: string }).message)));
  } finally {
    await c.stop();
  }
});

test('clang fix-its come back as quick fixes', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const c = await start();
  try {
    const uri = fileUri(path.join(dir, 'fixit.bpf.c'));
    c.open(uri, 'int f(void)\n{\n\tint a = 1\n\treturn a;\n}\n');
    await c.waitForAnalysis(uri, 1);
    const diag = c.diagnostics.get(uri)!.diagnostics.find((x) => x.source === 'clang') as Diagnostic;
    assert.ok(diag);
    const actions = await c.request<{ title: string; kind: string; edit: { changes: Record<string, { newText: string }[]> } }[]>(
      'textDocument/codeAction', { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
    const fix = actions.find((a) => /insert ';'/.test(a.title));
    assert.ok(fix, JSON.stringify(actions));
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.edit.changes[uri].map((e) => e.newText), [';']);
  } finally {
    await c.stop();
  }
});

test('an edit cancels a running object provider; one that ignores cancellation loses its worker', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const c = await start();
  try {
    const uri = fileUri(path.join(dir, 'cancel.bpf.c'));
    c.open(uri, '// SLOWOBJ\n' + PROG);
    await c.waitFor(() => fs.existsSync(path.join(dir, 'slow-started')) || undefined, 'the slow provider to start');
    c.change(uri, 2, [{ text: '// STUCK\n' + PROG }]);
    await c.waitFor(() => fs.existsSync(path.join(dir, 'slow-cancelled')) || undefined, 'the slow provider to see the cancellation');
    await c.waitFor(() => fs.existsSync(path.join(dir, 'stuck-started')) || undefined, 'the stuck provider to start');
    const t0 = Date.now();
    c.change(uri, 3, [{ text: PROG }]);
    const done = await c.waitForAnalysis(uri, 3);
    assert.equal(done.objects, 'ok');
    assert.ok(Date.now() - t0 < 10_000, 'did not wait for the stuck provider');
    assert.ok(c.diagnostics.get(uri)!.diagnostics.some((x) => x.code === 'test.object'));
    assert.ok(c.notifications.some((n) => n.method === 'window/logMessage' && /ignored cancellation/.test((n.params as { message: string }).message)));
    assert.ok(!c.notifications.some((n) => n.method === 'bpfls/analysisDone' && [1, 2].includes((n.params as { version: number }).version)));
  } finally {
    await c.stop();
  }
});

test('server commands are advertised and executed', async () => {
  const c = await start();
  try {
    const cmds = (c.initializeResult!.capabilities.executeCommandProvider as { commands: string[] }).commands;
    assert.ok(cmds.includes('bpfls.test.echo'));
    const uri = fileUri(path.join(dir, 'cmd.bpf.c'));
    c.open(uri, PROG);
    const r = await c.request<{ message: string }>('workspace/executeCommand', { command: 'bpfls.test.echo', arguments: [uri, 'xdp_prog'] });
    assert.equal(r.message, 'echo xdp_prog on 2 lines');
    await c.waitFor(() => c.serverRequests.find((q) => q.method === 'window/showMessageRequest'), 'the message shown to the user');
    await assert.rejects(c.request('workspace/executeCommand', { command: 'bpfls.nope', arguments: [] }), /unknown command/);
  } finally {
    await c.stop();
  }
});
