// Target facts: what the target kernel's machine and configuration decide regardless of the program
// (nr_cpu_ids for bpf_get_smp_processor_id, CONFIG_BPF_KPROBE_OVERRIDE, CONFIG_KALLSYMS_ALL), and the
// readers of /sys/devices/system/cpu/possible and the kernel config. Kernel-checked versions of the
// same programs: test/corpus-real/target_facts.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObject } from '../../src/bpf/loader';
import { build } from './util';
import { verifyProgram } from '../../src/bpf/verifier';
import { smpProcessorIdMax, NR_CPUS_MAX, helperConfiguredOut } from '../../src/bpf/verifier/target';
import { parseCpuList, parseKconfig } from '../../src/toolchain/target-facts';
import { parseBtf } from '../../src/bpf/btf/btf';
import { BtfKind } from '../../src/bpf/btf/types';

const KPROBE = 2;
const ARRAY = 2;

test('cpu lists and config files parse as the kernel writes them', () => {
  assert.equal(parseCpuList('0-1\n'), 2);
  assert.equal(parseCpuList('0\n'), 1);
  assert.equal(parseCpuList('0,2-5,7'), 8);
  assert.equal(parseCpuList('garbage'), undefined);
  assert.equal(parseCpuList(''), undefined);
  const k = parseKconfig('#\n# CONFIG_KALLSYMS_ALL is not set\nCONFIG_HZ=250\nCONFIG_BPF_JIT=y\nCONFIG_X=m\nCONFIG_S="a b"\n');
  assert.deepEqual(k, { CONFIG_HZ: '250', CONFIG_BPF_JIT: 'y', CONFIG_X: 'm', CONFIG_S: '"a b"' });
  assert.equal(smpProcessorIdMax(undefined), NR_CPUS_MAX - 1);
  assert.equal(smpProcessorIdMax({ possibleCpus: 2 }), 1);
  assert.equal(smpProcessorIdMax({ possibleCpus: 0 }), NR_CPUS_MAX - 1);
});

// value of 16 bytes indexed by cpu * 8: in bounds for 2 CPUs, out of bounds for 3 or for the default bound
const CPU_INDEX = `r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m0 ll
call 1
if r0 == 0 goto out
r6 = r0
call 8
r0 <<= 3
r6 += r0
r1 = *(u64 *)(r6 + 0)
out:
r0 = 0
exit`;

test('bpf_get_smp_processor_id is bounded by nr_cpu_ids - 1 when the target is known', () => {
  const maps = [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }];
  const { obj, prog } = build(CPU_INDEX, KPROBE, maps);
  const dflt = verifyProgram(obj, prog);
  assert.equal(dflt.ok, false);
  assert.match(dflt.error!.message, /max value is outside of the allowed memory range|invalid access to map value/);
  assert.equal(verifyProgram(obj, prog, { target: { possibleCpus: 2 } }).ok, true);
  assert.equal(verifyProgram(obj, prog, { target: { possibleCpus: 3 } }).ok, false);
});

test('bpf_override_return is refused when the target kernel lacks CONFIG_BPF_KPROBE_OVERRIDE', () => {
  const { obj, prog } = build('r2 = -1\ncall 58\nr0 = 0\nexit', KPROBE);
  const noFacts = verifyProgram(obj, prog);
  assert.equal(noFacts.ok, true, 'without facts: accepted as before');
  assert.ok(noFacts.notes.some((n) => n.includes('CONFIG_BPF_KPROBE_OVERRIDE')), 'and the assumption is noted');
  assert.equal(verifyProgram(obj, prog, { target: { kconfig: { CONFIG_BPF_KPROBE_OVERRIDE: 'y' } } }).ok, true);
  const off = verifyProgram(obj, prog, { target: { kconfig: { CONFIG_HZ: '250' } } });
  assert.equal(off.ok, false);
  assert.equal(off.error?.message, 'program of this type cannot use helper bpf_override_return#58');
  assert.equal(helperConfiguredOut('bpf_map_lookup_elem', { kconfig: {} }), false);
});

test('a typed variable ksym has no address without CONFIG_KALLSYMS_ALL', (t) => {
  if (!existsSync('/sys/kernel/btf/vmlinux')) return t.skip('no /sys/kernel/btf/vmlinux to take a kernel variable from');
  const { btf } = parseBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
  if (!btf) return t.skip('vmlinux BTF did not parse');
  const v = btf.byName('runqueues', BtfKind.VAR) ?? btf.types.find((x) => x.kind === BtfKind.VAR && !!x.name);
  if (!v) return t.skip('no VAR in vmlinux BTF');
  const { obj, prog } = build('r0 = 0 ll\nr0 = 0\nexit', KPROBE);
  prog.insns[0].src = 3; // BPF_PSEUDO_BTF_ID
  prog.insns[0].imm = v.id;
  obj.targetBtf = btf;
  const off = verifyProgram(obj, prog, { target: { kconfig: {} } });
  assert.equal(off.ok, false);
  assert.equal(off.error?.message, `ldimm64 failed to find the address for kernel symbol '${v.name}'.`);
  assert.equal(off.processed, 0);
  assert.notEqual(verifyProgram(obj, prog, { target: { kconfig: { CONFIG_KALLSYMS_ALL: 'y' } } }).error?.message, off.error?.message);
  assert.notEqual(verifyProgram(obj, prog).error?.message, off.error?.message);
});

test('.kconfig externs take the target config; a strong one it does not set is refused as libbpf does', (t) => {
  const clang = spawnSync('clang-19', ['--version']);
  if (clang.status !== 0) return t.skip('clang-19 not available');
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-kcfg-'));
  try {
    writeFileSync(join(dir, 'k.c'), [
      '#include <linux/types.h>', '#include <bpf/bpf_helpers.h>',
      'extern int CONFIG_HZ __kconfig;', 'extern int CONFIG_NOPE_UNSET __kconfig;',
      'SEC("kprobe/x") int p(void *ctx) { return CONFIG_HZ + CONFIG_NOPE_UNSET; }',
      'char LICENSE[] SEC("license") = "GPL";', ''].join('\n'));
    const c = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', 'k.c', '-o', 'k.o'], { cwd: dir });
    if (c.status !== 0) return t.skip(`clang-19 could not build the object: ${c.stderr.toString().slice(0, 200)}`);
    const elf = new Uint8Array(readFileSync(join(dir, 'k.o')));
    const without = loadObject(elf, {});
    assert.deepEqual(without.errors, []);
    const withCfg = loadObject(elf, { kconfig: parseKconfig('CONFIG_HZ=250\n# CONFIG_NOPE_UNSET is not set\n') });
    assert.deepEqual(withCfg.errors, ["extern 'CONFIG_NOPE_UNSET' (strong): not resolved"]);
    const kc = withCfg.object?.maps.find((m) => m.name === '.kconfig');
    assert.ok(kc?.initialValue);
    const vals = new DataView(kc.initialValue.buffer, kc.initialValue.byteOffset);
    assert.ok([vals.getInt32(0, true), vals.getInt32(4, true)].includes(250));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
