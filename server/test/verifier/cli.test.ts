// `bpfls verify` on a C file: one JSON line per program with the contract's fields, exit 1 on rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';

const SRC = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, int); __type(value, long); } m SEC(".maps");
SEC("xdp") int good(struct xdp_md *ctx) { int k = 0; long *v = bpf_map_lookup_elem(&m, &k); if (v) *v += 1; return 2; }
SEC("xdp") int bad(struct xdp_md *ctx) {
  int k = 0;
  long *v = bpf_map_lookup_elem(&m, &k);
  *v += 1;
  return 2;
}
char _license[] SEC("license") = "GPL";
`;

test('bpfls verify --json on a C file', (t) => {
  if (spawnSync('clang-19', ['--version']).status !== 0) { t.skip('clang-19 not installed'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-verify-test-'));
  try {
    const file = join(dir, 'prog.bpf.c');
    writeFileSync(file, SRC);
    const main = join(__dirname, '../../src/cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'verify', file, '--json'], { encoding: 'utf8', timeout: 60000 });
    const code = r.status;
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(code, 1);
    assert.equal(lines.length, 2);
    const good = lines.find((l) => l.prog === 'good')!;
    const bad = lines.find((l) => l.prog === 'bad')!;
    for (const l of lines) assert.deepEqual(Object.keys(l), ['file', 'prog', 'section', 'ok', 'error', 'processed', 'time_ms']);
    assert.equal(good.ok, true);
    assert.equal(good.error, null);
    assert.equal(bad.ok, false);
    const err = bad.error as { message: string; insn: number; line: number };
    assert.equal(err.message, "R0 invalid mem access 'map_value_or_null'");
    assert.equal(err.line, 8, 'the error maps to the C line that dereferences v');
    assert.ok((bad.processed as number) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
