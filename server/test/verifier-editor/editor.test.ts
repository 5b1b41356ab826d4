// The verifier in the editor, through the real server: a rejection is an error on the C line the
// kernel would name, with the branch path as related information; hovering a line of a verified
// program shows the verifier's register and stack state there; in a naked function the error is
// on the asm line inside the string.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri } from '../lsp-client';
import { findClang } from '../../src/toolchain/clang';

let clangMissing = '';
before(async () => {
  const r = await findClang({ trusted: true });
  if (!r.ok) clangMissing = r.message;
});

const SOURCE = [
  '#include <linux/bpf.h>', //                                     0
  '#include <bpf/bpf_helpers.h>', //                               1
  '', //                                                           2
  'struct {', //                                                   3
  '\t__uint(type, BPF_MAP_TYPE_HASH);', //                         4
  '\t__uint(max_entries, 1);', //                                  5
  '\t__type(key, int);', //                                        6
  '\t__type(value, long);', //                                     7
  '} arr SEC(".maps");', //                                        8
  '', //                                                           9
  'SEC("socket")', //                                             10
  'int lookup(struct __sk_buff *skb)', //                         11
  '{', //                                                         12
  '\tint key = 0;', //                                            13
  '\tlong *v = bpf_map_lookup_elem(&arr, &key);', //              14
  '\tif (skb->len > 100)', //                                     15
  '\t\treturn 1;', //                                             16
  '\treturn *v;', //                                              17
  '}', //                                                         18
  '', //                                                          19
  'SEC("socket")', //                                             20
  'int fine(struct __sk_buff *skb)', //                           21
  '{', //                                                         22
  '\tint key = 0;', //                                            23
  '\tlong *v = bpf_map_lookup_elem(&arr, &key);', //              24
  '\treturn v ? *v : 0;', //                                      25
  '}', //                                                         26
  '', //                                                          27
  'SEC("socket")', //                                             28
  '__attribute__((naked)) void naked(void)', //                   29
  '{', //                                                         30
  '\tasm volatile ("\t\t\t\t\\', //                                31
  '\tr0 = 0;\t\t\t\t\t\\', //                                      32
  '\tr1 = *(u64 *)(r0 + 8);\t\t\t\\', //                           33
  '\texit;\t\t\t\t\t\\', //                                        34
  '"\t::: "r0", "r1");', //                                        35
  '}', //                                                         36
  'char LICENSE[] SEC("license") = "GPL";', //                    37
  '',
].join('\n');

interface Hover { contents: { value: string } | string }
const hoverText = (h: Hover | null) => (h ? (typeof h.contents === 'string' ? h.contents : h.contents.value) : '');

test('verifier errors on the C line with the path; state hover; naked asm line', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-verifier-editor-'));
  const c = await LspTestClient.start({ debounceMs: 20 });
  try {
    const uri = fileUri(path.join(dir, 'lookup.bpf.c'));
    c.open(uri, SOURCE);
    const done = await c.waitForAnalysis(uri, 1, 90_000);
    assert.equal(done.build, 'ok');
    const diags = c.diagnostics.get(uri)!.diagnostics.filter((d) => d.code === 'bpfls.verifier');
    const lookup = diags.find((d) => /lookup,/.test(d.message));
    assert.ok(lookup, JSON.stringify(diags));
    assert.equal(lookup.range.start.line, 17);
    assert.match(lookup.message, /R\d invalid mem access 'map_value_or_null'/);
    assert.ok(lookup.relatedInformation?.some((r) => r.location.range.start.line === 15 && /branch/.test(r.message)),
      `the path names the branch on line 15: ${JSON.stringify(lookup.relatedInformation)}`);
    assert.ok(!diags.some((d) => /fine,/.test(d.message)));

    const naked = diags.find((d) => /naked,/.test(d.message));
    assert.ok(naked, JSON.stringify(diags));
    assert.match(naked.message, /R0 invalid mem access 'scalar'/);
    assert.equal(naked.range.start.line, 33, 'the asm statement inside the string');
    assert.equal(SOURCE.split('\n')[33].slice(naked.range.start.character, naked.range.end.character), 'r1 = *(u64 *)(r0 + 8)');

    // State hover on a line of the accepted program (on `return`, where no other hover answers).
    const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 25, character: 2 } }));
    assert.match(h, /Verifier state/);
    assert.match(h, /fine/);
    assert.match(h, /R10=fp0/);
    // And on a line of the rejected one, before the error.
    const h2 = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 1 } }));
    assert.match(h2, /Verifier state/);
    assert.match(h2, /map_value_or_null|R0=/);
    // In the naked function, each asm line inside the string has its own state.
    const h3 = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 33, character: 2 } }));
    assert.match(h3, /Verifier state/);
    assert.match(h3, /before insn 1/);
    assert.match(h3, /R0=0/);
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
