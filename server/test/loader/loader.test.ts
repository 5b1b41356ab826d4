// Loader behaviour on the compiled fixtures (test/corpus-loader sources): sections, maps and their
// initial slots, global data, subprogram linking, CO-RE against vmlinux, kfunc/ksym/kconfig externs,
// and the shared instruction-to-source mapping. Objects that need clang are skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObject, sourceForInsn, classifySection } from '../../src/bpf/loader/index';
import { parseBtf, type Btf } from '../../src/bpf/btf/btf';
import { BtfKind } from '../../src/bpf/btf/types';
import { MapType, ProgType } from '../../src/bpf/progtypes';
import { attachTypeNumber } from '../../src/bpf/loader/sections';
import { BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC } from '../../src/bpf/isa/opcodes';
import { compile, findClang } from './oracle';

const fixture = (n: string) => readFileSync(join(__dirname, 'fixtures', `${n}.bpf.o`));
let vmlinux: Btf | undefined;
try { vmlinux = parseBtf(readFileSync('/sys/kernel/btf/vmlinux')).btf; } catch { /* not readable */ }

test('section names classify like libbpf', () => {
  const c = classifySection;
  assert.deepEqual([c('xdp').progType, c('xdp').expectedAttachType], [ProgType.XDP, attachTypeNumber('BPF_XDP')]);
  assert.equal(c('?tc').autoload, false);
  assert.equal(c('?tc').progType, ProgType.SCHED_CLS);
  assert.equal(c('tc/ingress').expectedAttachType, attachTypeNumber('BPF_TCX_INGRESS'));
  assert.equal(c('kprobe/do_sys_open').attachTo, 'do_sys_open');
  assert.equal(c('kprobe').progType, ProgType.KPROBE);
  assert.equal(c('kprobex').progType, ProgType.UNSPEC, '"kprobe+" needs an exact match or a "/" separator');
  assert.equal(c('fentry.s/do_unlinkat').sleepable, true);
  assert.equal(c('fentry.s/do_unlinkat').progType, ProgType.TRACING);
  assert.equal(c('lsm/file_open').expectedAttachType, attachTypeNumber('BPF_LSM_MAC'));
  assert.equal(c('xdp.frags/devmap').expectedAttachType, attachTypeNumber('BPF_XDP_DEVMAP'));
  assert.equal(c('sk_reuseport/migrate').expectedAttachType, attachTypeNumber('BPF_SK_REUSEPORT_SELECT_OR_MIGRATE'));
  assert.equal(c('cgroup/connect4').progType, ProgType.CGROUP_SOCK_ADDR);
  assert.equal(c('syscall').sleepable, true);
  assert.equal(c('tp_btf/sched_switch').attachTo, 'sched_switch');
  assert.equal(c('uprobe.s//bin/true:main').sleepable, true);
  assert.equal(c('struct_ops/foo').progType, ProgType.STRUCT_OPS);
  assert.equal(c('no_such_section').progType, ProgType.UNSPEC);
});

test('maps: BTF-defined maps, map-in-map inner template, initial slots', () => {
  const { object, errors } = loadObject(fixture('map_in_map'));
  assert.deepEqual(errors, []);
  const byName = new Map(object!.maps.map((m) => [m.name, m]));
  assert.deepEqual([...byName.keys()], ['in1', 'in2', 'outer', 'jmp']);
  const outer = byName.get('outer')!;
  assert.equal(outer.type, MapType.ARRAY_OF_MAPS);
  assert.equal(outer.valueSize, 4);
  assert.equal(outer.inner?.type, MapType.ARRAY);
  assert.deepEqual(outer.initSlots, ['in1', null, 'in2', null]);
  assert.deepEqual(byName.get('jmp')!.initSlots, [null, 'tail0']);
  object!.maps.forEach((m, i) => assert.equal(m.index, i));
  const mim = object!.programs.find((p) => p.name === 'mim')!;
  const refs = mim.insns.filter((i) => i.code === 0x18 && i.src === BPF_PSEUDO_MAP_IDX).map((i) => object!.maps[i.imm].name);
  assert.deepEqual(refs, ['outer', 'jmp']);
});

test('global data: sections become array maps with initial values; .rodata frozen', () => {
  const { object, errors } = loadObject(fixture('globals'));
  assert.deepEqual(errors, []);
  const names = object!.maps.map((m) => m.name);
  for (const n of ['.data', '.rodata', '.bss', '.data.custom', '.rodata.custom', '.bss.custom']) assert.ok(names.includes(n), `${n} in ${names}`);
  const data = object!.maps.find((m) => m.name === '.data')!;
  assert.equal(data.type, MapType.ARRAY);
  assert.equal(data.maxEntries, 1);
  assert.equal(data.frozen, false);
  const ro = object!.maps.find((m) => m.name === '.rodata')!;
  assert.equal(ro.frozen, true);
  assert.ok(ro.initialValue!.length === ro.valueSize);
  const dataBtf = object!.btf!.byName('.data', BtfKind.DATASEC)!;
  const counter = dataBtf.secinfo!.map((s) => ({ s, v: object!.btf!.types[s.type] })).find((x) => x.v.name === 'counter')!;
  assert.equal(new DataView(data.initialValue!.buffer, data.initialValue!.byteOffset).getInt32(counter.s.offset, true), 1);
  const prog = object!.programs[0];
  const valueRefs = prog.insns.filter((i) => i.code === 0x18 && i.src === BPF_PSEUDO_MAP_IDX_VALUE);
  assert.ok(valueRefs.length >= 5);
  assert.equal(prog.license, 'GPL');
});

test('subprograms are appended in libbpf order and calls point at them', () => {
  const { object, errors } = loadObject(fixture('subprogs'));
  assert.deepEqual(errors, []);
  const a = object!.programs.find((p) => p.name === 'main_a')!;
  // main_a calls mid_a then global_fn; mid_a pulls in leaf; global_fn pulls mid_b
  assert.deepEqual(a.funcInfo.map((f) => f.name), ['main_a', 'mid_a', 'leaf', 'global_fn', 'mid_b']);
  for (const [k, i] of a.insns.entries()) {
    if (i.code === 0x85 && i.src === BPF_PSEUDO_CALL) {
      const target = k + i.imm + 1;
      assert.ok(a.funcInfo.some((f) => f.insnOff === target), `call at ${k} lands on a function start`);
    }
  }
  const loop = object!.programs.find((p) => p.name === 'with_loop')!;
  const fn = loop.insns.findIndex((i) => i.code === 0x18 && i.src === BPF_PSEUDO_FUNC);
  assert.ok(fn >= 0);
  assert.ok(loop.funcInfo.some((f) => f.insnOff === fn + loop.insns[fn].imm + 1 && f.name === 'cb'));
  assert.equal(object!.programs.filter((p) => p.section === 'tp/syscalls/sys_enter_read').length, 2, 'two programs in one section');
  // line_info offsets are instruction slots inside the linked program, sorted
  for (const p of object!.programs) {
    for (let k = 1; k < p.lineInfo.length; k++) assert.ok(p.lineInfo[k].insnOff > p.lineInfo[k - 1].insnOff);
    assert.ok(p.lineInfo.every((l) => l.insnOff < p.insns.length));
  }
});

test('sourceForInsn maps every instruction to the nearest preceding line_info', () => {
  const { object } = loadObject(fixture('subprogs'));
  const p = object!.programs[0];
  for (let i = 0; i < p.insns.length; i++) {
    const s = sourceForInsn(p, i)!;
    const expect = [...p.lineInfo].reverse().find((l) => l.insnOff <= i)!;
    assert.equal(`${s.fileName}:${s.line}:${s.col}`, `${expect.fileName}:${expect.line}:${expect.col}`);
  }
  assert.match(sourceForInsn(p, 0)!.lineText, /main_a/);
  assert.equal(sourceForInsn({ lineInfo: [] }, 3), undefined);
});

test('CO-RE against vmlinux: offsets follow the kernel, missing fields are poisoned', (t) => {
  if (!vmlinux) return t.skip('/sys/kernel/btf/vmlinux is not readable');
  const { object, errors } = loadObject(fixture('core_fields'), { targetBtf: vmlinux });
  assert.deepEqual(errors, []);
  const p = object!.programs.find((x) => x.name === 'core_fields')!;
  const poisoned = p.insns.map((i, k) => (i.code === 0x85 && i.imm === 0xbad2310 ? k : -1)).filter((k) => k >= 0);
  assert.equal(poisoned.length, 1);
  assert.deepEqual(p.problems.map((x) => x.insn), poisoned);
  assert.match(p.problems[0].message, /task_struct___missing/);
  // the offset of task_struct.pid in the kernel appears as the immediate BPF_CORE_READ adds to the task pointer
  const task = vmlinux.byName('task_struct', BtfKind.STRUCT)!;
  const pidOff = vmlinux.findMember(task.id, 'pid')!.bitOffset / 8;
  assert.ok(p.insns.some((i) => ((i.code === 0xb7 || i.code === 0x07) && i.imm === pidOff) || i.off === pidOff), `offset ${pidOff} of pid is used`);
  // tp_btf programs carry the id of their btf_trace_ typedef
  assert.equal(p.attachBtfId, vmlinux.byName('btf_trace_sched_switch', BtfKind.TYPEDEF)!.id);
  // without a target BTF, relocations resolve against the object itself and a note says so
  const local = loadObject(fixture('core_fields'));
  assert.ok(local.object!.notes.some((n) => /no target BTF/.test(n)));
});

test('kfuncs, typed ksyms and .kconfig externs', (t) => {
  if (!vmlinux) return t.skip('/sys/kernel/btf/vmlinux is not readable');
  const { object, errors } = loadObject(fixture('kfuncs'), { targetBtf: vmlinux, kernelVersion: 0x060c00, kconfig: { CONFIG_HZ: 250 } });
  assert.deepEqual(errors, []);
  const p = object!.programs[0];
  const kcalls = p.insns.filter((i) => i.code === 0x85 && i.src === BPF_PSEUDO_KFUNC_CALL);
  const acquire = vmlinux.byName('bpf_task_acquire', BtfKind.FUNC)!;
  assert.ok(kcalls.some((i) => i.imm === acquire.id && i.off === 0));
  const active = vmlinux.byName('bpf_prog_active', BtfKind.VAR)!;
  assert.ok(p.insns.some((i) => i.code === 0x18 && i.src === BPF_PSEUDO_BTF_ID && i.imm === active.id));
  assert.ok(p.problems.some((x) => /bpf_no_such_kfunc_x/.test(x.message)));
  const kc = object!.maps.find((m) => m.name === '.kconfig')!;
  assert.equal(kc.frozen, true);
  const v = new DataView(kc.initialValue!.buffer);
  // layout (libbpf): by alignment descending, then size: CONFIG_HZ@0 (u64), LINUX_KERNEL_VERSION@8
  assert.equal(v.getBigUint64(0, true), 250n);
  assert.equal(v.getUint32(8, true), 0x060c00);
  const kds = object!.btf!.byName('.kconfig', BtfKind.DATASEC)!;
  assert.equal(kds.size, kc.valueSize);
  const lkv = kds.secinfo!.find((vi) => object!.btf!.types[vi.type].name === 'LINUX_KERNEL_VERSION')!;
  assert.equal(lkv.offset, 8);
  const kref = p.insns.filter((i) => i.code === 0x18 && i.src === BPF_PSEUDO_MAP_IDX_VALUE && i.imm === kc.index);
  assert.ok(kref.length >= 3);
  // a typeless ksym takes its address from kallsyms (split over the ldimm64 pair), or is reported
  assert.ok(p.problems.some((x) => /'_stext': typeless ksym needs its \/proc\/kallsyms address/.test(x.message)));
  const withAddr = loadObject(fixture('kfuncs'), { targetBtf: vmlinux, kallsyms: new Map([['_stext', 0xffffffff81000000n]]) });
  const q = withAddr.object!.programs[0];
  const k = q.insns.findIndex((i) => i.code === 0x18 && i.src === 0 && i.imm === (0x81000000 | 0));
  assert.ok(k >= 0 && q.insns[k + 1].imm === -1);
  assert.ok(!q.problems.some((x) => /_stext/.test(x.message)));
  // without a target BTF the kfunc stays unresolved and says so
  const bare = loadObject(fixture('kfuncs'));
  assert.ok(bare.object!.programs[0].problems.some((x) => /bpf_task_acquire.*no target BTF/.test(x.message)));
  assert.ok(bare.object!.programs[0].insns.some((i) => i.src === BPF_PSEUDO_KFUNC_CALL && i.imm === -1));
});

test('legacy maps section, max_entries 0, static programs outside .text', (t) => {
  const clang = findClang();
  if (!clang) return t.skip('clang is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-loader-'));
  const src = join(dir, 'legacy.bpf.c');
  writeFileSync(src, `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct bpf_map_def_legacy { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def_legacy SEC("maps") old_map = { BPF_MAP_TYPE_HASH, 4, 8, 16, 0 };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, int); __type(value, int); } sized_later SEC(".maps");
SEC("xdp") int legacy(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&old_map, &k); bpf_map_lookup_elem(&sized_later, &k); return 2; }
SEC("xdp") static int hidden(struct xdp_md *ctx) { return 1; }
char LICENSE[] SEC("license") = "Dual BSD/GPL";
`);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const obj = join(dir, 'legacy.o');
  assert.equal(compile(clang, src, obj), undefined);
  const { object, errors } = loadObject(readFileSync(obj));
  assert.ok(errors.some((e) => /'hidden' is static and not supported/.test(e)));
  assert.ok(object!.notes.some((n) => /legacy map definitions/.test(n)));
  assert.ok(object!.notes.some((n) => /sized_later' has max_entries 0/.test(n)));
  const old = object!.maps.find((m) => m.name === 'old_map')!;
  assert.deepEqual([old.type, old.keySize, old.valueSize, old.maxEntries], [MapType.HASH, 4, 8, 16]);
  assert.equal(object!.maps.find((m) => m.name === 'sized_later')!.maxEntries, 4096);
  const p = object!.programs.find((x) => x.name === 'legacy')!;
  assert.deepEqual(p.insns.filter((i) => i.code === 0x18).map((i) => object!.maps[i.imm].name), ['old_map', 'sized_later']);
  assert.equal(object!.license, 'Dual BSD/GPL');
});

test('garbage in, errors out', () => {
  assert.ok(loadObject(new Uint8Array(0)).errors.length > 0);
  assert.equal(loadObject(new Uint8Array(100)).object, undefined);
  const r = loadObject(fixture('subprogs'), { targetBtf: new Uint8Array([1, 2, 3]) });
  assert.ok(r.object!.notes.some((n) => /target BTF is unusable/.test(n)));
});

test('BTF-attached programs find their attach target like libbpf', (t) => {
  const clang = findClang();
  if (!clang) return t.skip('clang is not installed');
  if (!vmlinux) return t.skip('/sys/kernel/btf/vmlinux is not readable');
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-loader-'));
  const src = join(dir, 'attach.bpf.c');
  writeFileSync(src, `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("fentry/do_unlinkat") int fe(void *ctx) { return 0; }
SEC("fexit.s/do_unlinkat") int fx(void *ctx) { return 0; }
SEC("lsm/file_open") int ls(void *ctx) { return 0; }
SEC("iter/task") int it(void *ctx) { return 0; }
SEC("tp_btf/no_such_tracepoint_xyz") int bad(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
`);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const obj = join(dir, 'attach.o');
  assert.equal(compile(clang, src, obj), undefined);
  const { object } = loadObject(readFileSync(obj), { targetBtf: vmlinux });
  const get = (n: string) => object!.programs.find((p) => p.name === n)!;
  assert.equal(get('fe').attachBtfId, vmlinux.byName('do_unlinkat', BtfKind.FUNC)!.id);
  assert.equal(get('fx').sleepable, true);
  assert.equal(get('ls').attachBtfId, vmlinux.byName('bpf_lsm_file_open', BtfKind.FUNC)?.id);
  assert.equal(get('it').attachBtfId, vmlinux.byName('bpf_iter_task', BtfKind.FUNC)?.id);
  assert.equal(get('bad').attachBtfId, undefined);
  assert.match(get('bad').problems[0].message, /failed to find kernel BTF type ID of 'no_such_tracepoint_xyz'/);
});

test('struct_ops: one map per variable, member slots, programs bound to kernel members', (t) => {
  const { object, errors } = loadObject(fixture('struct_ops'), { targetBtf: vmlinux });
  assert.deepEqual(errors, []);
  const m = object!.maps.find((x) => x.name === 'bpfls_cc')!;
  assert.equal(m.type, MapType.STRUCT_OPS);
  assert.deepEqual(m.initSlots, ['cc_init', 'cc_ssthresh', 'cc_avoid', 'cc_undo', null]);
  assert.equal(new TextDecoder().decode(m.initialValue!.subarray(32, 40)), 'bpfls_cc');
  if (!vmlinux) return t.skip('/sys/kernel/btf/vmlinux is not readable: kernel member binding not checked');
  const kern = vmlinux.byName('tcp_congestion_ops', BtfKind.STRUCT)!;
  assert.equal(m.valueSize, vmlinux.byName('bpf_struct_ops_tcp_congestion_ops', BtfKind.STRUCT)!.size);
  for (const [prog, member] of [['cc_init', 'init'], ['cc_undo', 'undo_cwnd']]) {
    const p = object!.programs.find((x) => x.name === prog)!;
    assert.equal(p.attachBtfId, kern.id);
    assert.equal(kern.members![p.expectedAttachType].name, member);
  }
});
