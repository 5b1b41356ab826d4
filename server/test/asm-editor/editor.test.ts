// BPF assembly in the editor, through the real server: bpf-asm files in LLVM and GAS syntax,
// inline asm in C, and llvm-objdump listings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';

type Range = Diagnostic['range'];
interface Hover { contents: { kind: string; value: string } | string; range?: Range }
const hoverText = (h: Hover | null) => (h ? (typeof h.contents === 'string' ? h.contents : h.contents.value) : '');

let c: LspTestClient;
let dir: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-asm-editor-'));
  c = await LspTestClient.start({ debounceMs: 20 });
});
after(async () => {
  await c.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LLVM = [
  '\t.text', //                                   0
  '\t.section socket,"ax",@progbits', //          1
  '\t.globl prog', //                             2
  '\t.type prog,@function', //                    3
  'prog:', //                                     4
  '\tr1 = 21', //                                 5
  '\tcall bpf_get_prandom_u32', //                6
  '\tif r0 > 10 goto out', //                     7
  '\tr0 = *(u64 *)(r0 + 0)', //                   8
  'out:', //                                      9
  '\tr0 = 0', //                                 10
  '\texit', //                                   11
  '',
].join('\n');

const at = (line: number, character: number) => ({ line, character });

test('LLVM syntax: a verifier error lands on the asm line with its path; hovers, symbols, navigation', async () => {
  const uri = fileUri(path.join(dir, 'prog.bpf.s'));
  c.open(uri, LLVM, 'bpf-asm');
  const done = await c.waitForAnalysis(uri, 1, 60_000);
  assert.equal(done.build, 'ok');
  const diags = c.diagnostics.get(uri)!.diagnostics;
  const v = diags.find((d) => d.code === 'bpfls.verifier');
  assert.ok(v, JSON.stringify(diags));
  assert.equal(v.range.start.line, 8);
  assert.match(v.message, /R0 invalid mem access 'scalar'/);
  assert.ok(v.relatedInformation?.some((r) => r.location.range.start.line === 7 && /not taken/.test(r.message)), JSON.stringify(v.relatedInformation));
  assert.ok(!diags.some((d) => d.code === 'bpfls.verifier-states'), 'state summaries are not diagnostics');

  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(5, 2) }));
  assert.match(h, /b7 01 00 00 15 00 00 00/);
  assert.match(h, /ISA v1/);
  assert.match(h, /Verifier state/, 'the asm hover carries the verifier state of the line');
  const call = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(6, 10) }));
  assert.match(call, /bpf_get_prandom_u32/);
  assert.match(call, /u32|random/i);

  const def = await c.request<{ range: Range }[]>('textDocument/definition', { textDocument: { uri }, position: at(7, 18) });
  assert.equal(def[0].range.start.line, 9);
  const refs = await c.request<{ range: Range }[]>('textDocument/references', { textDocument: { uri }, position: at(9, 1), context: { includeDeclaration: true } });
  assert.deepEqual(refs.map((r) => r.range.start.line).sort((a, b) => a - b), [7, 9]);

  const syms = await c.request<{ name: string; children?: { name: string; kind: number }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const socket = syms.find((s) => s.name === 'socket');
  assert.ok(socket, JSON.stringify(syms));
  assert.ok(socket.children?.some((x) => x.name === 'prog' && x.kind === 12));
  assert.ok(socket.children?.some((x) => x.name === 'out'));

  const tokens = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  const legend = (c.initializeResult!.capabilities.semanticTokensProvider as { legend: { tokenTypes: string[] } }).legend.tokenTypes;
  let line = 0;
  let ch = 0;
  const decoded: { line: number; ch: number; len: number; type: string }[] = [];
  for (let i = 0; i < tokens.data.length; i += 5) {
    line += tokens.data[i];
    ch = tokens.data[i] ? tokens.data[i + 1] : ch + tokens.data[i + 1];
    decoded.push({ line, ch, len: tokens.data[i + 2], type: legend[tokens.data[i + 3]] });
  }
  assert.ok(decoded.some((t) => t.line === 5 && t.ch === 1 && t.type === 'variable'), 'r1 is a register');
  assert.ok(decoded.some((t) => t.line === 5 && t.type === 'number'));
  assert.ok(decoded.some((t) => t.line === 7 && t.type === 'label'));
  assert.ok(decoded.some((t) => t.line === 0 && t.type === 'macro'));

  const items = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at(6, 6) });
  assert.ok(items.some((i) => i.label === 'bpf_map_lookup_elem'));
  const first = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at(12, 0) });
  assert.ok(first.some((i) => i.label === 'exit') && first.some((i) => i.label === 'r10') && first.some((i) => i.label === 'out'));
  c.close(uri);
});

test('LLVM syntax: assembler errors as you type, on the offending characters', async () => {
  const uri = fileUri(path.join(dir, 'typo.bpf.s'));
  const text = ['prog:', '\tw1 = *(u64 *)(r1 + 0)', '\tr0 = 5000000000', '\tfoo r0', '\tif r0 > 1 goto nowhere', 'prog:', '\texit', ''].join('\n');
  c.open(uri, text, 'bpf-asm');
  const diags = await c.waitForDiagnostics(uri, (d) => d.filter((x) => x.code === 'bpfls.asm-error').length >= 5);
  const errs = diags.filter((d) => d.code === 'bpfls.asm-error');
  for (const line of [1, 2, 3, 4, 5]) assert.ok(errs.some((e) => e.range.start.line === line), `error on line ${line}: ${JSON.stringify(errs)}`);
  const reg = errs.find((e) => e.range.start.line === 1)!;
  assert.equal(text.split('\n')[1].slice(reg.range.start.character, reg.range.end.character), 'w1');
  assert.match(reg.message, /64-bit load needs an r register/);
  c.close(uri);
});

const GAS = [
  '.section socket', //                  0
  '.globl gprog', //                     1
  'gprog:', //                           2
  '  mov r0, 1', //                      3
  '  jeq r1, 0, done', //                4
  '  ldxdw r0, [r1+0]', //               5
  'done:', //                            6
  '  exit', //                           7
  '',
].join('\n');

test('GAS syntax: verifier error on the line, hovers, definition, formatting', async () => {
  const uri = fileUri(path.join(dir, 'gas.bpf.s'));
  c.open(uri, GAS, 'bpf-asm');
  const done = await c.waitForAnalysis(uri, 1, 60_000);
  assert.equal(done.build, 'ok');
  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(3, 3) }));
  assert.match(h, /b7 00 00 00 01 00 00 00/);
  const def = await c.request<{ range: Range }[]>('textDocument/definition', { textDocument: { uri }, position: at(4, 15) });
  assert.equal(def[0].range.start.line, 6);
  const items = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at(8, 0) });
  assert.ok(items.some((i) => i.label === 'ldxdw'), 'GAS mnemonics in a GAS file');
  const edits = await c.request<{ newText: string }[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 8, insertSpaces: false } });
  assert.equal(edits.length, 1);
  const formatted = edits[0].newText.split('\n');
  assert.equal(formatted[3], '\tmov r0, 1');
  assert.equal(formatted[2], 'gprog:');
  c.close(uri);
});

test('inline asm in C: diagnostics and hovers on the characters of the string', async () => {
  const uri = fileUri(path.join(dir, 'inline.bpf.c'));
  const text = [
    '#include <linux/bpf.h>', //                                       0
    '__attribute__((naked)) void f(void)', //                          1
    '{', //                                                            2
    '\tasm volatile ("\t\t\t\t\\', //                                   3
    '\tr0 = 1;\t\t\t\t\t\\', //                                         4
    '\tl0_%=: r1 = %[c];\t\t\t\\', //                                    5
    '\tr12 = 0;\t\t\t\t\\', //                                          6
    '\tcall %[bpf_get_prandom_u32];\t\t\\', //                           7
    '"\t"exit;"', //                                                    8
    '\t:: __imm_const(c, 7), __imm(bpf_get_prandom_u32) : __clobber_all);', // 9
    '}', //                                                            10
    '',
  ].join('\n');
  c.open(uri, text, 'c');
  const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.asm-error'));
  const errs = diags.filter((d) => d.code === 'bpfls.asm-error');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0].range.start.line, 6);
  assert.equal(text.split('\n')[6].slice(errs[0].range.start.character, errs[0].range.end.character), 'r12');
  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(5, 9) }));
  assert.match(h, /b7 01 00 00 07 00 00 00/, 'the %[c] operand is 7');
  const call = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(7, 12) }));
  assert.match(call, /bpf_get_prandom_u32/);
  const exit = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(8, 4) }));
  assert.match(exit, /95 00 00 00 00 00 00 00/, 'adjacent string literals are one template');
  const items = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at(4, 1) });
  assert.ok(items.some((i) => i.label === 'r10') && items.some((i) => i.label === 'exit'), 'registers and keywords inside the template');
  const outside = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at(10, 1) });
  assert.ok(!outside.some((i) => i.label === 'r10'), 'not outside the template');
  c.close(uri);
});

test('llvm-objdump listings open with hovers', async () => {
  const uri = fileUri(path.join(dir, 'prog.bpf.dis'));
  const text = [
    '',
    'prog.o:\tfile format elf64-bpf',
    '',
    'Disassembly of section xdp:',
    '',
    '0000000000000000 <xdp_prog>:',
    '; {',
    '       0:\tb7 00 00 00 02 00 00 00\tr0 = 0x2',
    '       1:\t95 00 00 00 00 00 00 00\texit',
    '',
  ].join('\n');
  c.open(uri, text, 'bpf-asm');
  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(7, 36) }));
  assert.match(h, /b7 00 00 00 02 00 00 00/);
  const tokens = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  assert.ok(tokens.data.length > 0);
  const diags = await c.waitForDiagnostics(uri);
  assert.ok(!diags.some((d) => d.severity === 1), JSON.stringify(diags));
  c.close(uri);
});

test('call hovers show kfunc docs; labels hover; the asmSyntax setting forces a syntax', async () => {
  const uri = fileUri(path.join(dir, 'kfunc.bpf.s'));
  const text = ['\t.section tc,"ax",@progbits', 'prog:', '\tcall bpf_rcu_read_lock', '\tgoto done', 'done:', '\tr0 = 0', '\texit', ''].join('\n');
  c.open(uri, text, 'bpf-asm');
  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(2, 12) }));
  assert.match(h, /bpf_rcu_read_lock/);
  assert.match(h, /kfunc/);
  const label = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(4, 1) }));
  assert.match(label, /label \*\*done\*\*/);
  const directive = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(0, 3) }));
  assert.match(directive, /program type/);
  c.close(uri);

  // Forced to GAS, a file in LLVM syntax completes GAS mnemonics.
  c.settings = { asmSyntax: 'gas' };
  c.notify('workspace/didChangeConfiguration', { settings: {} });
  const forced = fileUri(path.join(dir, 'forced.bpf.s'));
  c.open(forced, ['prog:', '\tr0 = 0', '\texit', ''].join('\n'), 'bpf-asm');
  let gas = false;
  for (let i = 0; i < 50 && !gas; i++) {
    const list = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri: forced }, position: at(3, 0) });
    gas = list.some((x) => x.label === 'ldxdw');
    if (!gas) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(gas, 'GAS mnemonics once the setting says gas');
  c.settings = {};
  c.notify('workspace/didChangeConfiguration', { settings: {} });
  c.close(forced);
});

test('a real llvm-objdump -d -S listing: no errors, hovers on instructions', async (t) => {
  const clang = spawnSync('clang-19', ['--version']);
  const objdump = spawnSync('llvm-objdump-19', ['--version']);
  if (clang.status !== 0 || objdump.status !== 0) return t.skip('needs clang-19 and llvm-objdump-19');
  const src = path.join(dir, 'l.bpf.c');
  fs.writeFileSync(src, [
    '#include <linux/bpf.h>',
    '#define SEC(n) __attribute__((section(n), used))',
    'SEC("xdp") int pass(struct xdp_md *ctx) { return ctx->data_end - ctx->data > 64 ? XDP_PASS : XDP_DROP; }',
    'char LICENSE[] SEC("license") = "GPL";',
  ].join('\n'));
  const obj = path.join(dir, 'l.o');
  const cc = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const listing = spawnSync('llvm-objdump-19', ['-d', '-S', obj], { encoding: 'utf8' }).stdout;
  const uri = fileUri(path.join(dir, 'l.objdump'));
  c.open(uri, listing, 'bpf-asm');
  await c.waitForAnalysis(uri, 1, 30_000);
  const diags = c.diagnostics.get(uri)!.diagnostics;
  assert.deepEqual(diags.filter((d) => d.severity === 1), []);
  const lines = listing.split('\n');
  const exitLine = lines.findIndex((l) => /\texit\s*$/.test(l));
  assert.ok(exitLine > 0);
  const h = hoverText(await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(exitLine, lines[exitLine].indexOf('exit') + 1) }));
  assert.match(h, /95 00 00 00 00 00 00 00/);
  c.close(uri);
});
