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
