// Mutants of real networking programs against the running kernel: each XDP/TC/socket/cgroup
// program of the objects built from public projects (by default /work/ext/objs/<project>/*.o) is
// mutated N times (an immediate, an offset, a register, a size, a jump or ALU op changed, or an
// instruction dropped: often a bounds check), loaded raw into the kernel and verified by bpfls.
// Prints the figures and every disagreement (UNSOUND first).
//
//   node --import tsx server/test/external/net-mutants.ts [--per N] [--seed S] [--max-insns M] [DIR|FILE.o ...]
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { kernelVerifyRaw, oracle } from '../diff/oracle';
import { fromLoaded, mutate, Rng, toLoadedObject, toRawSpec, type GenProgram } from '../diff/gen';
import { bpflsLoad } from '../diff/bpfls';
import { verifyProgram } from '../../src/bpf/verifier/index';
import { runningKernelVerifyOptions } from '../../src/toolchain/running-kernel';

const args = process.argv.slice(2);
const opt = (k: string, d: number): number => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
const per = opt('--per', 12), seed = opt('--seed', 1), maxInsns = opt('--max-insns', 4000);
const dumpIdx = args.indexOf('--dump');
const dump = dumpIdx >= 0 ? args[dumpIdx + 1] : undefined;
const roots = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
// networking program types (no attach BTF needed): socket filter, tc, xdp, cgroup_*, lwt, sock_ops, sk_skb, sk_msg, sk_lookup...
// BPFLS_MUTANT_TYPES=2,5,7,17: other program types that load without attach BTF (kprobe, tracepoint, perf_event, raw_tracepoint)
const NET_TYPES = new Set(process.env.BPFLS_MUTANT_TYPES ? process.env.BPFLS_MUTANT_TYPES.split(',').map(Number) : [1, 3, 4, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 21, 22, 23, 25, 30]);

function listObjects(p: string): string[] {
  if (!existsSync(p)) return [];
  if (statSync(p).isFile()) return p.endsWith('.o') ? [p] : [];
  return readdirSync(p).sort().flatMap((e) => listObjects(join(p, e)));
}

async function main(): Promise<void> {
  const o = oracle();
  if (!o.ok) { console.log(`skipped: ${o.reason}`); return; }
  const rng = new Rng(seed);
  const progs: GenProgram[] = [];
  for (const obj of (roots.length ? roots : ['/work/ext/objs']).flatMap(listObjects)) {
    const l = await bpflsLoad(new Uint8Array(readFileSync(obj)));
    if (!l.obj) continue;
    for (const p of l.obj.programs) {
      if (!NET_TYPES.has(p.progType) || p.insns.length > maxInsns) continue;
      const base = fromLoaded(l.obj, p, `${basename(obj, '.o')}:${p.name}`);
      progs.push(base);
      for (let k = 0; k < per; k++) {
        const m = mutate(base, rng, `${base.name}#${k}`);
        progs.push(m);
        // --dump NAME: the mutant's instructions as JSON, to reproduce one disagreement
        if (m.name === dump) writeFileSync('/tmp/bpfls-mutant.json', JSON.stringify({ ...m, targetBtf: undefined }));
      }
    }
  }
  if (dump) return;
  let judged = 0, agree = 0, kernelRejects = 0, same = 0;
  const out: string[] = [];
  const CHUNK = 200;
  for (let c = 0; c < progs.length; c += CHUNK) {
    const chunk = progs.slice(c, c + CHUNK);
    const k = kernelVerifyRaw(chunk.map(toRawSpec));
    for (const p of chunk) {
      const kv = k.verdicts.get(p.name);
      if (!kv || kv.ok === null || (kv.ok === false && !kv.error_line && !kv.processed)) continue;
      judged++;
      const { obj, prog } = toLoadedObject(p);
      let b;
      try { b = verifyProgram(obj, prog, { timeBudgetMs: 5000, ...runningKernelVerifyOptions() }); } catch (e) { out.push(`CRASH ${p.name} (${p.origin}): ${(e as Error).message}`); continue; }
      if (!b.ok && !b.error) { out.push(`TIMEOUT ${p.name} (${p.origin})`); continue; }
      if (!kv.ok) kernelRejects++;
      const bmsg = b.error?.message;
      if (b.ok === kv.ok) {
        agree++;
        if (!b.ok && bmsg === kv.error_line) same++;
        if (b.ok || bmsg === kv.error_line) continue;
      }
      const tag = b.ok && !kv.ok ? 'UNSOUND' : !b.ok && kv.ok ? 'STRICT' : 'MSG';
      out.push(`${tag} ${p.name} (${p.origin}): kernel ${kv.ok ? 'ok' : `"${kv.error_line}"`} | bpfls ${b.ok ? 'ok' : `"${bmsg}" @${b.error?.insn}`}`);
    }
  }
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0');
  console.log(`net mutants: ${progs.length} programs, ${judged} judged by the kernel; verdict agreement ${agree}/${judged} (${pct(agree, judged)}%); ` +
    `unsound ${out.filter((l) => l.startsWith('UNSOUND')).length}; false rejections ${out.filter((l) => l.startsWith('STRICT')).length}; ` +
    `same message ${same}/${kernelRejects} kernel rejections (${pct(same, kernelRejects)}%)`);
  const order = ['UNSOUND', 'CRASH', 'STRICT', 'TIMEOUT', 'MSG'];
  out.sort((a, b) => order.indexOf(a.split(' ')[0]) - order.indexOf(b.split(' ')[0]));
  for (const l of out) console.log(l);
}

main().catch((e) => { console.error(e); process.exit(1); });
