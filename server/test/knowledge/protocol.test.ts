// The knowledge features through the real server over JSON-RPC: hover, diagnostics, completion and
// signature help, once with docs from the 6.1 uapi header and once from libbpf's bpf_helper_defs.h.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';
import { LIBBPF_PROGRAM, UAPI_PROGRAM } from './programs';

const UAPI = '/usr/include/linux/bpf.h';
const LIBBPF_DEFS = '/usr/include/bpf/bpf_helper_defs.h';
const VMLINUX = '/sys/kernel/btf/vmlinux';

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'bpfls-knowledge-proto-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function vmlinuxReadable(): boolean {
  try {
    readFileSync(VMLINUX).subarray(0, 4);
    return true;
  } catch {
    return false;
  }
}

interface MarkupHover { contents: { kind: string; value: string } }
interface Item { label: string; insertText?: string; detail?: string; additionalTextEdits?: { range: Diagnostic['range']; newText: string }[]; textEdit?: { newText: string }; tags?: number[] }
interface Sig { signatures: { label: string; parameters: { label: [number, number] }[] }[]; activeParameter: number }

function posOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  const before = text.slice(0, at + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** A server whose include path holds only `header` (copied into a temp dir as `rel`). */
async function serverWith(header: string, rel: string): Promise<LspTestClient> {
  const dir = path.join(tmp, rel.replace(/\W/g, '_'));
  mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
  copyFileSync(header, path.join(dir, rel));
  return LspTestClient.start({
    settings: { extraFlags: ['-nostdinc', `-I${dir}`], targetBtf: VMLINUX, analyses: { compile: false, verify: false, run: false } },
  });
}

async function hover(c: LspTestClient, uri: string, text: string, needle: string, delta: number): Promise<string> {
  const h = await c.request<MarkupHover | null>('textDocument/hover', { textDocument: { uri }, position: posOf(text, needle, delta) });
  assert.ok(h, `hover at ${needle}`);
  assert.equal(h.contents.kind, 'markdown');
  return h.contents.value;
}

async function complete(c: LspTestClient, uri: string, text: string, needle: string, delta: number): Promise<Item[]> {
  const r = await c.request<Item[] | { items: Item[] }>('textDocument/completion', { textDocument: { uri }, position: posOf(text, needle, delta) });
  return Array.isArray(r) ? r : r.items;
}

test('over the protocol, with the 6.1 uapi header: helper hover and docs, prog-type and deprecation diagnostics, signature help', async (t) => {
  if (!existsSync(UAPI)) return t.skip(`${UAPI} not installed`);
  const c = await serverWith(UAPI, 'linux/bpf.h');
  try {
    const uri = fileUri(path.join(tmp, 'uapi.bpf.c'));
    c.open(uri, UAPI_PROGRAM);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.helper-prog-type'));
    const pt = diags.find((x) => x.code === 'bpfls.helper-prog-type')!;
    assert.equal(pt.severity, 1);
    assert.equal(pt.range.start.line, 23);
    assert.match(pt.message, /bpf_skb_load_bytes is not available to BPF_PROG_TYPE_XDP/);
    const dep = diags.find((x) => x.code === 'bpfls.helper-deprecated')!;
    assert.equal(dep.severity, 2);
    assert.match(dep.message, /bpf_perf_event_read_value/);

    const md = await hover(c, uri, UAPI_PROGRAM, 'bpf_map_lookup_elem(&counts', 3);
    assert.match(md, /BPF helper #1 · since Linux 3\.19 · not GPL-only/);
    assert.match(md, /Perform a lookup in \*map\*/);
    assert.match(md, /Documentation from .*linux\/bpf\.h/);
    assert.match(await hover(c, uri, UAPI_PROGRAM, 'BPF_MAP_TYPE_ARRAY', 14), /\*\*BPF_MAP_TYPE_ARRAY\*\* = 2/);
    assert.match(await hover(c, uri, UAPI_PROGRAM, 'section("xdp")', 10), /BPF_PROG_TYPE_XDP/);

    const sig = await c.request<Sig>('textDocument/signatureHelp', { textDocument: { uri }, position: posOf(UAPI_PROGRAM, 'bpf_xdp_adjust_head(ctx, 0)', 25) });
    assert.equal(sig.activeParameter, 1);
    assert.equal(sig.signatures[0].label, 'long bpf_xdp_adjust_head(struct xdp_buff *xdp_md, int delta)');
  } finally {
    await c.stop();
  }
});

test("over the protocol, with libbpf's header: kfunc hover and diagnostics, completion with extern insertion, SEC and map completion", async (t) => {
  if (!existsSync(LIBBPF_DEFS)) return t.skip(`${LIBBPF_DEFS} not installed`);
  const c = await serverWith(LIBBPF_DEFS, 'bpf/bpf_helper_defs.h');
  try {
    const uri = fileUri(path.join(tmp, 'libbpf.bpf.c'));
    c.open(uri, LIBBPF_PROGRAM);
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.kfunc-unstable'));
    const unstable = diags.filter((x) => x.code === 'bpfls.kfunc-unstable');
    assert.deepEqual(unstable.map((x) => x.range.start.line + 1), [18, 20, 21]);
    assert.ok(unstable.every((x) => x.severity === 3), 'information');
    if (vmlinuxReadable()) {
      const missing = diags.filter((x) => x.code === 'bpfls.kfunc-missing');
      assert.deepEqual(missing.map((x) => [x.range.start.line + 1, x.severity]), [[21, 2]]);
    }

    const md = await hover(c, uri, LIBBPF_PROGRAM, 'bpf_task_acquire(t)', 3);
    assert.match(md, /kfuncs are not stable UAPI/);
    assert.match(md, /KF_ACQUIRE/);
    const helper = await hover(c, uri, LIBBPF_PROGRAM, 'bpf_ringbuf_output(', 3);
    assert.match(helper, /Documentation from .*bpf_helper_defs\.h/);
    assert.match(await hover(c, uri, LIBBPF_PROGRAM, 'tp_btf/sched_switch', 2), /BPF_PROG_TYPE_TRACING/);

    // An edit: a non-GPL license turns GPL-only calls into errors.
    const mit = LIBBPF_PROGRAM.replace('"Dual BSD/GPL"', '"MIT"');
    c.change(uri, 2, [{ text: mit }]);
    const after = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'bpfls.helper-gpl-only'), { version: 2 });
    assert.deepEqual(after.filter((x) => x.code === 'bpfls.helper-gpl-only').map((x) => [x.range.start.line + 1, x.severity]), [[17, 1], [29, 1]]);
    assert.ok(after.some((x) => x.code === 'bpfls.kfunc-gpl-only'));

    // Completion: helpers; kfuncs with their extern; SEC names; map types; map fields.
    const typing = LIBBPF_PROGRAM.replace('bpf_no_such_kfunc_xyz();', 'bpf_cgroup_acq');
    c.change(uri, 3, [{ text: typing }]);
    const items = await complete(c, uri, typing, 'bpf_cgroup_acq', 14);
    if (vmlinuxReadable()) {
      const k = items.find((i) => i.label === 'bpf_cgroup_acquire')!;
      assert.ok(k, 'kfunc offered');
      assert.equal(k.additionalTextEdits?.[0].newText, 'extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;\n');
      assert.deepEqual(k.additionalTextEdits?.[0].range.start, { line: 2, character: 0 });
    }
    const helpers = await complete(c, uri, typing, 'return bpf_get_smp_processor_id', 16);
    assert.ok(helpers.some((i) => i.label === 'bpf_get_smp_processor_id'));

    const secText = LIBBPF_PROGRAM.replace('SEC("socket")', 'SEC("cgroup/con');
    c.change(uri, 4, [{ text: secText }]);
    const secs = await complete(c, uri, secText, 'SEC("cgroup/con', 15);
    assert.ok(secs.some((i) => i.label === 'cgroup/connect4'));

    const mapText = LIBBPF_PROGRAM.replace('__uint(type, BPF_MAP_TYPE_RINGBUF)', '__uint(type, BPF_MAP_TYPE_AR');
    c.change(uri, 5, [{ text: mapText }]);
    const maps = await complete(c, uri, mapText, 'BPF_MAP_TYPE_AR', 15);
    assert.ok(maps.some((i) => i.label === 'BPF_MAP_TYPE_ARRAY') && maps.some((i) => i.label === 'BPF_MAP_TYPE_ARENA'));

    const fieldText = LIBBPF_PROGRAM.replace('\t__uint(max_entries, 4096);\n', '\tmax\n');
    c.change(uri, 6, [{ text: fieldText }]);
    const fields = await complete(c, uri, fieldText, '\tmax\n', 4);
    assert.equal(fields.find((i) => i.label === 'max_entries')?.textEdit?.newText, '__uint(max_entries, ${1:1024});');

    if (vmlinuxReadable()) {
      const k = LIBBPF_PROGRAM.replace('bpf_task_acquire(t);', 'bpf_task_acquire(');
      c.change(uri, 7, [{ text: k }]);
      const sig = await c.request<Sig>('textDocument/signatureHelp', { textDocument: { uri }, position: posOf(k, 'bpf_task_acquire(\n', 17) });
      assert.equal(sig.signatures[0].label, 'struct task_struct *bpf_task_acquire(struct task_struct *p)');
    }
  } finally {
    await c.stop();
  }
});
