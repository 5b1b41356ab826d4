import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findLibbpfHeader, libbpfHeaderIsConst } from '../../src/features/fixes/libbpf-header';
import { nativeCParser } from '../../src/parse/parser';
import { Source } from '../../src/features/fixes/tree';
import { findHelperPointerDecls, helperDeclFindings } from '../../src/features/fixes/helper-decls';
import { FixCodes } from '../../src/features/fixes/types';
import {
  applyFix, assertBpflsAccepts, callxInsns, compile, corpus, findFix, haveClang, kernelLoad, kernelUnavailable, source,
} from './util';

test('finds hand-written helper pointers, const or not, with their IDs', async () => {
  const src = await source(corpus('helper-wrong-id.bpf.c'));
  const decls = findHelperPointerDecls(src).map((d) => ({ name: d.name, isConst: d.isConst, id: d.id }));
  assert.deepEqual(decls, [
    { name: 'bpf_map_lookup_elem', isConst: true, id: 1 },
    { name: 'bpf_map_update_elem', isConst: false, id: 1 },
  ]);
});

test('BPF_FUNC_ initialisers and plain function pointers', async () => {
  const src = await source(
    'static int (*bpf_map_delete_elem)(void *m, void *k) = (void *) BPF_FUNC_map_update_elem;\n' +
      'static int (*callback)(int) = 0;\nint (*table[2])(int);\n',
  );
  const findings = helperDeclFindings(src);
  const wrong = findings.find((f) => f.code === FixCodes.helperWrongId);
  assert.ok(wrong, 'BPF_FUNC_map_update_elem is 2, not bpf_map_delete_elem (3)');
  assert.match(wrong.message, /helper 3 .* holds 2, the ID of bpf_map_update_elem/);
  assert.equal(findings.filter((f) => f.code === FixCodes.helperPointerDecl).length, 1);
});

test('libbpf\'s own header is never linted', async () => {
  const text = 'static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;\n';
  assert.equal(helperDeclFindings(await source(text), { fileName: '/usr/include/bpf/bpf_helper_defs.h' }).length, 0);
  assert.equal(helperDeclFindings(await source(text), { fileName: '/home/u/prog.bpf.c' }).length, 1);
});

const O0_REASON = haveClang() ? undefined : 'clang-19 not found';

test('const fix: keeps the prototype, builds without callx at -O0 and -O2, loads', { skip: O0_REASON }, async (t) => {
  const text = corpus('helper-decls.bpf.c');
  const before = compile(text, '-O0');
  assert.ok(before.ok, before.stderr);
  assert.ok(callxInsns(before.obj!).length > 0, 'the unfixed program has callx at -O0');

  let fixed = text;
  // one finding per declaration; apply each declaration's const fix on the current text
  for (;;) {
    const findings = helperDeclFindings(await source(fixed)).filter((f) => f.code === FixCodes.helperPointerDecl);
    if (!findings.length) break;
    fixed = applyFix(fixed, findFix(findings, FixCodes.helperPointerDecl, "'* const'"));
  }
  assert.match(fixed, /static void \*\(\* const bpf_map_lookup_elem\)\(void \*map, const void \*key\) = \(void \*\) 1;/);
  assert.match(fixed, /static long \(\* const bpf_map_update_elem\)\(void \*map, const void \*key, const void \*value, __u64 flags\)/);
  for (const opt of ['-O0', '-O2'] as const) {
    const c = compile(fixed, opt);
    assert.ok(c.ok, `${opt}: ${c.stderr}`);
    assert.deepEqual(callxInsns(c.obj!), [], `${opt}: no callx left`);
    await assertBpflsAccepts(c.obj!, opt);
    const why = kernelUnavailable();
    if (why) t.diagnostic(`kernel load skipped: ${why}`);
    else {
      const r = kernelLoad(c.obj!);
      assert.ok(r.ok, `${opt}: kernel refused: ${r.log}`);
    }
  }
});

test('include fix: removes every hand-written declaration and adds the include once', { skip: O0_REASON }, async (t) => {
  const text = corpus('helper-decls.bpf.c');
  const findings = helperDeclFindings(await source(text));
  const fix = findFix(findings, FixCodes.helperPointerDecl, 'bpf_helpers.h');
  assert.equal(fix.fixAll, true);
  const header = findLibbpfHeader();
  if (header && !header.isConst) assert.match(fix.title, /-O0 builds need libbpf >= 1\.4/);
  const fixed = applyFix(text, fix);
  assert.equal(fixed.match(/#include <bpf\/bpf_helpers\.h>/g)?.length, 1);
  assert.doesNotMatch(fixed, /= \(void \*\) \d/);
  assert.equal(helperDeclFindings(await source(fixed)).length, 0);
  const o2 = compile(fixed, '-O2');
  assert.ok(o2.ok, o2.stderr);
  assert.deepEqual(callxInsns(o2.obj!), []);
  await assertBpflsAccepts(o2.obj!, '-O2');
  const why = kernelUnavailable();
  if (why) t.diagnostic(`kernel load skipped: ${why}`);
  else assert.ok(kernelLoad(o2.obj!).ok);
  // At -O0 the result depends on the installed libbpf: its header has `* const` from 1.4 on.
  const o0 = compile(fixed, '-O0');
  assert.ok(o0.ok, o0.stderr);
  const constHeader = libbpfHeaderIsConst();
  t.diagnostic(`installed libbpf header declares helpers const: ${constHeader}`);
  if (constHeader === false) assert.ok(callxInsns(o0.obj!).length > 0, 'libbpf < 1.4 still gives callx at -O0');
  else if (constHeader === true) assert.deepEqual(callxInsns(o0.obj!), []);
});

test('wrong ID: error with the right ID, fix builds and loads', { skip: O0_REASON }, async (t) => {
  const text = corpus('helper-wrong-id.bpf.c');
  const findings = helperDeclFindings(await source(text));
  const wrong = findings.filter((f) => f.code === FixCodes.helperWrongId);
  assert.equal(wrong.length, 1);
  assert.equal(wrong[0].severity, 'error');
  assert.match(wrong[0].message, /'bpf_map_update_elem' is helper 2 .* holds 1, the ID of bpf_map_lookup_elem/);
  let fixed = applyFix(text, findFix(findings, FixCodes.helperWrongId, 'Use helper ID 2'));
  assert.match(fixed, /bpf_map_update_elem\)\(.*\) = \(void \*\) 2;/);
  fixed = applyFix(fixed, findFix(helperDeclFindings(await source(fixed)), FixCodes.helperPointerDecl, "'* const'"));
  assert.deepEqual(helperDeclFindings(await source(fixed)), []);
  for (const opt of ['-O0', '-O2'] as const) {
    const c = compile(fixed, opt);
    assert.ok(c.ok, c.stderr);
    assert.deepEqual(callxInsns(c.obj!), []);
    await assertBpflsAccepts(c.obj!, opt);
    const why = kernelUnavailable();
    if (why) t.diagnostic(`kernel load skipped: ${why}`);
    else assert.ok(kernelLoad(c.obj!).ok);
  }
});

test('successor: bpf_probe_read declaration becomes bpf_probe_read_kernel with call sites', { skip: O0_REASON }, async (t) => {
  const text = corpus('probe-read-decl.bpf.c');
  const findings = helperDeclFindings(await source(text));
  const dep = findings.find((f) => f.code === FixCodes.deprecatedHelperDecl);
  assert.ok(dep?.deprecated);
  assert.deepEqual(dep.fixes.map((f) => f.title.split(' ')[2]), ['bpf_probe_read_kernel', 'bpf_probe_read_user']);
  let fixed = applyFix(text, findFix(findings, FixCodes.deprecatedHelperDecl, 'bpf_probe_read_kernel'));
  assert.doesNotMatch(fixed, /bpf_probe_read[()]/);
  assert.match(fixed, /\(\*bpf_probe_read_kernel\)\(.*\) = \(void \*\) 113;/);
  assert.match(fixed, /bpf_probe_read_kernel\(&first/);
  fixed = applyFix(fixed, findFix(helperDeclFindings(await source(fixed)), FixCodes.helperPointerDecl, "'* const'"));
  for (const opt of ['-O0', '-O2'] as const) {
    const c = compile(fixed, opt);
    assert.ok(c.ok, c.stderr);
    assert.deepEqual(callxInsns(c.obj!), []);
    await assertBpflsAccepts(c.obj!, opt);
    const why = kernelUnavailable();
    if (why) t.diagnostic(`kernel load skipped: ${why}`);
    else {
      const r = kernelLoad(c.obj!);
      assert.ok(r.ok, r.log);
    }
  }
});

test('ranges are UTF-16 columns after non-ASCII text (wasm and, when installed, native trees)', async () => {
  const text = '/* café — naïve ✓ 𝛼 */ static void *(*bpf_map_lookup_elem)(void *m, const void *k) = (void *) 1;\n';
  const check = (findings: ReturnType<typeof helperDeclFindings>) => {
    const f = findings.find((x) => x.code === FixCodes.helperPointerDecl)!;
    assert.equal(text.slice(f.range.start.character, f.range.end.character), 'bpf_map_lookup_elem');
    const fixed = applyFix(text, f.fixes[0]);
    assert.ok(fixed.includes('(* const bpf_map_lookup_elem)'), fixed);
  };
  check(helperDeclFindings(await source(text)));
  const native = nativeCParser();
  if (native) check(helperDeclFindings(new Source(text, native.parse(text))));
});
