import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/analysis/plugins';
import { DocumentSnapshot } from '../../src/analysis/document';
import { provideCodeActions, runSyntaxProviders } from '../../src/analysis/pipeline';
import { defaultSettings } from '../../src/analysis/settings';
import { neverCancelled, type Finding } from '../../src/analysis/types';
import { codeActions } from '../../src/features/fixes/index';
import { kfuncFix, targetKfuncs } from '../../src/features/fixes/kfunc-decl';
import { applyEdits } from '../../src/features/fixes/text';
import { parseC, Source } from '../../src/features/fixes/tree';
import { safeReturnValue } from '../../src/features/fixes/finding-fixes';
import { assertBpflsAccepts, bpflsVerify, compile, corpus, expectLine, haveClang, kernelLoad, kernelRejection, kernelUnavailable, vmlinuxInclude } from './util';

async function actionsFor(text: string, finding: Finding) {
  const doc = new DocumentSnapshot('file:///w/prog.bpf.c', 'c', 1, text);
  return codeActions({ doc, tree: await parseC(text), settings: defaultSettings, range: finding.range, findings: [finding] });
}

function finding(message: string, line: number, source = 'verifier'): Finding {
  return {
    range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 1 } },
    severity: 'error',
    code: source === 'clang' ? 'clang' : 'bpfls.verifier',
    source,
    message,
  };
}

test('safe return values per program type', () => {
  const uapi = '#include <linux/bpf.h>\n';
  assert.equal(safeReturnValue('xdp', uapi), 'XDP_PASS');
  assert.equal(safeReturnValue('xdp.frags', ''), '2 /* XDP_PASS */');
  assert.equal(safeReturnValue('tc', uapi), '0 /* TC_ACT_OK */');
  assert.equal(safeReturnValue('tc', uapi + '#include <linux/pkt_cls.h>\n'), 'TC_ACT_OK');
  assert.equal(safeReturnValue('classifier/ingress', uapi), '0 /* TC_ACT_OK */');
  assert.equal(safeReturnValue('cgroup_skb/egress', uapi), '1');
  assert.equal(safeReturnValue('cgroup/connect4', uapi), '1');
  assert.equal(safeReturnValue('sk_skb/stream_verdict', uapi), 'SK_PASS');
  assert.equal(safeReturnValue('kprobe/do_sys_open', uapi), '0');
});

const NO_CLANG = haveClang() ? undefined : 'clang-19 not found';

const nullCases = [
  { file: 'null-check-xdp.bpf.c', kind: 'map_value_or_null', expect: /\tvalue = bpf_map_lookup_elem\(&counters, &key\);\n\tif \(!value\)\n\t\treturn XDP_PASS;\n\t\*value \+= 1;/ },
  { file: 'null-check-tc.bpf.c', kind: 'map_value_or_null', expect: /\tstruct stats \*s = bpf_map_lookup_elem\(&by_ifindex, &key\);\n\tif \(!s\)\n\t\treturn 0 \/\* TC_ACT_OK \*\/;\n/ },
  { file: 'null-check-cgroup.bpf.c', kind: 'map_value_or_null', expect: /\t__u32 \*limit = bpf_map_lookup_elem\(&limits, &zero\);\n\tif \(!limit\)\n\t\treturn 1;\n/ },
  { file: 'null-check-ringbuf.bpf.c', kind: 'ringbuf_mem_or_null', expect: /\ts = bpf_ringbuf_reserve\(&samples, sizeof\(\*s\), 0\);\n\tif \(!s\)\n\t\treturn XDP_PASS;\n\ts->ifindex/ },
];

for (const c of nullCases) {
  test(`NULL check after the lookup: ${c.file}`, { skip: NO_CLANG }, async (t) => {
    const text = corpus(c.file);
    const before = compile(text, '-O2');
    assert.ok(before.ok, before.stderr);
    // the finding as bpfls's verifier reports it: kernel wording, line from line_info
    const { verdicts } = await bpflsVerify(before.obj!);
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0].message, `R0 invalid mem access '${c.kind}'`);
    assert.equal(verdicts[0].line, expectLine(text, `invalid mem access '${c.kind}'`));
    let f = finding(verdicts[0].message!, verdicts[0].line!);
    const why = kernelUnavailable();
    if (!why) {
      // the finding as the kernel reports it: message and line from its log
      const rej = kernelRejection(before.obj!);
      assert.ok(rej, 'the kernel refuses the unfixed program');
      assert.ok(rej.message.includes(`invalid mem access '${c.kind}'`), rej.message);
      assert.equal(rej.line, f.range.start.line + 1);
      assert.equal(rej.message, f.message);
    }
    const actions = await actionsFor(text, f);
    assert.equal(actions.length, 1);
    const [a] = actions;
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.isPreferred, true);
    assert.equal(a.safe, true);
    const fixed = applyEdits(text, a.edits);
    assert.match(fixed, c.expect);
    const after = compile(fixed, '-O2');
    assert.ok(after.ok, after.stderr);
    await assertBpflsAccepts(after.obj!, '-O2');
    if (why) return t.skip(`kernel load: ${why}`);
    const r = kernelLoad(after.obj!);
    assert.ok(r.ok, r.log);
  });
}

test('no NULL-check action for other verifier errors or without a lookup', async () => {
  const text = corpus('null-check-xdp.bpf.c');
  const line = expectLine(text, "invalid mem access 'map_value_or_null'");
  assert.deepEqual(await actionsFor(text, finding('R1 type=scalar expected=fp', line)), []);
  assert.deepEqual(await actionsFor(text, finding("R0 invalid mem access 'map_value_or_null'", 3)), []);
});

const kfuncs = targetKfuncs();
const NO_KFUNCS = NO_CLANG ?? (kfuncs ? undefined : 'no readable kernel BTF at /sys/kernel/btf/vmlinux');

function clangUndeclared(stderr: string): Finding[] {
  return [...stderr.matchAll(/^[^:\n]+:(\d+):\d+: error: (call to undeclared function '\w+'[^\n]*)$/gm)].map((m) =>
    finding(m[2], Number(m[1]), 'clang'),
  );
}

test('undeclared kfuncs: extern declarations from BTF build and load', { skip: NO_KFUNCS }, async (t) => {
  let text = corpus('kfunc-undeclared.bpf.c');
  const first = compile(text, '-O2');
  assert.ok(!first.ok);
  const found = clangUndeclared(first.stderr);
  assert.deepEqual(found.map((f) => /'(\w+)'/.exec(f.message)![1]).sort(), ['bpf_dynptr_from_xdp', 'bpf_rcu_read_lock', 'bpf_rcu_read_unlock']);
  for (let round = 0; round < 5; round++) {
    const c = compile(text, '-O2');
    if (c.ok) break;
    const [f] = clangUndeclared(c.stderr);
    assert.ok(f, c.stderr);
    const actions = await actionsFor(text, f);
    const strong = actions.find((a) => a.isPreferred);
    assert.ok(strong, `a declaration action for ${f.message}`);
    text = applyEdits(text, strong.edits);
  }
  assert.match(text, /extern int bpf_dynptr_from_xdp\(struct xdp_md \*x, __u64 flags, struct bpf_dynptr \*ptr__uninit\) __ksym;/);
  assert.match(text, /extern void bpf_rcu_read_lock\(void\) __ksym;/);
  const c = compile(text, '-O2');
  assert.ok(c.ok, c.stderr);
  await assertBpflsAccepts(c.obj!, '-O2');
  const why = kernelUnavailable();
  if (why) return t.skip(`kernel load: ${why}`);
  const r = kernelLoad(c.obj!);
  assert.ok(r.ok, r.log);
});

test('undeclared kfunc, second option: __weak with a bpf_ksym_exists guard', { skip: NO_KFUNCS }, async (t) => {
  let text = corpus('kfunc-undeclared.bpf.c').replace(/\tif \(bpf_dynptr_from_xdp[^\n]*\n[^\n]*\n/, '');
  for (const name of ['bpf_rcu_read_lock', 'bpf_rcu_read_unlock']) {
    const line = text.split('\n').findIndex((l) => l.includes(`${name}();`)) + 1;
    const actions = await actionsFor(text, finding(`call to undeclared function '${name}'; ISO C99 and later do not support implicit function declarations`, line, 'clang'));
    const weak = actions.find((a) => a.title.includes('__weak'));
    assert.ok(weak && !weak.safe);
    text = applyEdits(text, weak.edits);
  }
  assert.match(text, /extern void bpf_rcu_read_lock\(void\) __ksym __weak;/);
  assert.match(text, /\tif \(bpf_ksym_exists\(bpf_rcu_read_lock\)\)\n\t\tbpf_rcu_read_lock\(\);/);
  const c = compile(text, '-O2');
  assert.ok(c.ok, c.stderr);
  await assertBpflsAccepts(c.obj!, '-O2');
  const why = kernelUnavailable();
  if (why) return t.skip(`kernel load: ${why}`);
  const r = kernelLoad(c.obj!);
  assert.ok(r.ok, r.log);
});

test('deprecated kfunc: the knowledge lint\'s finding gets a rename to the successor', { skip: NO_KFUNCS }, async (t) => {
  const inc = vmlinuxInclude();
  if (!inc) return t.skip('cannot dump vmlinux.h with bpftool');
  const text = corpus('kfunc-deprecated.bpf.c');
  const doc = new DocumentSnapshot('file:///w/prog.bpf.c', 'c', 1, text);
  const ctx = { doc, tree: await parseC(text), settings: defaultSettings };
  const dep = runSyntaxProviders(ctx, neverCancelled).find((f) => f.code === 'bpfls.kfunc-deprecated');
  assert.ok(dep, 'the knowledge lints flag bpf_cpumask_any');
  const actions = provideCodeActions({ ...ctx, range: dep.range, findings: [dep] }, neverCancelled);
  const rename = actions.find((a) => a.title === 'Replace bpf_cpumask_any with bpf_cpumask_any_distribute');
  assert.ok(rename?.isPreferred);
  const fixed = applyEdits(text, rename.edits);
  assert.match(fixed, /extern u32 bpf_cpumask_any_distribute\(const struct cpumask \*cpumask\) __ksym;/);
  assert.match(fixed, /cpu = bpf_cpumask_any_distribute\(\(const struct cpumask \*\) mask\);/);
  const before = compile(text, '-O2', [`-I${inc}`]);
  const after = compile(fixed, '-O2', [`-I${inc}`]);
  assert.ok(before.ok && after.ok, before.stderr + after.stderr);
  await assertBpflsAccepts(after.obj!, '-O2');
  const why = kernelUnavailable();
  if (why) return t.skip(`kernel load: ${why}`);
  assert.ok(!kernelLoad(before.obj!).ok, 'the kernel has no bpf_cpumask_any any more');
  const r = kernelLoad(after.obj!);
  assert.ok(r.ok, r.log);
});

test('kfunc declarations: kernel-internal structs need vmlinux.h, uapi ones do not', { skip: kfuncs ? undefined : 'no kernel BTF' }, async () => {
  const uapi = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\nSEC("tc") int f(struct __sk_buff *s) { return 0; }\n';
  const task = kfuncFix(new Source(uapi, await parseC(uapi)), 'bpf_task_acquire')!;
  assert.match(task.title, /libbpf needs the full struct task_struct: include vmlinux\.h/);
  assert.equal(task.safe, false);
  const skb = kfuncFix(new Source(uapi, await parseC(uapi)), 'bpf_dynptr_from_skb')!;
  assert.doesNotMatch(skb.title, /libbpf needs/);
  assert.equal(skb.safe, true);
  const vm = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n';
  const viaVmlinux = kfuncFix(new Source(vm, await parseC(vm)), 'bpf_task_acquire')!;
  assert.equal(viaVmlinux.safe, true);
  assert.equal(applyEdits(vm, viaVmlinux.edits), vm + 'extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;\n');
});
