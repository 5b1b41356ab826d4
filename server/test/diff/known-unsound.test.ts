// Programs of the generated runs that bpfls still accepts and the 6.18 kernel rejects, kept as
// fixtures (known-unsound.json: raw spec, the kernel's verdict, why) until the verifier models
// what they need. Each is re-judged by the running kernel when loading is permitted, so a fixture
// that stops reproducing shows up. A case bpfls gets right passes; one it still accepts is a todo
// (reported, not failing), so this file lists the open unsound cases with their cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeInsns } from '../../src/bpf/isa/insn';
import { bpflsVerifier, bpflsVerify } from './bpfls';
import { toLoadedObject, type GenProgram } from './gen';
import { kernelVerifyRaw, oracle, repoRoot, type RawSpec } from './oracle';

interface Fixture {
  origin: string;
  spec: RawSpec;
  kernel: { ok: boolean; error_line: string };
  why: string;
}

const fixtures = JSON.parse(readFileSync(join(repoRoot, 'server/test/diff/known-unsound.json'), 'utf8')) as Fixture[];

function fromSpec(s: RawSpec, origin: string): GenProgram {
  const bytes = new Uint8Array((s.insns.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  const { insns } = decodeInsns(bytes);
  return {
    name: s.name, progType: s.prog_type, expectedAttachType: s.expected_attach_type ?? 0, license: s.license ?? 'GPL', insns,
    maps: (s.maps ?? []).map((m) => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags })),
    origin,
  };
}

test('known unsound cases from the generated runs', async (t) => {
  const live = oracle().ok ? kernelVerifyRaw(fixtures.map((f) => f.spec)).verdicts : undefined;
  const verify = await bpflsVerifier();
  for (const f of fixtures) {
    const p = fromSpec(f.spec, f.origin);
    const k = live?.get(f.spec.name);
    const kernelRejects = k ? k.ok === false : !f.kernel.ok;
    const { obj, prog } = toLoadedObject(p);
    const verdict = verify ? await bpflsVerify(verify, obj, prog) : undefined;
    const todo = verdict?.ok && kernelRejects ? `bpfls accepts, the kernel says "${k?.error_line ?? f.kernel.error_line}": ${f.why}` : undefined;
    await t.test(`${f.spec.name} (${f.origin})`, { todo }, (st) => {
      if (k) assert.equal(k.ok, f.kernel.ok, 'the kernel verdict of this fixture changed: refresh known-unsound.json');
      if (!verdict) {
        st.skip('bpfls verifier not present');
        return;
      }
      if (kernelRejects) assert.equal(verdict.ok, false, 'bpfls accepts what the kernel rejects');
    });
  }
});
