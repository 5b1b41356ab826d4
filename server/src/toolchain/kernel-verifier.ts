// The real kernel's verifier, asked through bpftool (opt-in; needs root or CAP_BPF+CAP_SYS_ADMIN).
//
// Each program is loaded alone, the way libbpf's per-program autoload would: a temporary copy of
// the object renames every other program section to "?<name>" (libbpf's autoload-off prefix) by
// pointing its section header at a new name appended to the section-name string table, and turns
// the function symbols of the other programs in the same section into STT_NOTYPE, so libbpf does
// not see them as programs; instructions, relocations and BTF stay byte-identical.
// `bpftool prog loadall` then loads it (libbpf prints the verifier log of a failed load, retried
// at log level 1; without -d, whose level-2 logs overflow and take minutes on 1M-insn programs),
// and pins it under a fresh directory in /sys/fs/bpf, which is always removed afterwards (also on
// failure, timeout and cancellation). bpffs is never mounted here: when /sys/fs/bpf is not bpffs,
// the kernel path says so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, platform } from 'node:os';
import * as path from 'node:path';

/** One program's verdict from the kernel. ok null: not verified (see `skip`). */
export interface KernelVerdict {
  prog: string;
  section: string;
  ok: boolean | null;
  /** The kernel's final error line, when rejected. */
  message: string | null;
  /** The instruction the verifier was at when it failed (from the log's last "N: (op)" line). */
  insn: number | null;
  /** Why no verdict (e.g. EPERM under lockdown, another program of the section failed first). */
  skip?: string;
  /** The last lines of the verifier log, when rejected. */
  logTail?: string;
}

export type KernelAvailability = { ok: true; bpftool: string } | { ok: false; reason: string };

/** Where the program pins go; a bpffs mount (checked, never mounted by bpfls). */
export const BPFFS_ROOT = '/sys/fs/bpf';
/** Name prefix of the per-run pin directories (tests check none is left). */
export const PIN_PREFIX = 'bpfls-kv-';
/** One bpftool run (one section) may take this long before it is killed. */
const RUN_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 12;
const CAP_SYS_ADMIN = 21;
const CAP_BPF = 39;

let cachedAvailability: KernelAvailability | undefined;

/** Whether this process may load BPF programs with bpftool. Cached; never throws. */
export function kernelVerifierAvailability(refresh = false): KernelAvailability {
  if (!cachedAvailability || refresh) cachedAvailability = probe();
  return cachedAvailability;
}

function probe(): KernelAvailability {
  if (platform() !== 'linux') return { ok: false, reason: 'the kernel verifier needs Linux' };
  if (process.env.BPFLS_NO_KERNEL) return { ok: false, reason: 'the kernel verifier is disabled by BPFLS_NO_KERNEL' };
  const caps = effectiveCaps();
  // bpftool's loadall needs CAP_BPF for the load and CAP_SYS_ADMIN for most program types and pins.
  if (caps !== undefined && !(hasCap(caps, CAP_SYS_ADMIN) || hasCap(caps, CAP_BPF))) {
    return { ok: false, reason: 'loading BPF programs needs root (or CAP_BPF and CAP_SYS_ADMIN); bpfls runs without them' };
  }
  const bpftool = findBpftool();
  if (!bpftool) return { ok: false, reason: 'bpftool was not found (install it, e.g. the bpftool package, or set $BPFLS_BPFTOOL)' };
  if (!isBpffs(BPFFS_ROOT)) return { ok: false, reason: `${BPFFS_ROOT} is not a mounted bpffs (mount it with: mount -t bpf bpf ${BPFFS_ROOT}); bpfls does not mount it itself` };
  return { ok: true, bpftool };
}

function effectiveCaps(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const hasCap = (caps: bigint, bit: number) => ((caps >> BigInt(bit)) & 1n) === 1n;

function findBpftool(): string | undefined {
  const explicit = process.env.BPFLS_BPFTOOL;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/local/sbin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, 'bpftool');
    if (existsSync(p)) {
      const r = spawnSync(p, ['version'], { encoding: 'utf8', timeout: 5000 });
      if (r.status === 0) return p;
    }
  }
  return undefined;
}

function isBpffs(dir: string): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => {
      const f = l.split(' ');
      return f[1] === dir && f[2] === 'bpf';
    });
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The object variant with one program section autoloaded

interface ElfSection { index: number; nameOff: number; name: string; flags: number; type: number; offset: number; size: number; link: number; entsize: number }

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const STT_FUNC = 2;
const SHF_EXECINSTR = 0x4;

function readSections(elf: Uint8Array): { sections: ElfSection[]; shoff: number; shentsize: number; shstrndx: number } | undefined {
  if (elf.length < 64 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) return undefined;
  if (elf[4] !== 2 || elf[5] !== 1) return undefined; // ELF64 little-endian only (what clang -target bpf writes)
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  if (shentsize < 64 || shoff + shnum * shentsize > elf.length || shstrndx >= shnum) return undefined;
  const strOff = Number(dv.getBigUint64(shoff + shstrndx * shentsize + 0x18, true));
  const strSize = Number(dv.getBigUint64(shoff + shstrndx * shentsize + 0x20, true));
  if (strOff + strSize > elf.length) return undefined;
  const sections: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const nameOff = dv.getUint32(h, true);
    let end = strOff + nameOff;
    while (end < strOff + strSize && elf[end] !== 0) end++;
    const name = nameOff < strSize ? Buffer.from(elf.subarray(strOff + nameOff, end)).toString('latin1') : '';
    sections.push({
      index: i, nameOff, name, type: dv.getUint32(h + 4, true), flags: Number(dv.getBigUint64(h + 8, true)),
      offset: Number(dv.getBigUint64(h + 0x18, true)), size: Number(dv.getBigUint64(h + 0x20, true)),
      link: dv.getUint32(h + 0x28, true), entsize: Number(dv.getBigUint64(h + 0x38, true)),
    });
  }
  return { sections, shoff, shentsize, shstrndx };
}

/** Program sections libbpf would look at: executable PROGBITS other than .text. */
export function programSections(elf: Uint8Array): string[] {
  const s = readSections(elf);
  if (!s) return [];
  return s.sections.filter((x) => x.type === SHT_PROGBITS && (x.flags & SHF_EXECINSTR) && x.name !== '.text' && x.name !== '').map((x) => x.name);
}

/**
 * A copy of `elf` in which only section `keep` has autoload on: every other program section is
 * renamed "?<name>", and `keep` loses a leading "?" if it has one. With `keepProg`, the other
 * programs of `keep` are hidden too: their function symbols become STT_NOTYPE, so libbpf does not
 * see them as programs (their instructions, relocations and BTF records stay, unused). Section
 * contents, relocations and BTF stay byte-identical. Undefined when the ELF cannot be read.
 */
export function objectWithOnlySection(elf: Uint8Array, keep: string, keepProg?: string): Uint8Array | undefined {
  const s = readSections(elf);
  if (!s) return undefined;
  const dv0 = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const strHdr = s.shoff + s.shstrndx * s.shentsize;
  const strOff = Number(dv0.getBigUint64(strHdr + 0x18, true));
  const strSize = Number(dv0.getBigUint64(strHdr + 0x20, true));
  const extra: number[] = [];
  const renames: [number, number][] = []; // [section index, new name offset]
  for (const sec of s.sections) {
    if (sec.type !== SHT_PROGBITS || !(sec.flags & SHF_EXECINSTR) || sec.name === '.text' || sec.name === '') continue;
    if (sec.name === keep) {
      if (sec.name.startsWith('?')) renames.push([sec.index, sec.nameOff + 1]);
      continue;
    }
    if (sec.name.startsWith('?')) continue;
    renames.push([sec.index, strSize + extra.length]);
    extra.push(0x3f, ...Buffer.from(sec.name, 'latin1'), 0);
  }
  // The new string table (old one plus the "?" names) goes at the end of the file, 8-aligned.
  const newStrOff = Math.ceil(elf.length / 8) * 8;
  const out = new Uint8Array(newStrOff + strSize + extra.length);
  out.set(elf);
  out.set(elf.subarray(strOff, strOff + strSize), newStrOff);
  out.set(extra, newStrOff + strSize);
  const dv = new DataView(out.buffer);
  if (extra.length) {
    dv.setBigUint64(strHdr + 0x18, BigInt(newStrOff), true);
    dv.setBigUint64(strHdr + 0x20, BigInt(strSize + extra.length), true);
  }
  for (const [idx, off] of renames) dv.setUint32(s.shoff + idx * s.shentsize, off, true);
  if (keepProg !== undefined) hideOtherPrograms(out, s.sections, s.sections.find((x) => x.name === keep)?.index, keepProg);
  return out;
}

function hideOtherPrograms(out: Uint8Array, sections: ElfSection[], secIdx: number | undefined, keepProg: string): void {
  if (secIdx === undefined) return;
  const symtab = sections.find((x) => x.type === SHT_SYMTAB);
  const strtab = symtab ? sections[symtab.link] : undefined;
  if (!symtab || !strtab || symtab.entsize < 24 || symtab.offset + symtab.size > out.length) return;
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += symtab.entsize) {
    const info = out[at + 4];
    if ((info & 0xf) !== STT_FUNC || dv.getUint16(at + 6, true) !== secIdx) continue;
    const nameAt = strtab.offset + dv.getUint32(at, true);
    let end = nameAt;
    while (end < strtab.offset + strtab.size && out[end] !== 0) end++;
    if (Buffer.from(out.subarray(nameAt, end)).toString('latin1') === keepProg) continue;
    out[at + 4] = info & 0xf0; // STT_NOTYPE, binding kept
  }
}

// ---------------------------------------------------------------------------------------------
// Reading libbpf's output

/** The kernel's final error line: the last meaningful line before the statistics block. */
export function finalErrorLine(log: string): string | null {
  // Some messages lack their newline, so statistics may start mid-line.
  const lines = log.replace(/([^\n])(verification time \d+ usec|processed \d+ insns)/g, '$1\n$2').split('\n');
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (/^(processed \d+ insns|verification time \d+ usec|stack depth |\s*$)/.test(l)) end = i;
    else break;
  }
  for (let i = end - 1; i >= 0; i--) {
    const l = lines[i];
    if (l.startsWith('cur state:') || l.startsWith('old state:') || l.startsWith('; ') || !l.trim()) continue;
    return l;
  }
  return null;
}

/** The instruction the verifier last stepped to: the last "N: (op) ..." line of the log. */
export function failingInsn(log: string): number | null {
  const re = /^(\d+): \([0-9a-f]{2}\)/gm;
  let last: number | null = null;
  for (let m = re.exec(log); m; m = re.exec(log)) last = Number(m[1]);
  return last;
}

export interface LoadOutcome {
  /** The program whose load failed (libbpf stops at the first). */
  failedProg?: string;
  errno?: number;
  /** The failing program's verifier log (between libbpf's BEGIN/END PROG LOAD LOG markers). */
  log?: string;
  /** libbpf's or bpftool's warning lines, for reports when there is no log. */
  warnings: string[];
  /** Whether the object as a whole was loaded. */
  loaded: boolean;
}

/** Parses `bpftool prog loadall` output (stdout and stderr together). */
export function parseLoadOutput(text: string): LoadOutcome {
  const warnings: string[] = [];
  const out: LoadOutcome = { warnings, loaded: true };
  const logs = new Map<string, string>();
  const begin = /^libbpf: prog '([^']+)': -- BEGIN PROG LOAD LOG --$/;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = begin.exec(lines[i]);
    if (m) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '-- END PROG LOAD LOG --'; i++) body.push(lines[i]);
      logs.set(m[1], body.join('\n'));
      continue;
    }
    const f = /^libbpf: prog '([^']+)': failed to load: (-?\d+)/.exec(lines[i]);
    if (f) {
      out.failedProg = f[1];
      out.errno = Math.abs(Number(f[2]));
      out.loaded = false;
    }
    // A pin error after a successful load (bpftool pins every program, loaded or not) is no
    // verdict on the program: only open and load failures count.
    if (/^libbpf: failed to (load|open) object|^Error: failed to (open|load) object/.test(lines[i])) {
      out.loaded = false;
      warnings.push(lines[i]);
    } else if (/^Error: /.test(lines[i])) warnings.push(lines[i]);
    else if (/^libbpf: .*(failed|error|Error|invalid|not supported|can't)/.test(lines[i])) warnings.push(lines[i]);
  }
  if (out.failedProg) out.log = logs.get(out.failedProg);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface KernelProgram {
  name: string;
  section: string;
}

export interface KernelVerifyOptions {
  /** Polled while bpftool runs; the run is killed (and cleaned up) when it turns true. */
  isCancelled?: () => boolean;
  timeoutMs?: number;
}

export interface KernelVerifyResult {
  verdicts: KernelVerdict[];
  /** Set when the kernel path could not run at all (not permitted, bpftool missing, ...). */
  unavailable?: string;
}

/**
 * Loads each program section of `elf` alone into the running kernel with bpftool and returns one
 * verdict per program in `progs` (program function name and ELF section, as the loader names them).
 * Whatever was pinned is removed before returning. Never throws.
 */
export async function kernelVerifyObject(elf: Uint8Array, progs: KernelProgram[], opts: KernelVerifyOptions = {}): Promise<KernelVerifyResult> {
  const avail = kernelVerifierAvailability();
  if (!avail.ok) return { verdicts: [], unavailable: avail.reason };
  sweepStalePins();
  const verdicts: KernelVerdict[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'bpfls-kv-'));
  try {
    for (const p of progs) {
      if (opts.isCancelled?.()) break;
      // libbpf does not load these; un-hiding one would also need its .BTF.ext records renamed.
      if (p.section.startsWith('?')) {
        verdicts.push({ prog: p.name, section: p.section, ok: null, message: null, insn: null, skip: 'autoload is off (SEC("?...")): libbpf would not load it' });
        continue;
      }
      const variant = objectWithOnlySection(elf, p.section, p.name);
      if (!variant) {
        verdicts.push({ prog: p.name, section: p.section, ok: null, message: null, insn: null, skip: 'not an ELF64 little-endian object' });
        continue;
      }
      const objPath = path.join(work, 'prog.o');
      writeFileSync(objPath, variant);
      const before = bpffsEntries();
      const run = await runBpftool(avail.bpftool, objPath, opts);
      removeMapPins(before, variant);
      verdicts.push(verdictFor(p, run));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { verdicts };
}

function verdictFor(p: KernelProgram, run: BpftoolRun): KernelVerdict {
  const none = (skip: string): KernelVerdict => ({ prog: p.name, section: p.section, ok: null, message: null, insn: null, skip });
  if (run.killed) return none(run.killed);
  if (run.signal) return none(`bpftool died (${run.signal}) while loading it; see the kernel log (dmesg)`);
  const o = parseLoadOutput(run.output);
  // Exit 0, or a pin error after the load: anything else without a load failure is no verdict.
  if (o.loaded && run.code !== 0 && !/^Error: failed to pin/m.test(run.output)) return none(notLoadedReason(o));
  if (o.loaded) return { prog: p.name, section: p.section, ok: true, message: null, insn: null };
  // No verifier log (or no statistics in it): the kernel refused before verifying (EPERM under
  // lockdown, a missing attach target, ...), or libbpf failed earlier: not a verdict on the program.
  if (o.failedProg !== p.name || !o.log || !/processed \d+ insns/.test(o.log)) return none(notLoadedReason(o));
  const tail = o.log.split('\n').filter((l) => l.trim()).slice(-LOG_TAIL_LINES).join('\n');
  return { prog: p.name, section: p.section, ok: false, message: finalErrorLine(o.log), insn: failingInsn(o.log), logTail: tail };
}

function notLoadedReason(o: LoadOutcome): string {
  if (o.errno === 1) return 'the kernel refused to load it (EPERM: lockdown or missing capability; fentry/fexit/lsm programs are refused under lockdown)';
  const w = o.warnings.filter((l) => !/failed to load object|^Error: failed to load object/.test(l)).slice(-2).join('; ');
  return `the kernel did not verify it${o.errno ? ` (errno ${o.errno})` : ''}${w ? `: ${w}` : ''}`;
}

let runCounter = 0;
const activePins = new Set<string>();

function bpffsEntries(): Set<string> {
  try {
    return new Set(readdirSync(BPFFS_ROOT));
  } catch {
    return new Set();
  }
}

/**
 * libbpf pins maps declared with `pinning = LIBBPF_PIN_BY_NAME` under /sys/fs/bpf/<map name>
 * whatever directory bpftool pins the programs in. A pin that appeared during the run and is named
 * like a string of the object (the map's name is in its BTF) was made by this load: remove it, so
 * checking a program leaves nothing behind. Pins that existed before (reused by libbpf) stay.
 */
function removeMapPins(before: Set<string>, elf: Uint8Array): void {
  const bytes = Buffer.from(elf.buffer, elf.byteOffset, elf.byteLength);
  for (const name of bpffsEntries()) {
    if (before.has(name) || name.startsWith(PIN_PREFIX)) continue;
    if (!bytes.includes(Buffer.from(`\0${name}\0`, 'latin1'))) continue;
    try {
      if (statSync(path.join(BPFFS_ROOT, name)).isFile()) rmSync(path.join(BPFFS_ROOT, name), { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/**
 * Removes pin directories an earlier run could not (its process died, or its worker thread was
 * terminated while bpftool ran): ours by name, of dead processes, or of this one and not active.
 */
export function sweepStalePins(): void {
  let names: string[];
  try { names = readdirSync(BPFFS_ROOT).filter((n) => n.startsWith(PIN_PREFIX)); } catch { return; }
  for (const n of names) {
    const m = /^bpfls-kv-(\d+)-\d+-([0-9a-z]+)$/.exec(n);
    if (!m) continue;
    const full = path.join(BPFFS_ROOT, n);
    const pid = Number(m[1]);
    const age = Date.now() - parseInt(m[2], 36);
    const stale = pid === process.pid ? !activePins.has(full) && age > 5_000 : !alive(pid);
    if (stale) rmSync(full, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface BpftoolRun {
  output: string;
  code: number | null;
  signal?: string;
  /** Why bpfls stopped it (cancelled, timeout, could not start). */
  killed?: string;
}

function runBpftool(bpftool: string, objPath: string, opts: KernelVerifyOptions): Promise<BpftoolRun> {
  const pinDir = path.join(BPFFS_ROOT, `${PIN_PREFIX}${process.pid}-${++runCounter}-${Date.now().toString(36)}`);
  const timeoutMs = opts.timeoutMs ?? RUN_TIMEOUT_MS;
  activePins.add(pinDir);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let killed: string | undefined;
    let done = false;
    const child = spawn(bpftool, ['prog', 'loadall', objPath, pinDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = (why: string) => {
      if (done || killed) return;
      killed = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`bpftool did not finish within ${timeoutMs} ms`), timeoutMs);
    const poll = opts.isCancelled ? setInterval(() => { if (opts.isCancelled!()) kill('cancelled'); }, 50) : undefined;
    let size = 0;
    const take = (b: Buffer) => {
      // The log of a huge rejected program can be large; keep a bounded amount (the end matters).
      chunks.push(b);
      size += b.length;
      while (size > 64 << 20 && chunks.length > 1) size -= chunks.shift()!.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const finish = (code: number | null = null, signal: NodeJS.Signals | null = null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      // Unpin whatever bpftool pinned; the programs are freed with their last reference.
      rmSync(pinDir, { recursive: true, force: true });
      activePins.delete(pinDir);
      resolve({ output: Buffer.concat(chunks).toString('utf8'), code, ...(signal ? { signal } : {}), killed });
    };
    child.on('error', (e) => { killed ??= `bpftool could not run: ${e.message}`; finish(); });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
