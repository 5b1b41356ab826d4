// The verifier on small programs: bpfls gives the expected verdict and final error line, and the
// expectation is the running kernel's (checked live when the kernel can load programs here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES } from './cases';
import { bpfls, kernel } from './util';

for (const c of CASES) {
  test(`${c.area}: ${c.name}`, (t) => {
    const r = bpfls(c.asm, c.progType, c.maps, c.eat);
    const got = r.ok ? 'ok' : r.error?.message ?? '(no message)';
    const k = kernel(c.asm, c.progType, c.maps, c.eat);
    const kgot = typeof k === 'string' ? undefined : k.ok ? 'ok' : k.message;
    assert.equal(got, c.expect, `bpfls verdict for ${c.name} (kernel: ${kgot ?? 'not asked'})`);
    if (kgot === undefined) {
      t.diagnostic(`kernel comparison skipped: ${k as string}`);
      return;
    }
    assert.equal(kgot, c.expect, `kernel verdict for ${c.name} (the expectation must match the kernel)`);
  });
}
