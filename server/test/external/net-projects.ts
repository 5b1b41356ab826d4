// Measures bpfls against the running kernel on networking BPF objects built from public projects
// (XDP/TC/socket/cgroup programs: xdp-tools, xdp-tutorial, bpf-examples, katran, ...). The sources
// and objects live outside the repo (by default /work/ext/objs/<project>/*.o); this script only
// reads the objects, caches the kernel's verdicts per object sha256 next to them, and prints the
// figures per project and one line per disagreement.
//
//   node --import tsx server/test/external/net-projects.ts [--refresh] [--only NAME] [DIR|FILE.o ...]
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { oracle, type KernelVerdict } from '../diff/oracle';
import { toCached, type CachedVerdict } from '../diff/corpus';
import { bpflsLoad, bpflsVerifier, bpflsVerify, type BpflsVerdict } from '../diff/bpfls';
import { computeFigures, type Pair } from '../diff/compare';
import { NOT_COMPARABLE_SECTIONS } from '../realworld/realworld';

const args = process.argv.slice(2);
const refresh = args.includes('--refresh');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const paths = args.filter((a, i) => !a.startsWith('--') && i !== onlyIdx + 1 || (onlyIdx < 0 && !a.startsWith('--')));
const roots = paths.length ? paths : ['/work/ext/objs'];

function listObjects(p: string): string[] {
  if (!existsSync(p)) return [];
  if (statSync(p).isFile()) return p.endsWith('.o') ? [p] : [];
  return readdirSync(p).sort().flatMap((e) => listObjects(join(p, e)));
}

type Cache = Record<string, Record<string, CachedVerdict & { section?: string }>>;
const cachePath = (o: string) => join(dirname(o), '.kernel-verdicts.json');
const caches = new Map<string, Cache>();
function cacheFor(o: string): Cache {
  const p = cachePath(o);
  let c = caches.get(p);
  if (!c) {
    try { c = JSON.parse(readFileSync(p, 'utf8')) as Cache; } catch { c = {}; }
    caches.set(p, c);
  }
  return c;
}

/**
 * Loads each program of the object alone, like kernelVerifyObject, but in a private mount namespace
 * with its own bpffs on /sys/fs/bpf: projects pin maps by name (LIBBPF_PIN_BY_NAME), and those pins
 * must neither leak onto the machine nor collide with pins of the same name from other objects.
 */
function kernelVerifyIsolated(bin: string, objPath: string): { verdicts: KernelVerdict[]; error?: string } {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t bpf bpf /sys/fs/bpf && exec "$0" obj "$1"', bin, objPath],
    { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  const verdicts: KernelVerdict[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    try { verdicts.push(JSON.parse(line) as KernelVerdict); } catch { /* a torn line */ }
  }
  return r.status === 0 ? { verdicts } : { verdicts, error: `bpfverify exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 300)}` };
}

/** A load that failed before the verifier ran (map creation, unknown section, pinning): no verifier verdict. */
function notVerified(k: CachedVerdict): boolean {
  return k.ok === false && !k.error_line && !k.processed;
}

async function main(): Promise<void> {
  const verify = await bpflsVerifier();
  if (!verify) throw new Error('bpfls verifier not present');
  const o = oracle();
  const byProject = new Map<string, Pair[]>();
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const obj of roots.flatMap(listObjects)) {
    const project = basename(dirname(obj));
    const bytes = readFileSync(obj);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const cache = cacheFor(obj);
    let kv = !refresh ? cache[sha] : undefined;
    if (!kv) {
      if (!o.ok) { skipped.push(`${obj}: no cached kernel verdict and ${o.reason}`); continue; }
      const r = kernelVerifyIsolated(o.bin, obj);
      kv = {};
      for (const v of r.verdicts) kv[v.prog ?? v.name ?? ''] = { section: v.section ?? '', ...toCached(v) };
      if (r.error && !r.verdicts.length) { skipped.push(`${obj}: ${r.error}`); continue; }
      cache[sha] = kv;
    }
    const l = await bpflsLoad(new Uint8Array(bytes));
    for (const [name, k] of Object.entries(kv)) {
      const id = `${basename(obj, '.o')}:${name}`;
      if (only && !id.includes(only)) continue;
      let b: BpflsVerdict;
      const prog = l.obj?.programs.find((x) => x.name === name);
      if (!l.obj) b = { ok: false, message: null, timeMs: 0, crashed: `load: ${l.error}` };
      else if (!prog) b = { ok: false, message: null, timeMs: 0, crashed: 'program not found by the bpfls loader' };
      else b = await bpflsVerify(verify, l.obj, prog);
      const comparable = k.ok !== null && !notVerified(k) && !NOT_COMPARABLE_SECTIONS.test(k.section ?? '');
      if (!comparable) skipped.push(`${id} [${k.section}]: not comparable: ${k.skip ?? ''} ${k.errno ? `errno ${k.errno}` : ''} ${k.error_line ?? ''}`.trim());
      const pair: Pair = { id, kernel: { ok: comparable ? k.ok : null, error_line: k.error_line }, bpfls: b };
      if (!byProject.has(project)) byProject.set(project, []);
      byProject.get(project)!.push(pair);
      if (!comparable) continue;
      const tag = b.crashed ? 'CRASH' : b.ok && !k.ok ? 'UNSOUND' : !b.ok && k.ok ? 'STRICT' : !b.ok && b.message !== k.error_line ? 'MSG' : '';
      if (tag) lines.push(`${tag} ${project}/${id}: kernel ${k.ok ? 'ok' : `"${k.error_line}"`} | bpfls ${b.crashed ?? (b.ok ? 'ok' : `"${b.message}" @${b.insn}`)}`);
    }
  }
  for (const [p, c] of caches) writeFileSync(p, JSON.stringify(c, null, 1) + '\n');
  const all: Pair[] = [];
  console.log('project          progs compared agree  unsound strict  shared sameMsg');
  for (const [p, pairs] of byProject) {
    all.push(...pairs);
    const f = computeFigures(p, pairs, true);
    console.log(`${p.padEnd(16)} ${String(f.programs).padStart(5)} ${String(f.judged).padStart(8)} ${String(f.agree).padStart(5)} ${String(f.unsound.length).padStart(8)} ${String(f.overStrict).padStart(6)} ${String(f.sharedRejections).padStart(7)} ${String(f.sameMessage).padStart(7)}`);
  }
  const f = computeFigures('all', all, true);
  console.log(`TOTAL: ${f.judged} compared, verdict agreement ${f.agree}/${f.judged} (${f.agreementPct}%), unsound ${f.unsound.length}, false rejections ${f.overStrict}, crashes ${f.crashes}, timeouts ${f.timeouts}, same message ${f.sameMessage}/${f.sharedRejections} (${f.messagePct}%)`);
  if (args.includes('--skipped')) for (const s of skipped) console.log(`SKIP ${s}`);
  else console.log(`${skipped.length} programs not comparable (--skipped lists them)`);
  for (const l of lines) console.log(l);
}

main().catch((e) => { console.error(e); process.exit(1); });
