// The knowledge lints over the kernel's own BPF selftest programs: programs the kernel loads must
// not get error-level reports. Runs where the kernel sources are unpacked (see PREAMBLE: /work/ref).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DocumentSnapshot } from '../../src/analysis/document';
import { normalizeSettings } from '../../src/analysis/settings';
import { knowledgeFindings } from '../../src/features/knowledge/diagnostics';

/** Programs made sleepable by their loader (bpf_program__set_flags), which the source cannot show. */
const SLEEPABLE_BY_LOADER = new Set(['kprobe_multi_sleepable.c']);

const PROGS = process.env.BPFLS_SELFTESTS_PROGS ?? path.resolve(__dirname, '../../../../ref/linux-source-6.12/tools/testing/selftests/bpf/progs');

test('no error-level knowledge findings on kernel selftests that are expected to load', (t) => {
  if (!existsSync(PROGS)) return t.skip(`${PROGS} not present`);
  // The target BTF is left out: selftests call test-module kfuncs that no vmlinux has.
  const settings = normalizeSettings({ targetBtf: '/nonexistent' });
  const errors: string[] = [];
  let files = 0;
  for (const f of readdirSync(PROGS).filter((x) => x.endsWith('.c'))) {
    const text = readFileSync(path.join(PROGS, f), 'utf8');
    if (/__failure|__msg\(|_fail\.c$|failure\.c$/.test(text + f) || SLEEPABLE_BY_LOADER.has(f)) continue;
    files++;
    for (const x of knowledgeFindings({ doc: new DocumentSnapshot(`file:///${f}`, 'c', 1, text), tree: undefined, settings })) {
      if (x.severity === 'error') errors.push(`${f}:${x.range.start.line + 1}: ${x.code} ${x.message.slice(0, 100)}`);
    }
  }
  t.diagnostic(`${files} selftest programs checked`);
  assert.ok(files > 300);
  assert.deepEqual(errors, []);
});
