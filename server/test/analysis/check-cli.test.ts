// `bpfls check` end to end through the CLI (the bundle when fresh, else the sources): exit codes, formats, --fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findClang } from '../../src/toolchain/clang';
import { cliCommand } from '../lsp-client';

const repoRoot = path.resolve(__dirname, '../../..');
const [node, ...cli] = cliCommand();

function bpfls(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(node, [...cli, ...args], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD = [
  '#include <linux/bpf.h>',
  '#include <bpf/bpf_helpers.h>',
  'SEC("xdp")',
  'int p(struct xdp_md *ctx)',
  '{',
  '\tint x = ctx->ingress_ifindex',
  '\treturn XDP_PASS + x;',
  '}',
  'char LICENSE[] SEC("license") = "GPL";',
  '',
].join('\n');

test('usage errors and missing files exit 2 with a clear message', () => {
  const none = bpfls(['check']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no files given/);
  const flag = bpfls(['check', '--bogus', 'x.c']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option --bogus/);
  const missing = bpfls(['check', '/nonexistent/x.bpf.c']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\/x\.bpf\.c: no such file/);
  const fmt = bpfls(['check', '--format', 'xml', 'x']);
  assert.equal(fmt.code, 2);
});

test('missing clang: exit 2 with the install hint, syntax findings still reported', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-check-'));
  try {
    const f = path.join(dir, 'x.bpf.c');
    fs.writeFileSync(f, BAD);
    const r = bpfls(['check', f], { BPFLS_CLANG: '/nonexistent/clang' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /install clang-19 \(apt-get install clang-19\) or set BPFLS_CLANG/);
    assert.match(r.stdout, /x\.bpf\.c:6:\d+: error: expected ';'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('clean file exits 0; errors exit 1 in text, json and sarif; --fix applies the safe fix', async (t) => {
  const found = await findClang({ trusted: true });
  if (!found.ok) return t.skip(`needs clang: ${found.message}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-check-'));
  try {
    const good = path.join(repoRoot, 'examples', 'xdp_counter.bpf.c');
    const ok = bpfls(['check', '--no-run', good]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);

    const f = path.join(dir, 'x.bpf.c');
    fs.writeFileSync(f, BAD);
    const text = bpfls(['check', f]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /x\.bpf\.c:6:30: error: expected ';' at end of declaration \[clang\]/);

    const json = bpfls(['check', '--format', 'json', f]);
    assert.equal(json.code, 1);
    const items = JSON.parse(json.stdout) as { line: number; column: number; severity: string; source: string }[];
    assert.ok(items.some((i) => i.line === 6 && i.column === 30 && i.severity === 'error' && i.source === 'clang'));

    const sarif = bpfls(['check', '--format', 'sarif', f]);
    assert.equal(sarif.code, 1);
    const log = JSON.parse(sarif.stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0].results[0].locations[0].physicalLocation.region.startLine, 6);

    const fix = bpfls(['check', '--fix', f]);
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /applied 1 fix/);
    assert.match(fs.readFileSync(f, 'utf8'), /ctx->ingress_ifindex;\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
