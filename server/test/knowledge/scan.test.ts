import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexDocument, programAt, wordAt, isGplCompatible, blankComments } from '../../src/features/knowledge/scan';

test('sections, functions, license and externs from text, comments and strings ignored', () => {
  const text = `#include <bpf/bpf_helpers.h>
// SEC("kprobe/commented_out") int nope(void) { bpf_probe_read(0,0,0); }
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern const void bpf_prog_active __ksym;
SEC("xdp") int a(struct xdp_md *ctx) { char *s = "bpf_fake_call("; return bpf_get_prandom_u32(); }
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev)
{
	bpf_task_acquire(prev);
	return 0;
}
static __attribute__((section("lsm.s/file_open"), used)) int c(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "Dual MIT/GPL";
`;
  const ix = indexDocument(text);
  assert.deepEqual(ix.programs.map((p) => [p.section, p.funcName]), [['xdp', 'a'], ['tp_btf/sched_switch', 'on_switch'], ['lsm.s/file_open', 'c']]);
  assert.equal(ix.license?.value, 'Dual MIT/GPL');
  assert.ok(isGplCompatible(ix.license!.value!));
  assert.ok(!isGplCompatible('MIT'));
  assert.deepEqual([...ix.ksyms].sort(), ['bpf_prog_active', 'bpf_task_acquire']);
  assert.deepEqual(ix.calls.filter((c) => c.nested).map((c) => c.name), ['bpf_get_prandom_u32', 'bpf_task_acquire']);
  assert.equal(ix.calls.find((c) => c.name === 'bpf_task_acquire' && !c.nested)?.start, text.indexOf('bpf_task_acquire'), 'the declaration is not nested');
  assert.equal(programAt(ix, text.indexOf('bpf_task_acquire(prev)'))?.funcName, 'on_switch');
  assert.equal(programAt(ix, text.indexOf('char LICENSE')), undefined);
  assert.equal(ix.declInsertOffset, text.indexOf('\n') + 1);
  assert.deepEqual(wordAt(text, text.indexOf('acquire(prev)')), { word: 'bpf_task_acquire', start: text.indexOf('bpf_task_acquire(prev)'), end: text.indexOf('(prev)') });
});

test('broken and hostile text: no throw, bounded', () => {
  for (const t of ['SEC("', 'SEC("xdp") int f(', 'SEC("xdp") int f() {{{{', '/* unterminated', '"unterminated', 'extern __ksym;', '}}}}} SEC("x") int g(void) {', '\0'.repeat(1000)]) {
    const ix = indexDocument(t);
    assert.equal(ix.code.length, t.length);
    void ix.calls;
  }
  const big = 'SEC("xdp") int f(void) {' + '('.repeat(100000);
  const t0 = performance.now();
  indexDocument(big);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(blankComments('a /* b */ "c" // d\ne').length, 'a /* b */ "c" // d\ne'.length);
});
