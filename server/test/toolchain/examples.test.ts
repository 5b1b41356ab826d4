// The examples compile with our toolchain module, and the kernel accepts the good ones and
// rejects null_check_missing.bpf.c with the verifier's map_value_or_null error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findClang } from '../../src/toolchain/clang';
import { compile, compileOptionsFor } from '../../src/toolchain/compile';

const examples = path.resolve(__dirname, '../../../examples');
const GOOD = ['xdp_counter.bpf.c', 'kprobe_ringbuf.bpf.c', 'tc_classifier.bpf.c'];
const BAD = 'null_check_missing.bpf.c';

/** Why the kernel cannot be asked here, or '' when it can. */
function kernelUnavailable(): string {
  if (process.getuid?.() !== 0) return 'not root';
  if (spawnSync('bpftool', ['version']).status !== 0) return 'bpftool not installed';
  if (!fs.existsSync('/sys/fs/bpf')) return 'no /sys/fs/bpf';
  const mounted = fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  if (!mounted && spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']).status !== 0) return 'cannot mount bpffs';
  return '';
}

function kernelLoad(obj: string): { ok: boolean; log: string } {
  // bpffs refuses names with dots.
  const pin = `/sys/fs/bpf/bpfls_test_${process.pid}_${path.basename(obj, '.o').replace(/\W/g, '_')}`;
  const r = spawnSync('bpftool', ['prog', 'loadall', obj, pin], { encoding: 'utf8' });
  // rm(1): node's rmSync cannot list bpffs directories here (EPERM from readdir).
  spawnSync('rm', ['-rf', pin]);
  return { ok: r.status === 0, log: `${r.stdout}${r.stderr}` };
}

test('examples compile and the kernel judges them as documented', async (t) => {
  const found = await findClang({ trusted: true });
  if (!found.ok) return t.skip(`needs clang: ${found.message}`);
  const noKernel = kernelUnavailable();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-examples-'));
  try {
    for (const name of [...GOOD, BAD]) {
      const file = path.join(examples, name);
      const text = fs.readFileSync(file, 'utf8');
      const r = await compile({ clang: found.clang, text, file, options: compileOptionsFor(file, { extraIncludePaths: [], extraFlags: [], trusted: true }) });
      assert.equal(r.status, 'ok', `${name}: ${r.stderr}`);
      assert.deepEqual(r.findings, [], `${name} compiles without warnings`);
      if (noKernel) continue;
      const obj = path.join(dir, name.replace(/\.c$/, '.o'));
      fs.writeFileSync(obj, r.elf!);
      const k = kernelLoad(obj);
      if (name === BAD) {
        assert.equal(k.ok, false, 'the kernel rejects the missing NULL check');
        assert.match(k.log, /R0 invalid mem access 'map_value_or_null'/);
      } else {
        assert.ok(k.ok, `${name} loads: ${k.log.slice(-2000)}`);
      }
    }
    if (noKernel) t.diagnostic(`kernel loading skipped: ${noKernel}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
