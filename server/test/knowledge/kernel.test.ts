// The helper table against the running kernel: for every program type the kernel oracle can load,
// a helper the kernel offers must not be reported unavailable, and the table's claims must match
// the kernel almost everywhere (helpers that need a kernel config option may be missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allHelpers, isHelperAllowed } from '../../src/knowledge/helpers';
import { kfuncAllowedFor } from '../../src/knowledge/kfuncs';
import { probeHelpers, probeKfuncs, PROBE_TYPES } from './probe-helpers';

test('helper availability per program type agrees with the running kernel', (t) => {
  const p = probeHelpers();
  if (p.error && !p.available.size) return t.skip(p.error);
  let agree = 0;
  const falseRefusals: string[] = [];
  const overclaims: string[] = [];
  for (const pt of Object.keys(PROBE_TYPES)) {
    const offered = p.available.get(pt) ?? new Set<string>();
    for (const name of offered) {
      if (!isHelperAllowed(name, pt).allowed) falseRefusals.push(`${pt}:${name}`);
      else agree++;
    }
  }
  for (const pt of Object.keys(PROBE_TYPES)) {
    const offered = p.available.get(pt) ?? new Set<string>();
    for (const h of allHelpers()) {
      const a = isHelperAllowed(h, pt);
      if (a.allowed && !a.requires && !offered.has(h.name)) overclaims.push(`${pt}:${h.name}`);
    }
  }
  t.diagnostic(`kernel ${p.kernel}: ${agree} offered helpers confirmed, ${p.unknown} loads inconclusive`);
  assert.deepEqual(falseRefusals, [], 'helpers the kernel offers but bpfls would flag as unavailable');
  assert.deepEqual(overclaims, [], 'helpers bpfls says are available without conditions but the kernel refuses');
});

test('kfunc program types agree with the running kernel', (t) => {
  const p = probeKfuncs();
  if (p.error && !p.available.size) return t.skip(p.error);
  const refusedButAllowed: string[] = [];
  let agree = 0;
  for (const pt of Object.keys(PROBE_TYPES)) {
    for (const name of p.available.get(pt) ?? []) {
      if (/^bpf_xdp_metadata_/.test(name)) continue; // device-bound kfuncs are checked elsewhere by the verifier
      if (kfuncAllowedFor(name, pt) === false) refusedButAllowed.push(`${pt}:${name}`);
      else agree++;
    }
  }
  t.diagnostic(`kernel ${p.kernel}: ${agree} kfunc/program-type pairs confirmed`);
  assert.deepEqual(refusedButAllowed, [], 'kfuncs the kernel allows but bpfls would flag as not registered');
});
