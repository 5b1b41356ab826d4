import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskBpfMacros } from '../../src/parse/mask';
import { wasmCParser, nativeCParser, nativeLoadError, treeEditFor } from '../../src/parse/parser';
import { DocumentParser, diffEdit } from '../../src/parse/document-parser';
import { syntaxErrorFindings } from '../../src/parse/syntax-errors';
import { DocumentSnapshot } from '../../src/analysis/document';
import { defaultSettings } from '../../src/analysis/settings';
import type { SyntaxNode } from '../../src/parse/types';

const BPF_IDIOMS = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
	__array(values, struct inner);
} counts SEC(".maps");
extern int bpf_obj_new_impl(__u64 id, void *meta) __ksym __weak;
static __always_inline int helper(void) { return 0; }
SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	__u32 key = 0, i;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) __sync_fetch_and_add(v, 1);
	bpf_for(i, 0, 10) { bpf_printk("%d", i); }
	struct node *n = container_of(p, struct node, list);
	if (!bpf_core_type_exists(struct task_struct)) return 0;
	asm volatile("r0 = 0" ::: "r0");
	return XDP_PASS;
}
SEC("kprobe/do_sys_open")
int BPF_KPROBE(do_sys_open, int dfd, const char *filename) { return 0; }
struct x { int a; } __attribute__((preserve_access_index));
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, long long);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 1);
	});
} outer SEC(".maps");
private(A) struct bpf_spin_lock glock;
SEC("socket")
__description("selftest style") __success __retval(0) __log_level(2)
__naked void naked_prog(void)
{
	asm volatile ("r0 = 0;"
		"call %[bpf_get_prandom_u32];"
		"exit;"
		:
		: __imm(bpf_get_prandom_u32), __imm_const(off, offsetof(struct __sk_buff, len))
		: __clobber_all);
}
int cmp(__u64 a) { if (bpf_cmp_unlikely(a, >=, 10)) return 1; return offsetofend(struct x, a); }
char LICENSE[] SEC("license") = "GPL";
`;

function errorNodes(n: SyntaxNode, out: string[] = []): string[] {
  if (n.isError || n.isMissing) out.push(`${n.type}@${n.startPosition.row}:${n.startPosition.column}`);
  for (const c of n.children) if (c) errorNodes(c, out);
  return out;
}

function ctxFor(text: string, tree: ReturnType<DocumentParser['update']>) {
  return { doc: new DocumentSnapshot('file:///t.bpf.c', 'c', 1, text), tree, settings: defaultSettings };
}

test('masking keeps length and newlines', () => {
  const m = maskBpfMacros(BPF_IDIOMS);
  assert.equal(m.length, BPF_IDIOMS.length);
  const nl = (s: string) => [...s].map((c, i) => (c === '\n' ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(nl(m), nl(BPF_IDIOMS));
  assert.match(m, /int {2}\(\*type\)\[BPF_MAP_TYPE_PERCPU_ARRAY\];/);
  assert.ok(!m.includes('SEC('));
  // Text in comments and strings is left alone.
  const s = '/* SEC("x") */ char *p = "__always_inline"; // __uint(a, b)\n';
  assert.equal(maskBpfMacros(s), s);
});

test('masking never throws and stays bounded on garbage', () => {
  const junk = ['SEC(', '__uint(', '__uint(a', 'bpf_for((((', 'container_of(', '"', "'", '/*', '__attribute__(('];
  for (const j of junk) {
    const t = (j + ' x ').repeat(500);
    assert.equal(maskBpfMacros(t).length, t.length);
  }
});

test('preprocessor lines are never masked (a #define keeps its name)', async () => {
  const text = [
    '#define SEC(name) __attribute__((section(name), used))',
    '#define __uint(name, val) int (*name)[val]',
    '#define LONG(x) \\',
    '\tbpf_for(x, 0, 1) /* spans',
    '\t   lines */',
    'static int a;',
    'SEC("xdp") int prog(void *ctx) { return a; }',
    '',
  ].join('\n');
  const m = maskBpfMacros(text);
  const lines = text.split('\n');
  assert.deepEqual(m.split('\n').slice(0, 5), lines.slice(0, 5));
  assert.ok(!m.split('\n')[6].includes('SEC('));
  const p = new DocumentParser(await wasmCParser());
  const tree = p.update(text);
  assert.deepEqual(errorNodes(tree.rootNode), []);
  const defs = tree.rootNode.descendantsOfType(['preproc_def', 'preproc_function_def']);
  assert.deepEqual(defs.map((d) => d?.childForFieldName('name')?.text), ['SEC', '__uint', 'LONG']);
  assert.equal(tree.rootNode.descendantsOfType('function_definition').length, 1);
  p.dispose();
});

test('no false errors on file-local macros, offsetof member paths, #if in asm, unnamed bit-fields', async () => {
  const text = [
    '#define TAIL_FUNC(x) SEC("tc") int classifier_##x(void *ctx) { return x; }',
    'TAIL_FUNC(0)',
    'TAIL_FUNC(1)',
    'struct pad { u64 :64; int b: 3; };',
    'int f(void *ctx) {',
    '\tint a = offsetof(struct bpf_sock_tuple, ipv4.sport) + offsetof(struct s, cb[0]);',
    '\tasm volatile ("r0 = %[off];" :: __imm_const(off, offsetof(struct __sk_buff, cb[1])) : "r0");',
    '\tasm volatile (',
    '\t\t"r1 = 0;"',
    '#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__',
    '\t\t"r0 = *(u8 *)(r10 - 8);"',
    '#else',
    '\t\t"r0 = *(u8 *)(r10 - 1);"',
    '#endif',
    '\t\t::: "r0");',
    '\tstruct { int x; } *q = bpf_obj_new(struct { int x; });',
    '\treturn a;',
    '}',
    '',
  ].join('\n');
  const p = new DocumentParser(await wasmCParser());
  const tree = p.update(text);
  assert.deepEqual(syntaxErrorFindings(ctxFor(text, tree)), []);
  // A real error elsewhere is still reported.
  const broken = text.replace('int f(void *ctx) {', 'int f(void *ctx) {\n\tint b = ;');
  const f = syntaxErrorFindings(ctxFor(broken, p.update(broken)));
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line, 5);
  p.dispose();
});

test('BPF idioms parse without syntax errors', async () => {
  const p = new DocumentParser(await wasmCParser());
  const tree = p.update(BPF_IDIOMS);
  assert.deepEqual(errorNodes(tree.rootNode), []);
  assert.deepEqual(syntaxErrorFindings(ctxFor(BPF_IDIOMS, tree)), []);
  p.dispose();
});

test('missing semicolon and stray token give precise findings', async () => {
  const p = new DocumentParser(await wasmCParser());
  const text = 'int f(void)\n{\n\tint a = 1\n\treturn a;\n}\nint g(void) { return 1 +; }\n';
  const f = syntaxErrorFindings(ctxFor(text, p.update(text)));
  assert.equal(f.length, 2, JSON.stringify(f));
  assert.equal(f[0].message, "expected ';' after declaration");
  assert.deepEqual(f[0].range.start, { line: 2, character: 10 });
  assert.equal(f[1].code, 'bpfls.syntax-error');
  assert.equal(f[1].range.start.line, 5);
  p.dispose();
});

test('unclosed brace points back at its opener', async () => {
  const p = new DocumentParser(await wasmCParser());
  const text = 'int f(void)\n{\n\treturn 0;\n';
  const f = syntaxErrorFindings(ctxFor(text, p.update(text)));
  assert.equal(f.length, 1);
  assert.equal(f[0].message, "expected '}'");
  assert.deepEqual(f[0].related?.[0].range.start, { line: 1, character: 0 });
  p.dispose();
});

test('positions are UTF-16 like LSP, also past non-ASCII text', async () => {
  const p = new DocumentParser(await wasmCParser());
  const text = 'char *s = "é€😀"; int b = 1\n';
  const f = syntaxErrorFindings(ctxFor(text, p.update(text)));
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].range.start, { line: 0, character: text.indexOf('1') + 1 });
  p.dispose();
});

test('diffEdit describes the change', () => {
  const e = diffEdit('abc\ndef', 'abc\nXYZdef')!;
  assert.deepEqual(e, treeEditFor('abc\ndef', 4, 4, 'XYZ'));
  assert.equal(diffEdit('same', 'same'), null);
});

test('incremental reparse equals a fresh parse over random edits (once settled)', async () => {
  const parser = await wasmCParser();
  const inc = new DocumentParser(parser);
  let text = BPF_IDIOMS;
  inc.update(text);
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['{', '}', ';', '(', ')', 'SEC("x")', '__uint(a, 1);', '\n', 'int x = 1;', '/*', '*/', '"', 'é😀'];
  for (let i = 0; i < 300; i++) {
    const a = rnd(text.length + 1);
    const b = Math.min(text.length, a + rnd(10));
    const ins = rnd(3) === 0 ? '' : pieces[rnd(pieces.length)];
    text = text.slice(0, a) + ins + text.slice(b);
    const t1 = inc.update(text);
    const fresh = new DocumentParser(parser);
    const t2 = fresh.update(text);
    if (!t1.rootNode.hasError) assert.equal(t1.rootNode.toString(), t2.rootNode.toString(), `edit ${i}`);
    // With errors, recovery may differ until the tree is settled (a fresh parse when edits pause).
    if (inc.unsettled) assert.ok(t1.rootNode.hasError, 'only trees with errors need settling');
    assert.equal(inc.settle()!.rootNode.toString(), t2.rootNode.toString(), `edit ${i} settled`);
    fresh.dispose();
  }
  inc.dispose();
});

test('native backend (optional) agrees with wasm', async (t) => {
  const native = nativeCParser();
  if (!native) {
    t.skip(`native tree-sitter not available here: ${nativeLoadError()}`);
    return;
  }
  const w = new DocumentParser(await wasmCParser());
  const n = new DocumentParser(native);
  assert.equal(w.update(BPF_IDIOMS).rootNode.toString(), n.update(BPF_IDIOMS).rootNode.toString());
  const text = 'char *s = "é€😀"; int b = 1\n';
  const fw = syntaxErrorFindings(ctxFor(text, w.update(text)));
  const fn = syntaxErrorFindings(ctxFor(text, n.update(text)));
  assert.deepEqual(fn, fw);
  w.dispose();
  n.dispose();
});
