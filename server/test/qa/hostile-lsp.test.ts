// QA: the language server fed hostile documents (garbage and NUL-filled assembly and C, lone
// surrogates, a 2 MB single line, 50,000 lines of unbalanced braces, 200,000 instructions, a
// truncated ELF's bytes as text). After each, a normal document still gets hover, completion and
// code actions, the server stays alive, and closing and reopening a document works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspTestClient, repoRoot } from '../lsp-client';

const NORMAL = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

function hostileDocs(): { name: string; lang: string; text: string }[] {
  let seed = 99;
  let garbage = '';
  for (let i = 0; i < 8192; i++) { seed = (seed * 1103515245 + 12345) >>> 0; garbage += String.fromCharCode(seed >>> 20 & 0xffff); }
  const unbalanced: string[] = [];
  for (let i = 0; i < 50_000; i++) unbalanced.push(i % 3 === 0 ? `int f${i}(void) { if (x) { (` : i % 3 === 1 ? `  [ "unterminated ${i}` : `} } ) ]]`);
  const asm: string[] = ['\t.text', '\t.globl f', 'f:'];
  for (let i = 0; i < 200_000; i++) asm.push(`\tr${i % 10} = ${i}`);
  asm.push('\texit');
  const elfish = '\x7fELF\x02\x01\x01' + '\0'.repeat(9) + garbage.slice(0, 1000);
  return [
    { name: 'garbage.bpf.s', lang: 'bpf-asm', text: garbage },
    { name: 'garbage.bpf.c', lang: 'c', text: garbage },
    { name: 'nul.bpf.c', lang: 'c', text: '\0'.repeat(65536) },
    { name: 'nul.bpf.s', lang: 'bpf-asm', text: '\0'.repeat(65536) },
    { name: 'surrogates.bpf.c', lang: 'c', text: 'int x\uD800 = 1;\n\uDFFF\uFEFFint y;\n' },
    { name: 'elf.bpf.c', lang: 'c', text: elfish },
    { name: 'longline.bpf.c', lang: 'c', text: 'int x = ' + '1+'.repeat(1_000_000) + '1;\n' },
    { name: 'unbalanced.bpf.c', lang: 'c', text: unbalanced.join('\n') },
    { name: 'big.bpf.s', lang: 'bpf-asm', text: asm.join('\n') },
    { name: 'empty.bpf.c', lang: 'c', text: '' },
  ];
}

test('the language server survives hostile documents and keeps answering', { timeout: 420_000 }, async (t) => {
  const mode = fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source';
  const c = await LspTestClient.start({ mode, debounceMs: 50 });
  const dir = '/tmp/bpfls-qa-lsp';
  const normalUri = `file://${dir}/normal.bpf.c`;
  try {
    c.open(normalUri, NORMAL, 'c', 1);
    const probe = async (after: string) => {
      assert.equal(c.exited, undefined, `server exited after ${after}: ${c.stderr.slice(-500)}`);
      const hover = await c.request('textDocument/hover', { textDocument: { uri: normalUri }, position: { line: 4, character: 20 } }, 60_000);
      const completion = await c.request('textDocument/completion', { textDocument: { uri: normalUri }, position: { line: 7, character: 8 } }, 60_000);
      const actions = await c.request('textDocument/codeAction', {
        textDocument: { uri: normalUri }, range: { start: { line: 6, character: 0 }, end: { line: 6, character: 10 } }, context: { diagnostics: [] },
      }, 60_000);
      assert.ok(hover !== undefined && completion !== undefined && actions !== undefined, `requests answer after ${after}`);
    };
    await probe('start');
    for (const d of hostileDocs()) {
      const uri = `file://${dir}/${d.name}`;
      const t0 = Date.now();
      c.open(uri, d.text, d.lang, 1);
      // the hostile document itself answers requests too (the result may be empty)
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } }, 60_000);
      await c.request('textDocument/documentSymbol', { textDocument: { uri } }, 60_000);
      await c.waitForDiagnostics(uri, () => true, { timeoutMs: 90_000 });
      // the background pass (clang, verifier, emulator) ends too, bounded
      const done = await c.waitForAnalysis(uri, 1, 120_000);
      await probe(d.name);
      // an edit in the middle, then close and reopen
      c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: '}{"\0' }]);
      c.close(uri);
      c.open(uri, d.text.slice(0, 1000), d.lang, 3);
      await c.waitForDiagnostics(uri, () => true, { version: 3, timeoutMs: 90_000 });
      c.close(uri);
      t.diagnostic(`${d.name} (${d.text.length} chars): ${Date.now() - t0} ms, build ${done.build}, objects ${done.objects}`);
    }
    await probe('all hostile documents');
    assert.deepEqual(c.protocolErrors, []);
    assert.doesNotMatch(c.stderr, /uncaught|unhandled/i);
  } finally {
    await c.stop();
  }
});

test('hostile requests: out-of-range positions, unknown documents, malformed params, edits past the end, edit storms', { timeout: 240_000 }, async () => {
  const mode = fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source';
  const c = await LspTestClient.start({ mode, debounceMs: 50 });
  const uri = 'file:///tmp/bpfls-qa-lsp2/a.bpf.c';
  const suri = 'file:///tmp/bpfls-qa-lsp2/a.bpf.s';
  /** A request either answers or gets a JSON-RPC error; it never goes unanswered and never kills the server. */
  const req = async (m: string, p: unknown) => {
    try { await c.request(m, p, 60_000); } catch (e) { assert.doesNotMatch((e as Error).message, /timed out|timeout|exited|closed/i, `${m}`); }
    assert.equal(c.exited, undefined, `server exited after ${m} ${JSON.stringify(p)}: ${c.stderr.slice(-500)}`);
  };
  try {
    c.open(uri, NORMAL, 'c', 1);
    c.open(suri, 'r0 = 0\nexit\n', 'bpf-asm', 1);
    const positions = [{ line: 9999, character: 9999 }, { line: -1, character: -5 }, { line: 0, character: 1e9 }];
    for (const u of [uri, suri, 'file:///nonexistent/x.bpf.c', 'untitled:foo', 'garbage']) {
      for (const position of positions) {
        for (const m of ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/signatureHelp']) {
          await req(m, { textDocument: { uri: u }, position });
        }
        await req('textDocument/codeAction', { textDocument: { uri: u }, range: { start: position, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
      }
      await req('textDocument/documentSymbol', { textDocument: { uri: u } });
      await req('textDocument/semanticTokens/full', { textDocument: { uri: u } });
    }
    for (const p of [null, {}, { textDocument: null }, { textDocument: { uri: 42 }, position: 'x' }]) {
      await req('textDocument/hover', p);
      await req('textDocument/completion', p);
    }
    await req('workspace/executeCommand', { command: 'nosuch', arguments: [] });
    // edits with ranges outside the document
    c.change(uri, 2, [{ range: { start: { line: 500, character: 3 }, end: { line: 2, character: 0 } }, text: 'zz' }]);
    c.change(uri, 3, [{ range: { start: { line: -1, character: -1 }, end: { line: 0, character: 99999 } }, text: 'yy' }]);
    await req('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    // an edit storm: only the last version needs analysing, and it is
    for (let v = 4; v < 200; v++) c.change(uri, v, [{ text: `int f(void) { return ${v}; }\n`.repeat(v % 7 + 1) }]);
    await c.waitForAnalysis(uri, 199, 120_000);
    await req('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 5 } });
    assert.deepEqual(c.protocolErrors, []);
  } finally {
    await c.stop();
  }
});

test('hostile settings (wrong types, clangPath to a non-clang, garbage target BTF): analysis ends and requests answer', { timeout: 240_000 }, async () => {
  const mode = fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source';
  const dir = fs.mkdtempSync('/tmp/bpfls-qa-settings-');
  try {
    fs.writeFileSync(path.join(dir, 'garbage.btf'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff)));
    fs.writeFileSync(path.join(dir, 'notclang'), '\x7fELF garbage');
    const all: unknown[] = [
      null, 'str', { clangPath: 42, extraFlags: 'x', extraIncludePaths: { a: 1 }, files: 7, lints: 'z', asmSyntax: 'bogus', analyses: 'garbage' },
      { clangPath: '/bin/false' }, { clangPath: dir }, { clangPath: path.join(dir, 'notclang') },
      { targetBtf: path.join(dir, 'garbage.btf') }, { targetBtf: dir }, { lints: { disabled: 5, severity: [1] }, analyses: { compile: 'x', verify: null } },
    ];
    for (const settings of all) {
      const c = await LspTestClient.start({ mode, debounceMs: 50, settings });
      try {
        const uri = `file://${dir}/a.bpf.c`;
        c.open(uri, NORMAL, 'c', 1);
        await c.waitForAnalysis(uri, 1, 60_000);
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 20 } }, 30_000);
        await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: 8 } }, 30_000);
        assert.equal(c.exited, undefined, `settings ${JSON.stringify(settings)}: ${c.stderr.slice(-300)}`);
      } finally {
        await c.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong bpfls.clangPath or bpfls.targetBtf is shown: a warning at the top of the document and one message per settings change', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync('/tmp/bpfls-qa-badsettings-');
  try {
    fs.writeFileSync(path.join(dir, 'garbage.btf'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff)));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ clangPath: '/bin/ls', analyses: { verify: false, run: false } }, /^bpfls\.clangPath '\/bin\/ls' is not clang .*set bpfls\.clangPath/],
      [{ clangPath: path.join(dir, 'nope') }, /^bpfls\.clangPath '.*nope' does not exist/],
      [{ clangPath: dir }, /^bpfls\.clangPath '.*' is a directory/],
      [{ targetBtf: path.join(dir, 'garbage.btf') }, /^bpfls\.targetBtf '.*garbage\.btf' is not BTF .*: bpfls uses \/sys\/kernel\/btf\/vmlinux until the setting is fixed$/],
      [{ targetBtf: dir }, /^bpfls\.targetBtf '.*' is a directory/],
      // a device never ends: nothing may read it (the analyses and hovers would block)
      [{ targetBtf: '/dev/zero' }, /^bpfls\.targetBtf '\/dev\/zero' is not a regular file/],
    ];
    // window/showMessage, or window/showMessageRequest (what showWarningMessage sends)
    const messages = (c: LspTestClient) => [...c.notifications, ...c.serverRequests].filter((n) => /^window\/showMessage/.test(n.method)).map((n) => (n.params as { message: string }).message);
    for (const [settings, want] of cases) {
      const c = await LspTestClient.start({ debounceMs: 50, settings });
      try {
        const uri = `file://${dir}/a.bpf.c`;
        c.open(uri, NORMAL, 'c', 1);
        const label = JSON.stringify(settings);
        const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.settings'), { timeoutMs: 60_000 });
        const top = diags.filter((x) => x.code === 'bpfls.settings');
        assert.equal(top.length, 1, `${label}: ${JSON.stringify(top)}`);
        assert.match(top[0].message, want, label);
        assert.equal(top[0].range.start.line, 0);
        await c.waitForAnalysis(uri, 1, 60_000);
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 20 } }, 30_000);
        // a second edit and analysis: still one window message for the problem
        c.change(uri, 2, [{ text: NORMAL + '\n' }]);
        await c.waitForAnalysis(uri, 2, 60_000);
        const shown = messages(c).filter((m) => want.test(m.replace(/^bpfls: /, '')));
        assert.equal(shown.length, 1, `${label}: shown ${JSON.stringify(messages(c))}`);
        // fixing the setting clears the warning
        (c as unknown as { settings: unknown }).settings = {};
        c.notify('workspace/didChangeConfiguration', { settings: { bpfls: {} } });
        await c.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'bpfls.settings'), { timeoutMs: 60_000 });
      } finally {
        await c.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
