// Kernel parity on the corpus: each program of fixtures/corpus/*.c, compiled with clang, runs on
// every test packet both in the emulator (through the project's loader) and in the kernel
// (bpftool prog loadall + prog run, i.e. BPF_PROG_TEST_RUN); retval and data_out must match.
// Programs of one object share maps and run in the same order on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadObject } from '../../src/bpf/loader';
import { Emulator } from '../../src/bpf/emulator/emulator';
import { MapType } from '../../src/bpf/progtypes';
import { bpftoolStatus, PinnedObject } from './kernel';
import { PACKETS } from './packets';

const corpusDir = path.join(__dirname, 'fixtures/corpus');
const CLANG = process.env.BPFLS_CLANG ?? 'clang-19';

function compile(src: string, out: string): string | undefined {
  const r = spawnSync(CLANG, ['-target', 'bpf', '-mcpu=v4', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', out], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || 'clang failed').trim();
}

const clangOk = spawnSync(CLANG, ['--version']).status === 0;
const kernel = bpftoolStatus();
const skip = !clangOk ? `${CLANG} not found: cannot compile the corpus` : !kernel.ok ? kernel.reason : false;

test('kernel parity: corpus programs match BPF_PROG_TEST_RUN', { skip, timeout: 600_000 }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'bpfls-corpus-'));
  const mismatches: string[] = [];
  let compared = 0, programs = 0;
  try {
    for (const f of readdirSync(corpusDir).filter((x) => x.endsWith('.c')).sort()) {
      const obj = path.join(work, f.replace(/\.c$/, '.o'));
      const err = compile(path.join(corpusDir, f), obj);
      assert.equal(err, undefined, `${f}: ${err}`);
      const loaded = loadObject(new Uint8Array(readFileSync(obj)));
      assert.ok(loaded.object, `${f}: loader: ${loaded.errors.join('; ')}`);
      const emu = new Emulator(loaded.object);
      const progArrays = loaded.object.maps.filter((m) => m.type === MapType.PROG_ARRAY && m.initSlots).map((m) => ({ map: m.name, slots: m.initSlots! }));
      const pinned = new PinnedObject(obj, progArrays);
      try {
        for (const p of loaded.object.programs) {
          programs++;
          for (const pkt of PACKETS) {
            const k = pinned.run(p.name, pkt.data, undefined);
            const e = emu.run(p.name, { dataIn: pkt.data });
            const where = `${f}:${p.name} on ${pkt.name}`;
            if ('error' in k) {
              if (!e.error) mismatches.push(`${where}: kernel refused the run (${k.error}) but the emulator returned ${e.retval}`);
              continue;
            }
            if (e.error) { mismatches.push(`${where}: emulator fault at insn ${e.error.insn}: ${e.error.message} (kernel retval ${k.retval})`); continue; }
            compared++;
            if (e.retval !== k.retval) mismatches.push(`${where}: retval ${e.retval}, kernel ${k.retval}`);
            const eOut = Buffer.from(e.dataOut).toString('hex');
            if (eOut !== k.dataOut) mismatches.push(`${where}: data_out differs\n  emulator ${eOut}\n  kernel   ${k.dataOut}`);
          }
        }
      } finally {
        pinned.unpin();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`corpus parity: ${programs} programs, ${compared} runs compared, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches, []);
});
