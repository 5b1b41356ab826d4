// bpfls vs the running kernel on an external source tree (default: the kernel's BPF selftests).
//   node --import tsx server/test/external/cli.ts [SOURCES_DIR] [--jobs N] [--refresh] [--list]
//        [--only name[,name...]] [--top N] [--json OUT]
// SOURCES_DIR (or BPFLS_SELFTESTS_DIR) is tools/testing/selftests/bpf, its progs/ dir, or a kernel
// source root. Compiled objects and the kernel's verdicts are cached under $TMPDIR/bpfls-external,
// so a re-run only re-verifies with bpfls (2 worker processes by default).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import {
  bpflsAll, compileAll, DEFAULT_SELFTESTS, figures, groups, kernelAll, pct, prepareIncludes, resolveLayout, shape,
  toolchainOk, workDir, notComparable, type ProgEntry,
} from './external';

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const log = (s: string) => process.stderr.write(`[external] ${s}\n`);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const valued = new Set(['--jobs', '--only', '--top', '--json', '--worker']);
  const positional = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1] ?? ''));
  const dir = positional[0] ?? process.env.BPFLS_SELFTESTS_DIR ?? DEFAULT_SELFTESTS;
  const jobs = Math.max(1, Number(opt(args, '--jobs') ?? 2));
  const only = (opt(args, '--only') ?? '').split(',').filter(Boolean);
  const top = Number(opt(args, '--top') ?? 25);
  const worker = opt(args, '--worker');
  const layout = resolveLayout(dir);
  if (typeof layout === 'string') {
    console.error(layout);
    return 2;
  }
  const why = toolchainOk();
  if (why) {
    console.error(`cannot measure: ${why}`);
    return 3;
  }
  const work = workDir(layout);
  const inc = prepareIncludes(work);
  if (inc) {
    console.error(`cannot measure: ${inc}`);
    return 3;
  }
  const t0 = Date.now();
  const objs = await compileAll(layout, work, only, jobs, worker ? () => {} : log);
  if (worker) {
    // a worker process: bpfls verdicts for its share of the objects, as JSON lines
    const [k, n] = worker.split('/').map(Number);
    const mine = objs.filter((_, i) => i % n === k);
    const { verdicts } = await kernelAll(mine, 1, false, () => {});
    const progs = await bpflsAll(mine, verdicts, () => {});
    for (const p of progs) process.stdout.write(JSON.stringify({ file: p.file, prog: p.prog, bpfls: p.bpfls }) + '\n');
    return 0;
  }
  const tc = Date.now();
  log(`${objs.length} sources, ${objs.filter((o) => o.objPath).length} compiled (${((tc - t0) / 1000).toFixed(0)} s)`);
  const { verdicts, notes } = await kernelAll(objs, jobs, args.includes('--refresh'), log);
  const tk = Date.now();
  log(`kernel verdicts for ${verdicts.size} objects (${((tk - tc) / 1000).toFixed(0)} s)`);
  let progs: ProgEntry[];
  if (jobs > 1) {
    // bpfls in `jobs` child processes; the parent keeps the kernel side
    const byKey = new Map<string, ProgEntry['bpfls']>();
    await Promise.all(Array.from({ length: jobs }, (_, k) => new Promise<void>((res) => {
      const childArgs = [...process.execArgv, process.argv[1], layout.selftests, '--worker', `${k}/${jobs}`, '--jobs', '1'];
      if (only.length) childArgs.push('--only', only.join(','));
      const c = spawn(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      c.stdout.on('data', (d) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          try {
            const r = JSON.parse(line) as { file: string; prog: string; bpfls?: ProgEntry['bpfls'] };
            byKey.set(`${r.file}:${r.prog}`, r.bpfls);
          } catch {
            /* partial line */
          }
        }
      });
      c.on('close', () => res());
    })));
    progs = [];
    for (const o of objs) {
      for (const k of verdicts.get(o.file) ?? []) {
        const skip = notComparable(k) ?? undefined;
        const prog = k.prog ?? k.name ?? '';
        progs.push({ file: o.file, prog, section: k.section ?? '', kernel: k, skip, bpfls: skip ? undefined : byKey.get(`${o.file}:${prog}`) });
      }
    }
  } else {
    progs = await bpflsAll(objs, verdicts, log);
  }
  const tb = Date.now();
  log(`bpfls done (${((tb - tk) / 1000).toFixed(0)} s)`);

  const f = figures(objs, progs);
  for (const n of notes.slice(0, 20)) console.log(`note: ${n}`);
  if (notes.length > 20) console.log(`note: ... ${notes.length - 20} more`);
  console.log(`sources ${f.sources}, compiled ${f.compiled}, compile failures ${f.compileFailed} (skipped)`);
  console.log(`programs ${f.programs}: not comparable ${f.notComparable} [${[...f.skipReasons].map(([r, n]) => `${r}: ${n}`).join('; ')}]`);
  console.log(`compared ${f.compared}: verdict agreement ${pct(f.agree, f.compared)} (${f.agree}/${f.compared}); ` +
    `unsound (bpfls accepts, kernel rejects) ${f.unsound.length}; false rejections ${f.strict.length}; ` +
    `identical message ${pct(f.sameMessage, f.sharedRejections)} (${f.sameMessage}/${f.sharedRejections}) of shared rejections; ` +
    `crashes ${f.crashes.length - f.timeouts}; over time budget ${f.timeouts}`);
  const show = (title: string, list: ProgEntry[], key: (p: ProgEntry) => string) => {
    if (!list.length) return;
    console.log(`\n== ${title}: ${list.length}`);
    for (const [k, ps] of groups(list, key).slice(0, top)) {
      const ex = ps.slice(0, 3).map((p) => `${p.file.replace(/\.c$/, '')}:${p.prog}`).join(' ');
      console.log(`${String(ps.length).padStart(4)}  ${k}   [${ex}]`);
    }
  };
  show('UNSOUND by kernel message', f.unsound, (p) => shape(p.kernel.error_line));
  show('FALSE REJECTIONS by bpfls message', f.strict, (p) => shape(p.bpfls?.message));
  show('MESSAGE differs (kernel | bpfls)', f.msgDiff, (p) => `${shape(p.kernel.error_line)}  |  ${shape(p.bpfls?.message)}`);
  show('CRASH / TIMEOUT', f.crashes, (p) => (p.bpfls?.crashed ?? '').slice(0, 100));
  if (args.includes('--list')) {
    console.log('\n== every disagreement');
    for (const p of [...f.unsound, ...f.strict, ...f.msgDiff, ...f.crashes]) {
      const b = p.bpfls!;
      const tag = b.crashed ? 'CRASH' : b.ok && !p.kernel.ok ? 'UNSOUND' : !b.ok && p.kernel.ok ? 'STRICT' : 'MSG';
      console.log(`${tag} ${p.file}:${p.prog} [${p.section}]: kernel ${p.kernel.ok ? 'ok' : `"${p.kernel.error_line}"`} | bpfls ${b.crashed ?? (b.ok ? 'ok' : `"${b.message}" @${b.insn}`)}`);
    }
  }
  const out = opt(args, '--json');
  if (out) writeFileSync(out, JSON.stringify(progs, null, 0));
  return 0;
}

// exitCode, not exit(): a worker's piped stdout must drain before the process ends
main().then((c) => { process.exitCode = c; }, (e) => {
  console.error(e);
  process.exit(1);
});
