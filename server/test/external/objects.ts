// Measures bpfls against the running kernel on prebuilt objects (built outside the repo the way a
// project's own build does, e.g. Cilium's bpf/Makefile or datadog-agent's system-probe tasks), one
// line per program with both verdicts, both processed-instruction counts and both times:
//
//   node --import tsx server/test/external/objects.ts [--cache FILE] [--only SUBSTR] [--budget MS] X.o...
//
// Kernel verdicts are cached (default: kernel.json next to the first object, keyed by path and the
// object's sha256). Tags: UNSOUND (bpfls accepts, kernel rejects), STRICT (the reverse), MSG
// (different final error line), same; NC = not comparable (lockdown, refused before verification,
// or held back by the oracle). bpfls times here are cold (first verification of each program in
// this process); for warm timing use the bench's harness. Nothing here is part of `npm test`.
//
// How the measured objects were built (sources under /work/ext, never in the repo):
// - Cilium (bpf/, 1.17-dev): clang-19 -O2 -g --target=bpf -std=gnu89 -nostdinc -mcpu=v3
//   -I bpf/include -I bpf -D__NR_CPUS__=2 with the MAX_{LXC,HOST,OVERLAY,XDP,WIREGUARD,LB}_OPTIONS
//   of bpf/Makefile (KERNEL=netnext), plus `-D__section_tail(ID,KEY)=__section("tc")` ("xdp" for
//   bpf_xdp.c); for libbpf to open the objects, the iproute2-style calls map (struct bpf_elf_map in
//   "maps") is declared as a BTF prog array and the few `static` tail-call functions lose `static`.
//   Its bpf/tests/*.c the same way with bpf/tests/Makefile's -std=gnu99, the PKTGEN/SETUP/CHECK
//   sections ("tc/test/NAME/pktgen"...) named plain "tc"/"xdp" for libbpf 1.1.
// - datadog-agent (pkg/network/ebpf/c, pkg/ebpf/c): tasks/system_probe.py's CO-RE flags
//   (-D__KERNEL__ -D__BPF_TRACING__ -DCOMPILE_CORE -D__TARGET_ARCH_x86 -O2 -g ...), with
//   LOAD_CONSTANT loads reading 1, the bypass stub removed, maps the agent sizes at load time given
//   1024 entries (ring buffers 64 KiB) and `socket/NAME` sections renamed `socket`.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { oracle, type KernelVerdict } from '../diff/oracle';
import { bpflsLoad, bpflsVerifier, bpflsVerify } from '../diff/bpfls';
import { NOT_COMPARABLE_SECTIONS } from '../realworld/realworld';

interface Cached { sha: string; verdicts: KernelVerdict[] }

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const val = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const files = argv.filter((a, i) => a.endsWith('.o') && !['--cache', '--only', '--budget'].includes(argv[i - 1] ?? ''));
  if (!files.length) {
    console.error('usage: objects.ts [--cache FILE] [--only SUBSTR] [--budget MS] X.o...');
    process.exit(2);
  }
  const only = val('--only');
  const budget = Number(val('--budget') ?? 60_000);
  const cachePath = val('--cache') ?? join(dirname(files[0]), 'kernel.json');
  let cache: Record<string, Cached> = {};
  try {
    cache = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, Cached>;
  } catch {
    /* first run */
  }
  const verify = await bpflsVerifier();
  if (!verify) throw new Error('bpfls verifier not present');
  const o = oracle();
  const count = { same: 0, unsound: 0, strict: 0, msg: 0, crash: 0, nc: 0 };
  for (const f of files) {
    const sha = createHash('sha256').update(readFileSync(f)).digest('hex');
    let kc = cache[f];
    if (!kc || kc.sha !== sha) {
      if (!o.ok) {
        console.log(`note: ${f}: no cached kernel verdicts and ${o.reason}`);
        continue;
      }
      const r = spawnSync(o.bin, ['--user-sizes', 'obj', f], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 1_800_000 });
      const verdicts: KernelVerdict[] = [];
      for (const line of (r.stdout ?? '').split('\n')) {
        try {
          if (line.trim()) verdicts.push(JSON.parse(line) as KernelVerdict);
        } catch {
          /* a line cut by a crash */
        }
      }
      if (r.status !== 0) console.log(`note: ${f}: bpfverify exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 300)}`);
      kc = { sha, verdicts };
      cache[f] = kc;
      writeFileSync(cachePath, JSON.stringify(cache, null, 1));
    }
    const l = await bpflsLoad(new Uint8Array(readFileSync(f)));
    for (const v of kc.verdicts) {
      const name = v.prog ?? v.name ?? '';
      if (only && !name.includes(only)) continue;
      const id = `${f.split('/').slice(-2).join('/')}:${name}`;
      const preVerifier = v.ok === false && !v.error_line && !v.processed;
      // verified, then refused by libbpf after verification: the verifier accepted it
      if (v.ok === false && !v.error_line && (v.processed ?? 0) > 0 && /processed \d+ insns/.test(v.log_tail ?? '')) v.ok = true;
      if (v.ok === null || preVerifier || NOT_COMPARABLE_SECTIONS.test(v.section ?? '')) {
        count.nc++;
        console.log(`NC ${id} [${v.section}]: ${v.skip ?? (preVerifier ? `refused before verification (errno ${v.errno})` : 'fentry/fexit/lsm')}`);
        continue;
      }
      const prog = l.obj?.programs.find((x) => x.name === name);
      const b = !l.obj || !prog ? { ok: false, message: null, timeMs: 0, processed: undefined, insn: undefined, crashed: l.error ?? 'program not found by the bpfls loader' }
        : await bpflsVerify(verify, l.obj, prog, budget);
      let tag: string;
      if (b.crashed) { tag = 'CRASH'; count.crash++; }
      else if (b.ok && v.ok === false) { tag = 'UNSOUND'; count.unsound++; }
      else if (!b.ok && v.ok) { tag = 'STRICT'; count.strict++; }
      else if (!b.ok && !v.ok && (b.message ?? '').trim() !== (v.error_line ?? '').trim()) { tag = 'MSG'; count.msg++; }
      else { tag = 'same'; count.same++; }
      const kms = (v.verification_time_usec ?? 0) / 1000;
      console.log(`${tag} ${id} [${v.section}] kernel ${v.ok ? 'ok' : `"${v.error_line}"`} ${v.processed ?? '?'} insns ${kms.toFixed(1)} ms | bpfls ${b.crashed ?? (b.ok ? 'ok' : `"${b.message}" @${b.insn}`)} ${b.processed ?? '?'} insns ${b.timeMs.toFixed(1)} ms`);
    }
  }
  const judged = count.same + count.unsound + count.strict + count.msg + count.crash;
  console.log(`${judged} compared: same ${count.same}, unsound ${count.unsound}, strict ${count.strict}, message ${count.msg}, crash ${count.crash}; not comparable ${count.nc}`);
}

void main();
