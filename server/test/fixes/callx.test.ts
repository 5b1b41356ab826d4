import { test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { DocumentSnapshot } from '../../src/analysis/document';
import { defaultSettings } from '../../src/analysis/settings';
import { objectContext as withSharedLoad } from '../../src/analysis/pipeline';
import { findCallxSites } from '../../src/features/fixes/callx';
import { findLibbpfHeader, headerDeclaresConst } from '../../src/features/fixes/libbpf-header';
import { objectFindings } from '../../src/features/fixes/index';
import { applyEdits } from '../../src/features/fixes/text';
import { FixCodes } from '../../src/features/fixes/types';
import { assertBpflsAccepts, callxInsns, compile, corpus, haveClang, kernelLoad, kernelUnavailable } from './util';

const NO_CLANG = haveClang() ? undefined : 'clang-19 not found';

function objectContext(text: string, elf: Uint8Array) {
  return withSharedLoad({
    doc: new DocumentSnapshot('file:///w/prog.bpf.c', 'c' as const, 1, text),
    tree: undefined,
    settings: defaultSettings,
    elf,
    // compile() in util.ts names the file prog.bpf.c; line_info carries that path
    sourcePath: '/tmp/whatever/prog.bpf.c',
  });
}

test('header constness check', () => {
  assert.equal(headerDeclaresConst('static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;'), true);
  assert.equal(headerDeclaresConst('static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;'), false);
});

test('callx at -O0: found at the call site, names the declaration, const fix removes it', { skip: NO_CLANG }, async (t) => {
  const text = corpus('helper-decls.bpf.c');
  const o0 = compile(text, '-O0');
  assert.ok(o0.ok, o0.stderr);
  const { sites } = findCallxSites(o0.obj!);
  assert.deepEqual(sites.map((s) => [s.pointer, s.line?.line]), [['bpf_map_lookup_elem', 22], ['bpf_map_update_elem', 28]]);
  assert.deepEqual(sites.map((s) => s.insn), callxInsns(o0.obj!).map((c) => c.insn));

  const why = kernelUnavailable();
  if (!why) assert.ok(!kernelLoad(o0.obj!).ok, 'the kernel refuses callx');

  const findings = await objectFindings(objectContext(text, o0.obj!));
  assert.deepEqual(findings.map((f) => [f.code, f.range.start.line + 1, f.severity]), [
    [FixCodes.callx, 22, 'error'],
    [FixCodes.callx, 28, 'error'],
  ]);
  assert.match(findings[0].message, /hand-written declaration of 'bpf_map_lookup_elem' on line 8 is not '\* const'/);
  assert.equal(findings[0].related?.[0].range.start.line, 7);
  const src = text.split('\n')[21];
  const r = findings[0].range;
  assert.equal(src.slice(r.start.character, r.end.character), 'bpf_map_lookup_elem');

  // apply the const fix each callx finding offers, then rebuild at -O0
  let fixed = text;
  for (;;) {
    const o = compile(fixed, '-O0');
    assert.ok(o.ok, o.stderr);
    const fs = await objectFindings(objectContext(fixed, o.obj!));
    if (!fs.length) break;
    const fix = (fs[0].data as { fixes: { title: string; edits: never[]; safe?: boolean }[] }).fixes.find((x) => x.title.includes("'* const'"));
    assert.ok(fix?.safe);
    fixed = applyEdits(fixed, fix.edits);
  }
  const clean = compile(fixed, '-O0');
  assert.deepEqual(callxInsns(clean.obj!), []);
  await assertBpflsAccepts(clean.obj!, '-O0');
  if (why) return t.skip(`kernel load: ${why}`);
  const load = kernelLoad(clean.obj!);
  assert.ok(load.ok, load.log);
});

test('callx from libbpf\'s own header: says that upgrading libbpf fixes it', { skip: NO_CLANG }, async (t) => {
  const header = findLibbpfHeader();
  if (!header) return t.skip('no libbpf headers installed');
  const text = corpus('libbpf-header-O0.bpf.c');
  const o0 = compile(text, '-O0');
  assert.ok(o0.ok, o0.stderr);
  const findings = await objectFindings(objectContext(text, o0.obj!));
  t.diagnostic(`libbpf ${header.version} in ${header.dir}: helpers const = ${header.isConst}`);
  if (header.isConst) {
    assert.deepEqual(callxInsns(o0.obj!), []);
    assert.deepEqual(findings, []);
    return;
  }
  assert.equal(findings.length, 1);
  assert.equal(findings[0].range.start.line + 1, 16);
  assert.match(findings[0].message, /libbpf's bpf_helper_defs\.h \(libbpf 1\.\d+ in .*\) declares 'bpf_map_lookup_elem' without const\. Upgrading libbpf to 1\.4 or newer fixes it/);
  // at -O2 the same source has no callx
  const o2 = compile(text, '-O2');
  assert.deepEqual(callxInsns(o2.obj!), []);
  assert.deepEqual(await objectFindings(objectContext(text, o2.obj!)), []);
});

test('disable comment silences the callx finding', { skip: NO_CLANG }, async () => {
  const text = corpus('libbpf-header-O0.bpf.c').replace('\t__u64 *v = ', '\t// bpfls-disable-next-line callx\n\t__u64 *v = ');
  const o0 = compile(text, '-O0');
  assert.deepEqual(await objectFindings(objectContext(text, o0.obj!)), []);
});

test('callx through a pointer declared in the user\'s own header: points there', { skip: NO_CLANG }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-fixes-hdr-'));
  try {
    const decls = corpus('helper-decls.bpf.c').split('\n').filter((l) => /^static .*= \(void \*\) \d;$/.test(l));
    fs.writeFileSync(path.join(dir, 'my_helpers.h'), `#include <linux/types.h>\n${decls.join('\n')}\n`);
    const text = corpus('helper-decls.bpf.c')
      .split('\n')
      .map((l) => (decls.includes(l) ? '' : l))
      .join('\n')
      .replace('#include <linux/bpf.h>', '#include <linux/bpf.h>\n#include "my_helpers.h"');
    const o0 = compile(text, '-O0', [`-I${dir}`]);
    assert.ok(o0.ok, o0.stderr);
    const findings = await objectFindings(objectContext(text, o0.obj!));
    assert.equal(findings.length, 2);
    assert.match(findings[0].message, /declared without const outside this file \(in a header it includes\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
