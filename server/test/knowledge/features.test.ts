// The knowledge features through the analysis registries, as the LSP server and `bpfls check`
// call them, on BPF C written against the 6.1 uapi header alone and against libbpf's header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import '../../src/features/knowledge';
import { completionProviders, hoverProviders, signatureHelpProviders, syntaxProviders } from '../../src/analysis/registry';
import { DocumentSnapshot } from '../../src/analysis/document';
import { normalizeSettings, type BpflsSettings } from '../../src/analysis/settings';
import type { Position } from '../../src/analysis/types';
import type { KnowledgeCompletionItem } from '../../src/features/knowledge/editor';
import { LIBBPF_PROGRAM, UAPI_PROGRAM } from './programs';

const UAPI = '/usr/include/linux/bpf.h';
const LIBBPF_DEFS = '/usr/include/bpf/bpf_helper_defs.h';
const VMLINUX = '/sys/kernel/btf/vmlinux';
const CLANG = process.env.BPFLS_CLANG ?? 'clang-19';

let tmp = '';
let uapiDir = '';
let libbpfDir = '';
before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'bpfls-knowledge-'));
  uapiDir = path.join(tmp, 'uapi');
  libbpfDir = path.join(tmp, 'libbpf');
  mkdirSync(path.join(uapiDir, 'linux'), { recursive: true });
  mkdirSync(path.join(libbpfDir, 'bpf'), { recursive: true });
  if (existsSync(UAPI)) copyFileSync(UAPI, path.join(uapiDir, 'linux/bpf.h'));
  if (existsSync(LIBBPF_DEFS)) copyFileSync(LIBBPF_DEFS, path.join(libbpfDir, 'bpf/bpf_helper_defs.h'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Only the given directory on the include path: docs come from it or from nowhere. */
function settingsWith(dir: string | undefined, extra: Record<string, unknown> = {}): BpflsSettings {
  return normalizeSettings({ extraFlags: dir ? ['-nostdinc', `-I${dir}`] : ['-nostdinc'], targetBtf: VMLINUX, ...extra });
}

function snapshot(text: string, version = 1): DocumentSnapshot {
  return new DocumentSnapshot('file:///work/prog.bpf.c', 'c', version, text);
}

function posOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} in text`);
  return snapshot(text).positionAt(at + delta);
}

function hover(text: string, position: Position, settings: BpflsSettings): string | undefined {
  const doc = snapshot(text);
  for (const p of hoverProviders) {
    const h = p.provideHover({ doc, tree: undefined, settings, position }, { isCancellationRequested: false });
    if (h) return h.contents;
  }
  return undefined;
}

function findings(text: string, settings: BpflsSettings) {
  const doc = snapshot(text);
  return syntaxProviders.filter((p) => p.id === 'knowledge-lints').flatMap((p) => p.provideFindings({ doc, tree: undefined, settings }, { isCancellationRequested: false }));
}

function completions(text: string, position: Position, settings: BpflsSettings): KnowledgeCompletionItem[] {
  const doc = snapshot(text);
  return completionProviders.filter((p) => p.id === 'knowledge-completion').flatMap((p) => p.provideCompletions({ doc, tree: undefined, settings, position }, { isCancellationRequested: false }));
}

function signature(text: string, position: Position, settings: BpflsSettings) {
  const doc = snapshot(text);
  for (const p of signatureHelpProviders) {
    const s = p.provideSignatureHelp({ doc, tree: undefined, settings, position }, { isCancellationRequested: false });
    if (s) return s;
  }
  return undefined;
}

function vmlinuxReadable(): boolean {
  try {
    readFileSync(VMLINUX).subarray(0, 4);
    return true;
  } catch {
    return false;
  }
}

test('both test programs are real BPF C (clang compiles them)', (t) => {
  if (spawnSync(CLANG, ['--version']).status !== 0) return t.skip(`${CLANG} not installed`);
  for (const [name, text] of [['uapi', UAPI_PROGRAM], ['libbpf', LIBBPF_PROGRAM]]) {
    const src = path.join(tmp, `${name}.bpf.c`);
    writeFileSync(src, text);
    const r = spawnSync(CLANG, ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', path.join(tmp, `${name}.o`)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
});

test('hover on a helper: signature, ID, since, GPL, program types, docs from the 6.1 uapi header', (t) => {
  if (!existsSync(UAPI)) return t.skip(`${UAPI} not installed`);
  const md = hover(UAPI_PROGRAM, posOf(UAPI_PROGRAM, 'bpf_map_lookup_elem(&counts', 3), settingsWith(uapiDir))!;
  assert.match(md, /void \*bpf_map_lookup_elem\(struct bpf_map \*map, const void \*key\)/);
  assert.match(md, /BPF helper #1 · since Linux 3\.19 · not GPL-only/);
  assert.match(md, /Available in SEC\("xdp"\) \(BPF_PROG_TYPE_XDP\)/);
  assert.match(md, /Perform a lookup in \*map\*/);
  assert.match(md, /\*\*Program types:\*\* all program types/);
  assert.ok(md.includes(`Documentation from ${path.join(uapiDir, 'linux/bpf.h')}`), md);
});

test("hover on a helper: docs from libbpf's bpf_helper_defs.h; GPL-only shown", (t) => {
  if (!existsSync(LIBBPF_DEFS)) return t.skip(`${LIBBPF_DEFS} not installed`);
  const md = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'bpf_probe_read_kernel(', 4), settingsWith(libbpfDir))!;
  assert.match(md, /BPF helper #113 · since Linux 5\.5 · \*\*GPL-only\*\*/);
  assert.match(md, /Safely attempt to read/);
  assert.match(md, /\*\*Not available\*\* in SEC\("socket"\)|when the loader has CAP_PERFMON/);
  assert.ok(md.includes(`Documentation from ${path.join(libbpfDir, 'bpf/bpf_helper_defs.h')}`));
});

test('hover without headers still shows the facts and says where docs come from', () => {
  const md = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'bpf_ringbuf_output(', 2), settingsWith(undefined))!;
  assert.match(md, /BPF helper #130 · since Linux 5\.8/);
  assert.match(md, /ARG_PTR_TO_MEM \| MEM_RDONLY/);
  assert.match(md, /No documentation found: bpfls reads it from libbpf's bpf\/bpf_helper_defs\.h or the kernel's linux\/bpf\.h/);
});

test('hover on a kfunc: flags in words, program types, since, target BTF, and the stability warning', (t) => {
  const settings = settingsWith(libbpfDir);
  const md = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'bpf_task_acquire(t)', 2), settings)!;
  assert.match(md, /kfuncs are not stable UAPI/);
  assert.match(md, /since Linux 6\.2/);
  assert.match(md, /KF_ACQUIRE: returns a referenced/);
  assert.match(md, /KF_RET_NULL: may return NULL/);
  assert.match(md, /Program types:\*\* TRACING/);
  if (!vmlinuxReadable()) return t.skip(`${VMLINUX} not readable`);
  assert.match(md, /extern struct task_struct \*bpf_task_acquire\(struct task_struct \*p\) __ksym;/);
  assert.match(md, /Present in the target kernel's BTF/);
  const missing = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'bpf_no_such_kfunc_xyz();', 2), settings)!;
  assert.match(missing, /\*\*Absent\*\* from the target kernel's BTF/);
  assert.match(missing, /kfuncs are not stable UAPI/);
});

test('hover on a kfunc with an unreadable target BTF says so and keeps the warning', () => {
  const md = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'bpf_task_acquire(t)', 2), settingsWith(libbpfDir, { targetBtf: '/nonexistent/vmlinux' }))!;
  assert.match(md, /Target kernel BTF not readable/);
  assert.match(md, /kfuncs are not stable UAPI/);
});

test('hover on a map type and on SEC names', () => {
  const s = settingsWith(undefined);
  assert.match(hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'BPF_MAP_TYPE_RINGBUF', 5), s)!, /\*\*BPF_MAP_TYPE_RINGBUF\*\* = 27 · since Linux 5\.8[\s\S]*power of 2/);
  const tp = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, 'tp_btf/sched_switch', 3), s)!;
  assert.match(tp, /BPF_PROG_TYPE_TRACING/);
  assert.match(tp, /expected attach type `BPF_TRACE_RAW_TP`/);
  assert.match(tp, /attaches to `sched_switch`/);
  assert.match(hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, '"license"', 2), s)!, /license string/);
  assert.match(hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, '".maps"', 2), s)!, /BTF-defined maps/);
});

test('diagnostics: each code at its place, with its default severity', (t) => {
  const s = settingsWith(libbpfDir);
  const fs = findings(LIBBPF_PROGRAM, s);
  const at = (code: string) => fs.filter((f) => f.code === code).map((f) => `${f.range.start.line + 1}:${f.severity}`);
  assert.deepEqual(at('bpfls.kfunc-unstable'), ['18:information', '20:information', '21:information']);
  assert.deepEqual(at('bpfls.helper-prog-type'), []);
  assert.deepEqual(at('bpfls.license-missing'), []);
  assert.deepEqual(at('bpfls.helper-gpl-only'), []);
  if (vmlinuxReadable()) assert.deepEqual(at('bpfls.kfunc-missing'), ['21:warning']);
  else t.diagnostic('kfunc-missing not checked: target BTF unreadable');

  const u = findings(UAPI_PROGRAM, s);
  const uat = (code: string) => u.filter((f) => f.code === code).map((f) => `${f.range.start.line + 1}:${f.severity}`);
  assert.deepEqual(uat('bpfls.helper-prog-type'), ['24:error'], 'bpf_skb_load_bytes in XDP');
  assert.deepEqual(uat('bpfls.helper-deprecated'), ['23:warning']);
  assert.match(u.find((f) => f.code === 'bpfls.helper-deprecated')!.message, /bpf_perf_event_read_value/);
  assert.match(u.find((f) => f.code === 'bpfls.helper-prog-type')!.message, /program of this type cannot use helper bpf_skb_load_bytes#26/);
});

test('diagnostics: GPL-only helper and kfunc under a non-GPL license, missing license, deprecated kfunc', () => {
  const s = settingsWith(undefined);
  const mit = LIBBPF_PROGRAM.replace('"Dual BSD/GPL"', '"MIT"');
  const fs = findings(mit, s);
  const lines = (code: string) => fs.filter((f) => f.code === code).map((f) => f.range.start.line + 1);
  assert.deepEqual(lines('bpfls.helper-gpl-only'), [17, 29], 'bpf_get_current_task_btf and bpf_probe_read_kernel');
  assert.deepEqual(lines('bpfls.kfunc-gpl-only'), [18, 20, 21]);
  assert.equal(fs.find((f) => f.code === 'bpfls.helper-gpl-only')!.severity, 'error');

  const noLicense = LIBBPF_PROGRAM.replace(/char LICENSE.*\n/, '');
  const nl = findings(noLicense, s).filter((f) => f.code === 'bpfls.license-missing');
  assert.equal(nl.length, 1);
  assert.equal(nl[0].severity, 'warning');
  assert.equal(nl[0].range.start.line + 1, 14, 'on the first program section');

  const dep = LIBBPF_PROGRAM.replace('bpf_no_such_kfunc_xyz();', 'bpf_obj_new_impl(1, 0);');
  const d = findings(dep, s).find((f) => f.code === 'bpfls.kfunc-deprecated')!;
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /bpf_obj_new\(\) macro/);
});

test('diagnostics: severities are configurable per code', () => {
  const s = settingsWith(undefined, { lints: { severity: { 'bpfls.kfunc-unstable': 'hint', 'bpfls.helper-prog-type': 'warning' } } });
  assert.ok(findings(LIBBPF_PROGRAM, s).filter((f) => f.code === 'bpfls.kfunc-unstable').every((f) => f.severity === 'hint'));
  assert.equal(findings(UAPI_PROGRAM, s).find((f) => f.code === 'bpfls.helper-prog-type')!.severity, 'warning');
});

test('completion: helpers, ordered by availability to the enclosing program type', () => {
  const text = LIBBPF_PROGRAM.replace('return bpf_get_smp_processor_id();', 'bpf_get_cur');
  const items = completions(text, posOf(text, '\tbpf_get_cur\n', 12), settingsWith(libbpfDir));
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('bpf_get_current_pid_tgid'));
  assert.ok(labels.every((l) => l.startsWith('bpf_get_cur')));
  const comm = items.find((i) => i.label === 'bpf_get_current_comm')!;
  assert.equal(comm.insertText, 'bpf_get_current_comm(${1:buf}, ${2:size_of_buf})');
  assert.equal(comm.snippet, true);
  assert.match(comm.detail!, /helper #16/);
  const task = items.find((i) => i.label === 'bpf_get_current_task_btf')!;
  assert.match(task.detail!, /needs CAP_PERFMON|not available/);
});

test('completion: kfuncs insert their extern __ksym declaration when missing', (t) => {
  if (!vmlinuxReadable()) return t.skip(`${VMLINUX} not readable`);
  const text = LIBBPF_PROGRAM.replace('bpf_no_such_kfunc_xyz();', 'bpf_cgroup_acq');
  const items = completions(text, posOf(text, 'bpf_cgroup_acq', 14), settingsWith(libbpfDir));
  const item = items.find((i) => i.label === 'bpf_cgroup_acquire')!;
  assert.ok(item, 'bpf_cgroup_acquire offered');
  assert.deepEqual(item.additionalTextEdits, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: 'extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;\n' }]);
  assert.match(item.documentation!, /not stable UAPI/);
  const declared = completions(text, posOf(text, 'bpf_cgroup_acq', 14), settingsWith(libbpfDir)).length;
  assert.ok(declared > 0);
  const text2 = LIBBPF_PROGRAM.replace('bpf_no_such_kfunc_xyz();', 'bpf_task_acq');
  const already = completions(text2, posOf(text2, 'bpf_task_acq', 12), settingsWith(libbpfDir)).find((i) => i.label === 'bpf_task_acquire')!;
  assert.equal(already.additionalTextEdits, undefined, 'already declared');
});

test('completion: SEC names, map types and map definition fields', () => {
  const s = settingsWith(undefined);
  const secText = LIBBPF_PROGRAM.replace('SEC("socket")', 'SEC("kp');
  const secs = completions(secText, posOf(secText, 'SEC("kp', 7), s);
  const kprobe = secs.find((i) => i.label === 'kprobe')!;
  assert.equal(kprobe.insertText, 'kprobe/${1:function}');
  assert.match(kprobe.detail!, /BPF_PROG_TYPE_KPROBE/);
  assert.ok(secs.some((i) => i.label === 'xdp') && secs.some((i) => i.label === 'license'));

  const mapText = LIBBPF_PROGRAM.replace('__uint(type, BPF_MAP_TYPE_RINGBUF)', '__uint(type, BPF_MAP_TYPE_LR');
  const maps = completions(mapText, posOf(mapText, 'BPF_MAP_TYPE_LR', 15), s);
  assert.ok(maps.some((i) => i.label === 'BPF_MAP_TYPE_LRU_HASH'));
  assert.ok(maps.find((i) => i.label === 'BPF_MAP_TYPE_CGROUP_STORAGE')!.deprecated);

  const fieldText = LIBBPF_PROGRAM.replace('\t__uint(max_entries, 4096);\n', '\tke\n');
  const fields = completions(fieldText, posOf(fieldText, '\tke\n', 3), s);
  assert.deepEqual(fields.map((f) => f.label).slice(0, 6), ['type', 'key', 'value', 'key_size', 'value_size', 'max_entries']);
  assert.equal(fields.find((f) => f.label === 'key')!.insertText, '__type(key, ${1:u32});');
});

test('signature help: helper and kfunc, with the active parameter', (t) => {
  const s = settingsWith(libbpfDir);
  const text = LIBBPF_PROGRAM.replace('bpf_ringbuf_output(&events, &t, sizeof(t), 0);', 'bpf_ringbuf_output(&events, &t, ');
  const sh = signature(text, posOf(text, 'bpf_ringbuf_output(&events, &t, ', 31), s)!;
  assert.equal(sh.activeParameter, 2);
  const sig = sh.signatures[0];
  assert.match(sig.label, /bpf_ringbuf_output\(void \*ringbuf, void \*data, __u64 size, __u64 flags\)/, 'as the user\'s header spells it');
  assert.equal(sig.parameters.length, 4);
  const [a, b] = sig.parameters[2].label as [number, number];
  assert.equal(sig.label.slice(a, b), '__u64 size');
  assert.match(sig.parameters[1].documentation!, /read only/);
  if (!vmlinuxReadable()) return t.skip(`${VMLINUX} not readable`);
  const k = LIBBPF_PROGRAM.replace('bpf_task_acquire(t);', 'bpf_task_acquire(');
  const ks = signature(k, posOf(k, 'bpf_task_acquire(\n', 17), s)!;
  assert.equal(ks.signatures[0].label, 'struct task_struct *bpf_task_acquire(struct task_struct *p)');
  assert.equal(ks.activeParameter, 0);
  assert.match(ks.signatures[0].documentation!, /KF_ACQUIRE/);
});

test('diagnostics: sleepable helpers and kfuncs in non-sleepable programs', () => {
  const s = settingsWith(undefined, { targetBtf: '/nonexistent/vmlinux' });
  const text = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_get_file_xattr(struct file *file, const char *name__str, struct bpf_dynptr *value_p) __ksym;

SEC("kprobe/do_sys_open")
int k(void *ctx) { char b[8]; bpf_copy_from_user(b, 8, 0); return 0; }

SEC("uprobe.s//bin/sh:main")
int u(void *ctx) { char b[8]; bpf_copy_from_user(b, 8, 0); return 0; }

SEC("lsm/file_open")
int l(struct file *f) { bpf_get_file_xattr(f, "user.x", 0); return 0; }

SEC("lsm.s/file_open")
int ls(struct file *f) { bpf_get_file_xattr(f, "user.x", 0); return 0; }

char LICENSE[] SEC("license") = "GPL";
`;
  const fs = findings(text, s);
  const at = (code: string) => fs.filter((f) => f.code === code).map((f) => `${f.range.start.line + 1}:${f.severity}`);
  assert.deepEqual(at('bpfls.helper-sleepable'), ['6:error']);
  assert.deepEqual(at('bpfls.kfunc-sleepable'), ['12:error']);
  assert.match(fs.find((f) => f.code === 'bpfls.helper-sleepable')!.message, /helper call might sleep in a non-sleepable prog/);
});

test('hover on BPF_FUNC_* and BPF_PROG_TYPE_* names', () => {
  const s = settingsWith(undefined);
  const md = hover(UAPI_PROGRAM, posOf(UAPI_PROGRAM, 'BPF_FUNC_xdp_adjust_head', 12), s)!;
  assert.match(md, /BPF helper #44/);
  const text = UAPI_PROGRAM.replace('return XDP_PASS;', 'return BPF_PROG_TYPE_XDP;');
  assert.match(hover(text, posOf(text, 'BPF_PROG_TYPE_XDP', 3), s)!, /\*\*BPF_PROG_TYPE_XDP\*\* · since Linux 4\.8/);
});

test('diagnostics: helpers in functions called from programs are checked against those programs', () => {
  const s = settingsWith(undefined, { targetBtf: '/nonexistent/vmlinux' });
  const text = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int inner(void *ctx)
{
	return bpf_xdp_adjust_head(ctx, 0);
}

static __noinline int outer(void *ctx)
{
	return inner(ctx);
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	return outer(skb);
}

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	return inner(ctx);
}

char LICENSE[] SEC("license") = "GPL";
`;
  const f = findings(text, s).filter((x) => x.code === 'bpfls.helper-prog-type-indirect');
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line + 1, 6);
  assert.equal(f[0].severity, 'warning');
  assert.match(f[0].message, /BPF_PROG_TYPE_SCHED_CLS programs, and inner\(\) is called from tc_prog\(\) in SEC\("tc"\)/);
});

test('hover on map definition fields', () => {
  const md = hover(LIBBPF_PROGRAM, posOf(LIBBPF_PROGRAM, '__uint(max_entries', 9), settingsWith(undefined))!;
  assert.match(md, /\*\*max_entries\*\* \(map definition field\)/);
  assert.match(md, /bytes for ring buffers/);
});
