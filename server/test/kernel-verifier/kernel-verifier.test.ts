// The kernel verifier path (bpftool): the one-section object variant, the log reading, and real
// loads of examples/*.bpf.c into the running kernel with the pins checked gone afterwards. The
// kernel tests skip with the reason when loading is not permitted here.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { findClang } from '../../src/toolchain/clang';
import { compile, compileOptionsFor } from '../../src/toolchain/compile';
import { loadObject, sourceForInsn } from '../../src/bpf/loader';
import {
  BPFFS_ROOT, PIN_PREFIX, failingInsn, finalErrorLine, kernelVerifierAvailability, kernelVerifyObject,
  objectWithOnlySection, parseLoadOutput, programSections,
} from '../../src/toolchain/kernel-verifier';
import { verdictsDisagree } from '../../src/features/kernel-verifier';
import { cliCommand, repoRoot } from '../lsp-client';

const examples = path.join(repoRoot, 'examples');

let clangMissing = '';
before(async () => {
  const r = await findClang({ trusted: true });
  if (!r.ok) clangMissing = r.message;
});

async function build(file: string, text = fs.readFileSync(file, 'utf8')): Promise<Uint8Array> {
  const found = await findClang({ trusted: true });
  assert.ok(found.ok);
  const r = await compile({ clang: found.clang, text, file, options: compileOptionsFor(file, { extraIncludePaths: [], extraFlags: [], trusted: true }) });
  assert.equal(r.status, 'ok', r.stderr);
  return r.elf!;
}

/** Pin directories this process left under /sys/fs/bpf (there must be none). */
function leftPins(): string[] {
  try {
    return fs.readdirSync(BPFFS_ROOT).filter((n) => n.startsWith(`${PIN_PREFIX}${process.pid}-`));
  } catch {
    return [];
  }
}

const MULTI = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } m SEC(".maps");
SEC("xdp") int good(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int bad(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&m, &k);
	*v += 1; /* BUG */
	return 0;
}
SEC("?xdp") int off(struct xdp_md *ctx) { return XDP_PASS; }
SEC("xdp") int good2(struct xdp_md *ctx) { return XDP_DROP; }
SEC("tc") int bad2(struct __sk_buff *skb) { return *(int *)(long)skb->len; }
SEC("tc") int good3(struct __sk_buff *skb) { return skb->len > 10; }
SEC("fentry/do_unlinkat") int fe(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
`;

test('objectWithOnlySection renames the other program sections and keeps everything else', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-kv-test-'));
  try {
    const elf = await build(path.join(dir, 'multi.bpf.c'), MULTI);
    assert.deepEqual(programSections(elf).sort(), ['?xdp', 'fentry/do_unlinkat', 'tc', 'xdp']);
    const variant = objectWithOnlySection(elf, 'tc')!;
    assert.ok(variant);
    assert.deepEqual(programSections(variant).sort(), ['?fentry/do_unlinkat', '?xdp', '?xdp', 'tc']);
    // The original bytes are untouched apart from the section headers' name fields and the moved
    // string table's header.
    const orig = loadObject(elf).object!;
    const v = loadObject(variant).object!;
    assert.deepEqual(v.programs.filter((p) => p.autoload).map((p) => p.name).sort(), ['bad', 'bad2', 'good3']);
    // Keeping one program of a shared section hides the others' function symbols.
    const one = loadObject(objectWithOnlySection(elf, 'tc', 'bad2')!).object!;
    assert.deepEqual(one.programs.filter((p) => p.autoload).map((p) => p.name), ['bad2']);
    for (const p of orig.programs) {
      const q = v.programs.find((x) => x.name === p.name)!;
      assert.deepEqual(q.insns, p.insns, p.name);
    }
    // llvm-objdump reads the variant as a normal object (where it is installed).
    const f = path.join(dir, 'v.o');
    fs.writeFileSync(f, variant);
    const h = spawnSync('llvm-objdump-19', ['-h', f], { encoding: 'utf8' });
    if (!h.error) {
      assert.equal(h.status, 0, h.stderr);
      assert.match(h.stdout, /\?xdp/);
    }
    assert.equal(objectWithOnlySection(new Uint8Array(10), 'xdp'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the final error line and failing instruction from a verifier log', () => {
  const log = [
    'func#0 @0',
    '0: R1=ctx() R10=fp0',
    '; *value += 1; @ x.bpf.c:22',
    '7: (79) r1 = *(u64 *)(r0 +0)',
    'R0 invalid mem access \'map_value_or_null\'',
    'verification time 177 usec',
    'stack depth 8',
    'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
  ].join('\n');
  assert.equal(finalErrorLine(log), "R0 invalid mem access 'map_value_or_null'");
  assert.equal(failingInsn(log), 7);
  // A message without its newline, statistics glued to it.
  assert.equal(finalErrorLine('3: (85) call bpf_tail_call#12\nexpected prog array map for tail callprocessed 4 insns (limit 1000000)'), 'expected prog array map for tail call');
  // Liveness listings ("   7: 0...... (79)") are not instruction steps.
  assert.equal(failingInsn('      9: 01........ (7b) *(u64 *)(r0 +0) = r1\n2: (bf) r2 = r10'), 2);
  const out = parseLoadOutput([
    "libbpf: prog 'bad': -- BEGIN PROG LOAD LOG --", log, '-- END PROG LOAD LOG --',
    "libbpf: prog 'bad': failed to load: -13", "libbpf: failed to load object 'x.o'",
  ].join('\n'));
  assert.equal(out.loaded, false);
  assert.equal(out.failedProg, 'bad');
  assert.equal(out.errno, 13);
  assert.equal(out.log, log);
  // A pin error after a successful load is no verdict against the program.
  assert.equal(parseLoadOutput("libbpf: prog 'off': can't pin program that wasn't loaded\nError: failed to pin all programs").loaded, true);
  assert.equal(verdictsDisagree({ ok: false, message: 'a' }, { ok: false, message: 'a' }), false);
  assert.equal(verdictsDisagree({ ok: false, message: 'a' }, { ok: false, message: 'b' }), true);
  assert.equal(verdictsDisagree({ ok: true, message: null }, { ok: false, message: 'b' }), true);
});

test('not permitted: reported plainly, nothing loaded', async () => {
  const saved = process.env.BPFLS_NO_KERNEL;
  process.env.BPFLS_NO_KERNEL = '1';
  try {
    const a = kernelVerifierAvailability(true);
    assert.equal(a.ok, false);
    const r = await kernelVerifyObject(new Uint8Array(0), [{ name: 'x', section: 'xdp' }]);
    assert.match(r.unavailable ?? '', /BPFLS_NO_KERNEL/);
    assert.deepEqual(r.verdicts, []);
  } finally {
    if (saved === undefined) delete process.env.BPFLS_NO_KERNEL;
    else process.env.BPFLS_NO_KERNEL = saved;
    kernelVerifierAvailability(true);
  }
});

test('kernel: examples/*.bpf.c verdicts, the error line, and no pins left', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const files = fs.readdirSync(examples).filter((f) => f.endsWith('.bpf.c')).sort();
  assert.ok(files.includes('null_check_missing.bpf.c'));
  for (const f of files) {
    const file = path.join(examples, f);
    const elf = await build(file);
    const obj = loadObject(elf).object!;
    const progs = obj.programs.filter((p) => p.autoload);
    const r = await kernelVerifyObject(elf, progs.map((p) => ({ name: p.name, section: p.section })));
    assert.equal(r.unavailable, undefined);
    assert.equal(r.verdicts.length, progs.length, f);
    for (const v of r.verdicts) {
      if (f === 'null_check_missing.bpf.c') {
        assert.equal(v.ok, false, JSON.stringify(v));
        assert.equal(v.message, "R0 invalid mem access 'map_value_or_null'");
        const prog = progs.find((p) => p.name === v.prog)!;
        const line = sourceForInsn(prog, v.insn!)?.line;
        const want = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('*value += 1')) + 1;
        assert.equal(line, want);
      } else {
        assert.equal(v.ok, true, `${f} ${v.prog}: ${JSON.stringify(v)}`);
      }
    }
    assert.deepEqual(leftPins(), [], `pins left after ${f}`);
  }
});

test('kernel: one program at a time, shared sections, autoload off, EPERM, cancellation', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-kv-test-'));
  try {
    const elf = await build(path.join(dir, 'multi.bpf.c'), MULTI);
    const obj = loadObject(elf).object!;
    const r = await kernelVerifyObject(elf, obj.programs.map((p) => ({ name: p.name, section: p.section })));
    const by = new Map(r.verdicts.map((v) => [v.prog, v]));
    assert.equal(by.get('good')?.ok, true);
    assert.equal(by.get('good2')?.ok, true);
    assert.equal(by.get('bad')?.ok, false);
    assert.equal(by.get('bad')?.message, "R0 invalid mem access 'map_value_or_null'");
    // Each program of a shared section is judged alone, also after another one failed.
    assert.equal(by.get('bad2')?.ok, false);
    assert.equal(by.get('bad2')?.message, "R1 invalid mem access 'scalar'");
    assert.equal(by.get('good3')?.ok, true);
    assert.equal(by.get('off')?.ok, null);
    assert.match(by.get('off')?.skip ?? '', /autoload/);
    // fentry: refused under lockdown here (EPERM, no verdict); accepted where it is permitted.
    const fe = by.get('fe')!;
    assert.ok(fe.ok === true || (fe.ok === null && /EPERM|did not verify/.test(fe.skip ?? '')), JSON.stringify(fe));
    assert.deepEqual(leftPins(), []);
    const cancelled = await kernelVerifyObject(elf, [{ name: 'bad', section: 'tc' }], { isCancelled: () => true });
    assert.ok(cancelled.verdicts.every((v) => v.ok === null));
    assert.deepEqual(leftPins(), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('kernel: bpfls verify --kernel --json', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const [cmd, ...args] = cliCommand();
  const bad = spawnSync(cmd, [...args, 'verify', path.join(examples, 'null_check_missing.bpf.c'), '--kernel', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(bad.status, 1, bad.stderr);
  const line = JSON.parse(bad.stdout.trim().split('\n')[0]);
  assert.equal(line.ok, false);
  assert.deepEqual(line.kernel, { ok: false, message: "R0 invalid mem access 'map_value_or_null'", insn: line.error.insn, line: line.error.line });
  const good = spawnSync(cmd, [...args, 'verify', path.join(examples, 'xdp_counter.bpf.c'), '--kernel'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(good.status, 0, good.stderr + good.stdout);
  assert.match(good.stdout, /kernel: accepted/);
});

const PINNED = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpfls_test_pinned_${process.pid} SEC(".maps");
SEC("xdp") int pinned(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&bpfls_test_pinned_${process.pid}, &k);
	if (v) *v += 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
`;
test('kernel: a map pinned by name (LIBBPF_PIN_BY_NAME) is unpinned after the check', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-kv-test-'));
  const pin = path.join(BPFFS_ROOT, `bpfls_test_pinned_${process.pid}`);
  try {
    const elf = await build(path.join(dir, 'pinned.bpf.c'), PINNED);
    const r = await kernelVerifyObject(elf, [{ name: 'pinned', section: 'xdp' }]);
    assert.equal(r.verdicts[0]?.ok, true, JSON.stringify(r.verdicts));
    assert.equal(fs.existsSync(pin), false, `${pin} was left pinned`);
    assert.deepEqual(leftPins(), []);
  } finally {
    fs.rmSync(pin, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
