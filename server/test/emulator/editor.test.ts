// The emulator in the editor, through the real server: `__retval(N)` mismatches are errors on the
// function, matches are silent, and the "▶ Run" lens above each program shows its result.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';
import { findClang } from '../../src/toolchain/clang';

let clangMissing = '';
before(async () => {
  const r = await findClang({ trusted: true });
  if (!r.ok) clangMissing = r.message;
});

const SOURCE = [
  '#include <linux/bpf.h>', //                                                       0
  '#include <bpf/bpf_helpers.h>', //                                                 1
  '#define __retval(v) __attribute__((btf_decl_tag("comment:test_retval=" #v)))', // 2
  '', //                                                                             3
  'SEC("xdp") __retval(2)', //                                                       4
  'int passes(struct xdp_md *ctx)', //                                               5
  '{', //                                                                            6
  '\tbpf_printk("len %d", ctx->data_end - ctx->data);', //                           7
  '\treturn XDP_PASS;', //                                                           8
  '}', //                                                                            9
  '', //                                                                            10
  'SEC("xdp") __retval(1)', //                                                      11
  'int wrong(struct xdp_md *ctx)', //                                               12
  '{', //                                                                           13
  '\tvoid *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;', // 14
  '\treturn data + 64 <= end ? XDP_TX : XDP_ABORTED;', //                           15
  '}', //                                                                           16
  '', //                                                                            17
  'SEC("tc")', //                                                                   18
  'int plain(struct __sk_buff *skb)', //                                            19
  '{', //                                                                           20
  '\treturn skb->len == 64 ? 2 : 0;', //                                            21
  '}', //                                                                           22
  'char LICENSE[] SEC("license") = "GPL";', //                                      23
  '',
].join('\n');

interface Lens { range: Diagnostic['range']; command?: { title: string; command: string; arguments?: unknown[] } }

test('__retval mismatch is an error on the function; the Run lens shows each result', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-emu-editor-'));
  const c = await LspTestClient.start({ debounceMs: 50 });
  try {
    const uri = fileUri(path.join(dir, 'retval.bpf.c'));
    c.open(uri, SOURCE);
    const done = await c.waitForAnalysis(uri, 1, 60_000);
    assert.equal(done.build, 'ok');
    const diags = c.diagnostics.get(uri)!.diagnostics;
    const mismatches = diags.filter((d) => d.code === 'bpfls.retval-mismatch');
    assert.equal(mismatches.length, 1, JSON.stringify(diags));
    const m = mismatches[0];
    assert.equal(m.severity, 1);
    assert.deepEqual(m.range, { start: { line: 12, character: 4 }, end: { line: 12, character: 9 } });
    assert.match(m.message, /__retval\(1\) expected, but the program returned 3 \(XDP_TX\)/);

    const lenses = await c.request<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    const byLine = new Map(lenses.map((l) => [l.range.start.line, l.command]));
    assert.equal(lenses.length, 3, JSON.stringify(lenses));
    assert.match(byLine.get(5)!.title, /^▶ Run: 2 \(XDP_PASS\) · \d+ insns · trace: len 64$/);
    assert.match(byLine.get(12)!.title, /^▶ Run: 3 \(XDP_TX\) · \d+ insns$/);
    assert.match(byLine.get(19)!.title, /^▶ Run: 2 \(TC_ACT_SHOT\) · \d+ insns$/);
    assert.deepEqual(byLine.get(19)!.arguments, [uri, 'plain']);

    // clicking the lens runs the command on the server
    const res = await c.request<{ message: string; error?: boolean }>('workspace/executeCommand', { command: 'bpfls.runProgram', arguments: [uri, 'passes'] });
    assert.match(res.message, /^passes returned 2 \(XDP_PASS\) after \d+ instructions; trace: len 64$/);
    assert.ok(!res.error);
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
