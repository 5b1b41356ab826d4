import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseBtf } from '../../src/bpf/btf/btf';
import { kfuncsFromBtf, kfuncFacts, kfuncAllowedFor, describeKfuncFlags, KFUNC_DEPRECATIONS } from '../../src/knowledge/kfuncs';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function readVmlinux(): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(VMLINUX));
  } catch {
    return undefined;
  }
}

test("the kfunc list matches the running kernel's BTF (bpftool decl tags)", (t) => {
  const bytes = readVmlinux();
  if (!bytes) return t.skip(`${VMLINUX} not readable`);
  const dump = spawnSync('bpftool', ['btf', 'dump', 'file', VMLINUX], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (dump.status !== 0) return t.skip('bpftool not available');
  const tagged = new Set<string>();
  for (const m of dump.stdout.matchAll(/DECL_TAG 'bpf_kfunc' type_id=(\d+) component_idx=-1/g)) tagged.add(m[1]);
  const expected = new Set<string>();
  for (const m of dump.stdout.matchAll(/^\[(\d+)\] FUNC '(\w+)'/gm)) if (tagged.has(m[1])) expected.add(m[2]);
  const btf = parseBtf(bytes).btf!;
  const got = kfuncsFromBtf(btf);
  assert.deepEqual(new Set(got.map((k) => k.name)), expected);
  assert.ok(got.length > 50);
  const acquire = got.find((k) => k.name === 'bpf_task_acquire');
  if (acquire) {
    assert.equal(acquire.proto, 'struct task_struct *bpf_task_acquire(struct task_struct *p)');
    assert.deepEqual(acquire.params, [{ name: 'p', cType: 'struct task_struct *' }]);
  }
  // The KF_* table covers most of what this kernel offers (the rest: test kfuncs and the newest).
  const covered = got.filter((k) => kfuncFacts(k.name)).length;
  assert.ok(covered / got.length > 0.8, `${covered}/${got.length} kfuncs have KF_* facts`);
  // Every prototype names its parameters as the kernel does.
  for (const k of got) for (const p of k.params) assert.ok(p.name, `${k.name} parameter named`);
});

test('KF_* flags, program types and deprecations from the kernel sources', () => {
  assert.deepEqual([...kfuncFacts('bpf_task_acquire')!.flags].sort(), ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL']);
  assert.deepEqual(kfuncFacts('bpf_task_release')!.flags, ['KF_RELEASE']);
  assert.deepEqual(kfuncFacts('bpf_iter_num_new')!.flags, ['KF_ITER_NEW']);
  assert.ok(kfuncFacts('bpf_iter_num_next')!.flags.includes('KF_ITER_NEXT'));
  assert.ok(kfuncFacts('bpf_iter_num_destroy')!.flags.includes('KF_ITER_DESTROY'));
  assert.ok(kfuncFacts('bpf_cpumask_create')!.flags.includes('KF_ACQUIRE'));
  assert.equal(kfuncAllowedFor('bpf_iter_num_new', 'XDP'), true, 'common set serves every program type');
  assert.equal(kfuncAllowedFor('bpf_task_acquire', 'LSM'), true, 'TRACING registration covers LSM');
  assert.equal(kfuncAllowedFor('bpf_cpumask_create', 'XDP'), false);
  assert.equal(kfuncAllowedFor('bpf_dynptr_from_skb', 'SCHED_CLS'), true);
  assert.equal(kfuncAllowedFor('no_such_kfunc', 'XDP'), undefined);
  assert.match(kfuncFacts('bpf_obj_new_impl')!.deprecated!.successor, /the bpf_obj_new\(\) macro \(bpf_experimental.h\)/);
  assert.equal(KFUNC_DEPRECATIONS.bpf_cpumask_any.successor, 'bpf_cpumask_any_distribute');
  assert.match(describeKfuncFlags(['KF_RET_NULL'])[0], /NULL/);
});

test('kfuncsFromBtf on a small synthetic BTF, and split BTF skips its base', () => {
  const T = (id: number, kind: number, name: string, type = 0, extra: object = {}) => ({ id, kind, name, size: kind === 1 ? 4 : 0, type, ...extra });
  const types = [
    T(0, 0, ''),
    T(1, 1, 'int'),
    T(2, 13, '', 1, { params: [{ name: 'x', type: 1 }, { name: '', type: 0 }] }),
    T(3, 12, 'base_kfunc', 2, { linkage: 1 }),
    T(4, 17, 'bpf_kfunc', 3, { componentIdx: -1 }),
    T(5, 12, 'module_kfunc', 2, { linkage: 1 }),
    T(6, 17, 'bpf_kfunc', 5, { componentIdx: -1 }),
    T(7, 17, 'bpf_kfunc', 5, { componentIdx: 0 }),
    T(8, 17, 'bpf_kfunc', 99, { componentIdx: -1 }),
  ] as unknown as import('../../src/bpf/btf/types').BtfType[];
  const typeName = (id: number) => (id === 0 ? 'void' : id === 1 ? 'int' : '?');
  const all = kfuncsFromBtf({ types, typeName });
  assert.deepEqual(all.map((k) => k.proto), ['int base_kfunc(int x, ...)', 'int module_kfunc(int x, ...)']);
  assert.deepEqual(kfuncsFromBtf({ types, typeName, startId: 5 }).map((k) => k.name), ['module_kfunc']);
});
