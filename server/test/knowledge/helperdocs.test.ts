import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parseHelperDocs, renderRst } from '../../src/knowledge/helperdocs';

// Small headers written for these tests in the three layouts bpfls reads (not copies of real ones).
const UAPI_POSITIONAL = `/* uapi sample */
/*
 * Start of BPF helper function descriptions:
 *
 * void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)
 * 	Description
 * 		Find *key* in *map*.
 * 	Return
 * 		The value, or **NULL**.
 *
 * long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)
 * 	Description
 * 		Prints to the trace pipe, for example:
 *
 * 		::
 *
 * 			hello-42 [001] msg
 *
 * 		Then:
 *
 * 		* **first** point
 * 		* second\\ () point
 * 	Return
 * 		Bytes written.
 */
#define __BPF_FUNC_MAPPER(FN)		\\
	FN(unspec),			\\
	FN(map_lookup_elem),		\\
	FN(map_update_elem),		\\
	FN(map_delete_elem),		\\
	FN(probe_read),			\\
	FN(ktime_get_ns),		\\
	FN(trace_printk),		\\
	/* */
`;

const UAPI_NUMBERED = `/*
 * void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)
 * 	Description
 * 		Find *key* in *map*.
 * 	Return
 * 		The value, or **NULL**.
 */
#define ___BPF_FUNC_MAPPER(FN, ctx...)			\\
	FN(unspec, 0, ##ctx)				\\
	FN(map_lookup_elem, 1, ##ctx)			\\
	FN(cgrp_storage_get, 210, ##ctx)		\\
	FN(cgrp_storage_delete, 211, ##ctx)		\\
	/* */
#define __BPF_FUNC_MAPPER_APPLY(name, value, FN) FN(name),
`;

const LIBBPF_DEFS = `/* libbpf sample */
struct bpf_map;

/*
 * bpf_map_lookup_elem
 *
 * 	Find *key* in *map*.
 *
 * Returns
 * 	The value, or **NULL**.
 */
static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;

/*
 * bpf_ktime_get_ns
 *
 * 	Monotonic time in nanoseconds.
 *
 * Returns
 * 	Current *ktime*.
 */
static __u64 (* const bpf_ktime_get_ns)(void) = (void *) 5;
`;

test('positional mapper (6.1 form)', () => {
  const s = parseHelperDocs(UAPI_POSITIONAL);
  assert.equal(s.form, 'uapi-positional');
  assert.equal(s.ids.get('map_lookup_elem'), 1);
  assert.equal(s.ids.get('trace_printk'), 6);
  const d = s.docs.get('bpf_map_lookup_elem')!;
  assert.equal(d.description, 'Find *key* in *map*.');
  assert.equal(d.returns, 'The value, or **NULL**.');
  assert.equal(d.id, 1);
  assert.equal(d.proto, 'void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)');
  const p = s.docs.get('bpf_trace_printk')!;
  assert.match(p.description, /```c\nhello-42 \[001\] msg\n```/);
  assert.match(p.description, /^- \*\*first\*\* point$/m);
  assert.match(p.description, /^- second\(\) point$/m, 'RST "\\ " separator removed');
  assert.equal(p.returns, 'Bytes written.');
});

test('numbered mapper (6.2+ form)', () => {
  const s = parseHelperDocs(UAPI_NUMBERED);
  assert.equal(s.form, 'uapi-numbered');
  assert.equal(s.ids.get('cgrp_storage_delete'), 211);
  assert.equal(s.docs.get('bpf_map_lookup_elem')!.id, 1);
});

test("libbpf's bpf_helper_defs.h form", () => {
  const s = parseHelperDocs(LIBBPF_DEFS);
  assert.equal(s.form, 'libbpf-helper-defs');
  assert.equal(s.docs.size, 2);
  const k = s.docs.get('bpf_ktime_get_ns')!;
  assert.equal(k.id, 5);
  assert.equal(k.proto, '__u64 bpf_ktime_get_ns(void)');
  assert.equal(k.description, 'Monotonic time in nanoseconds.');
  assert.equal(k.returns, 'Current *ktime*.');
  assert.equal(s.docs.get('bpf_map_lookup_elem')!.proto, 'void *bpf_map_lookup_elem(void *map, const void *key)');
});

test('bad input yields an empty set, never a throw', () => {
  for (const t of ['', '/*', '#define __BPF_FUNC_MAPPER(FN) FN(', '\0\0\0', 'static int (* const x)(void) = (void *) 1;']) {
    const s = parseHelperDocs(t);
    assert.ok(s.docs instanceof Map);
  }
});

test('RST rendering: literal blocks, bullets, dedent', () => {
  const md = renderRst(['\tText::', '', '\t\tcode line', '', '\t* item', '\t\tcontinued']);
  assert.equal(md, 'Text:\n\n```c\ncode line\n```\n\n- item\ncontinued');
});

for (const [file, form, min] of [
  ['/usr/include/linux/bpf.h', 'uapi', 200],
  ['/usr/include/bpf/bpf_helper_defs.h', 'libbpf-helper-defs', 200],
] as const) {
  test(`installed header ${file} parses`, (t) => {
    if (!existsSync(file)) return t.skip(`${file} not installed`);
    const s = parseHelperDocs(readFileSync(file, 'utf8'));
    assert.ok(s.form.startsWith(form), s.form);
    assert.ok(s.docs.size >= min, `${s.docs.size} docs`);
    const d = s.docs.get('bpf_map_lookup_elem')!;
    assert.match(d.description, /lookup/i);
    assert.equal(d.id, 1);
    for (const doc of s.docs.values()) assert.ok(!/^\t/m.test(doc.description), `${doc.name} has no tab indentation left`);
  });
}

test('a "\\" at a line end joins the next line', () => {
  assert.equal(renderRst(['\tuse **bpf_x**\\', '\t() instead']), 'use **bpf_x**() instead');
});
