// The corpus annotation reader and rewriter (pure text functions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationMismatch, fixAnnotation, parseAnnotations } from './corpus';

const src = `
struct { int x; } m SEC(".maps");
SEC("socket")
__description("a \\"quoted\\" (paren) description")
__failure __msg("R0 !read_ok")
__naked void prog_a(void)
{
}
SEC("xdp") __success __retval(2) int prog_b(struct xdp_md *ctx) { return 2; }
SEC("tc")
int prog_c(void *ctx) { return 0; }
char _license[] SEC("license") = "GPL";
`;

test('annotations are read between SEC() and the function name', () => {
  const a = parseAnnotations(src);
  assert.deepEqual(a.map((x) => x.prog), ['prog_a', 'prog_b', 'prog_c']);
  assert.equal(a[0].section, 'socket');
  assert.equal(a[0].expect, 'failure');
  assert.deepEqual(a[0].msgs, ['R0 !read_ok']);
  assert.equal(a[0].description, 'a "quoted" (paren) description');
  assert.equal(a[1].expect, 'success');
  assert.equal(a[1].retval, 2);
  assert.equal(a[2].expect, undefined);
});

test('a disagreement is described and fixed to the kernel verdict', () => {
  const [a, b] = parseAnnotations(src);
  assert.deepEqual(annotationMismatch(a, { ok: false, error_line: 'R0 !read_ok' }), []);
  assert.equal(annotationMismatch(a, { ok: false, error_line: 'R1 !read_ok' }).length, 1);
  assert.equal(annotationMismatch(a, { ok: true }).length, 1);
  assert.deepEqual(annotationMismatch(a, { ok: null, skip: 'lockdown' }), []);
  assert.equal(annotationMismatch(b, { ok: true, retval: 3 }).length, 1);
  const fixed = fixAnnotation(src, a, { ok: true });
  const again = parseAnnotations(fixed);
  assert.equal(again[0].expect, 'success');
  assert.deepEqual(again[0].msgs, []);
  assert.equal(again[0].description, 'a "quoted" (paren) description');
  const fixedB = fixAnnotation(src, b, { ok: false, error_line: 'invalid "x" access' });
  const b2 = parseAnnotations(fixedB)[1];
  assert.equal(b2.expect, 'failure');
  assert.deepEqual(b2.msgs, ['invalid "x" access']);
  assert.equal(b2.retval, undefined);
});
