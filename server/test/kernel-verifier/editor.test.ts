// The kernel verifier in the editor, through the real server: off by default, ignored (with one
// information finding) in an untrusted workspace, and when on in a trusted one the kernel's
// rejection is an error on the C line, from source 'kernel'.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, fileUri, repoRoot, type Diagnostic } from '../lsp-client';
import { findClang } from '../../src/toolchain/clang';
import { BPFFS_ROOT, PIN_PREFIX, kernelVerifierAvailability } from '../../src/toolchain/kernel-verifier';

let clangMissing = '';
before(async () => {
  const r = await findClang({ trusted: true });
  if (!r.ok) clangMissing = r.message;
});

const SOURCE = fs.readFileSync(path.join(repoRoot, 'examples/null_check_missing.bpf.c'), 'utf8');
const BUG_LINE = SOURCE.split('\n').findIndex((l) => l.includes('*value += 1'));

async function diagnosticsWith(settings: unknown, trusted: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-kv-editor-'));
  const c = await LspTestClient.start({ debounceMs: 20, settings, trusted });
  try {
    const uri = fileUri(path.join(dir, 'null_check_missing.bpf.c'));
    c.open(uri, SOURCE);
    const done = await c.waitForAnalysis(uri, 1, 90_000);
    assert.equal(done.build, 'ok');
    return { diags: c.diagnostics.get(uri)?.diagnostics ?? [], pid: c.proc.pid };
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const kernelDiags = (d: Diagnostic[]) => d.filter((x) => x.source === 'kernel' || String(x.code).startsWith('bpfls.kernel-verifier'));

test('kernel verifier: off by default, and off in untrusted workspaces', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const byDefault = await diagnosticsWith({}, true);
  assert.ok(byDefault.diags.some((d) => d.code === 'bpfls.verifier'), 'bpfls\'s own verifier still reports');
  assert.deepEqual(kernelDiags(byDefault.diags), []);
  const untrusted = await diagnosticsWith({ kernelVerifier: true }, false);
  const k = kernelDiags(untrusted.diags);
  assert.equal(k.length, 1, JSON.stringify(k));
  assert.equal(k[0].code, 'bpfls.kernel-verifier-unavailable');
  assert.equal(k[0].severity, 3);
  assert.match(k[0].message, /untrusted/);
});

test('kernel verifier: on in a trusted workspace, the kernel\'s error on the C line', async (t) => {
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const { diags, pid } = await diagnosticsWith({ kernelVerifier: true }, true);
  const k = kernelDiags(diags);
  const err = k.find((d) => d.code === 'bpfls.kernel-verifier');
  assert.ok(err, JSON.stringify(diags));
  assert.equal(err.severity, 1);
  assert.equal(err.range.start.line, BUG_LINE);
  assert.match(err.message, /^R0 invalid mem access 'map_value_or_null'/);
  // bpfls agrees with the kernel on this one: no parity finding.
  assert.ok(!k.some((d) => d.code === 'bpfls.kernel-verifier-mismatch'), JSON.stringify(k));
  const left = fs.readdirSync(BPFFS_ROOT).filter((n) => n.startsWith(`${PIN_PREFIX}${pid}-`));
  assert.deepEqual(left, []);
});
