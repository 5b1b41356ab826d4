// Helper functions with the kernel's semantics (kernel/bpf/helpers.c, net/core/filter.c,
// kernel/trace/bpf_trace.c, kernel/bpf/ringbuf.c, bpf_iter.c). Each reads its arguments from
// r1..r5 and leaves its result in r0. Helpers the emulator lacks are reported by the interpreter
// as "helper bpf_x#N is not emulated".
import { toBig } from './arith';
import { formatPrintk, type FormatArgs } from './format';
import { EmulatorFault, RegionKind, type Region } from './memory';
import type { HelperFn, Vm } from './interpreter';
import {
  E2BIG, EFAULT, EINVAL, ENOENT, ENOMEM, EACCES, EmuMap, MapOfMaps, PerfEventArrayMap, ProgArrayMap,
  QueueStackMap, RingbufMap, type MapHost,
} from './maps';
import type { BuiltContext } from './context';
import { ETH_HLEN, SKB_SHINFO_SIZE, XDP_FRAME_SIZE, XDP_FRAME_STRUCT, XDP_META_MAX } from './context';
import { MAX_TAIL_CALL_CNT } from './interpreter';

export interface TaskInfo { pid: number; tgid: number; uid: number; gid: number; comm: string }

/** The state helpers work on, owned by the Emulator. */
export interface HelperHost extends MapHost {
  ctx: BuiltContext | undefined;
  trace: string[];
  task: TaskInfo;
  /** nanoseconds of the simulated clock at the start of the run */
  clockBase: bigint;
  random(): number;
  locks: Set<string>;
}

const XDP_ABORTED = 0, XDP_REDIRECT = 4;
const TC_ACT_SHOT = 2, TC_ACT_REDIRECT = 7;
const BPF_F_INGRESS = 1;

function setR0(vm: Vm, v: number): void { vm.L[0] = v; vm.H[0] = v >> 31; }
function setR0u32(vm: Vm, v: number): void { vm.L[0] = v; vm.H[0] = 0; }
function setR0big(vm: Vm, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  vm.L[0] = Number(u & 0xffffffffn) | 0; vm.H[0] = Number(u >> 32n) | 0;
}
function setPtr(vm: Vm, r: Region | undefined, off = 0): void {
  if (!r) { vm.L[0] = 0; vm.H[0] = 0; return; }
  vm.L[0] = r.addrLo(off); vm.H[0] = r.addrHi();
}
/** argument i (1..5) as a JS number when it fits 53 bits (sizes, indexes, flags) */
function argU32(vm: Vm, i: number): number { return vm.L[i] >>> 0; }
function argS32(vm: Vm, i: number): number { return vm.L[i]; }
function argU64(vm: Vm, i: number): bigint { return toBig(vm.H[i], vm.L[i]); }
function argFlags(vm: Vm, i: number): number { return vm.H[i] !== 0 ? -1 : vm.L[i] >>> 0; }

function mapArg(vm: Vm, i: number): EmuMap {
  const r = vm.mem.regionAt(vm.H[i], vm.L[i]);
  if (!r || r.kind !== RegionKind.Map) throw new EmulatorFault(`R${i} is not a map pointer`);
  return r.owner as EmuMap;
}

function bytesArg(vm: Vm, i: number, len: number): Uint8Array { return vm.mem.read(vm.H[i], vm.L[i], len); }

export function installHelpers(vm: Vm, host: HelperHost): void {
  const h: (HelperFn | undefined)[] = vm.helpers;
  const mem = vm.mem;
  const now = (): bigint => host.clockBase + BigInt(vm.count);

  // ---- maps ----
  h[1] = (vm) => { // map_lookup_elem
    const m = mapArg(vm, 1);
    const key = bytesArg(vm, 2, m.def.keySize);
    if (m instanceof MapOfMaps) { const inner = m.innerFor(key); setPtr(vm, inner?.region); return; }
    setPtr(vm, m.lookup(key));
  };
  h[2] = (vm) => { // map_update_elem
    const m = mapArg(vm, 1);
    if (m instanceof QueueStackMap) { setR0(vm, -EINVAL); return; }
    const key = bytesArg(vm, 2, m.def.keySize);
    const value = bytesArg(vm, 3, m.def.valueSize);
    setR0(vm, m.update(key, value, argFlags(vm, 4)));
  };
  h[3] = (vm) => { // map_delete_elem
    const m = mapArg(vm, 1);
    setR0(vm, m.delete(bytesArg(vm, 2, m.def.keySize)));
  };
  h[87] = (vm) => { // map_push_elem
    const m = mapArg(vm, 1);
    if (!(m instanceof QueueStackMap)) throw new EmulatorFault(`map_push_elem needs a queue or stack map, '${m.name}' is not`);
    setR0(vm, m.push(bytesArg(vm, 2, m.def.valueSize), argFlags(vm, 3)));
  };
  const popPeek = (remove: boolean): HelperFn => (vm) => {
    const m = mapArg(vm, 1);
    if (!(m instanceof QueueStackMap)) throw new EmulatorFault(`map_${remove ? 'pop' : 'peek'}_elem needs a queue or stack map, '${m.name}' is not`);
    const v = m.take(remove);
    if (!v) { setR0(vm, -ENOENT); return; }
    mem.write(vm.H[2], vm.L[2], v);
    setR0(vm, 0);
  };
  h[88] = popPeek(true);
  h[89] = popPeek(false);
  h[195] = (vm) => { // map_lookup_percpu_elem
    const m = mapArg(vm, 1);
    const cpu = argU32(vm, 3);
    if (cpu >= host.nrCpus) { setPtr(vm, undefined); return; }
    const key = bytesArg(vm, 2, m.def.keySize);
    const saved = host.cpu;
    host.cpu = cpu;
    try { setPtr(vm, m.lookup(key)); } finally { host.cpu = saved; }
  };
  h[164] = (vm) => { // for_each_map_elem(map, callback, ctx, flags)
    const m = mapArg(vm, 1);
    if (argFlags(vm, 4) !== 0) { setR0(vm, -EINVAL); return; }
    const fnHi = vm.H[2], fnLo = vm.L[2], cH = vm.H[3], cL = vm.L[3];
    const mapHi = vm.H[1], mapLo = vm.L[1];
    let n = 0;
    for (const [k, v] of m.entries()) {
      const kr = mem.add(RegionKind.MapKey, `${m.name} key`, k.slice());
      kr.readonly = true;
      n++;
      const ret = vm.callFunction(fnHi, fnLo, [mapHi, mapLo, kr.addrHi(), kr.addrLo(0), v.addrHi(), v.addrLo(0), cH, cL]);
      mem.remove(kr);
      if (ret !== 0) break;
    }
    setR0(vm, n);
  };
  h[181] = (vm) => { // loop(nr_loops, callback, ctx, flags)
    const nr = argU32(vm, 1);
    if (argFlags(vm, 4) !== 0) { setR0(vm, -EINVAL); return; }
    if (vm.H[1] !== 0 || nr > (1 << 23)) { setR0(vm, -E2BIG); return; }
    const fnHi = vm.H[2], fnLo = vm.L[2], cH = vm.H[3], cL = vm.L[3];
    for (let i = 0; i < nr; i++) {
      if (vm.callFunction(fnHi, fnLo, [0, i, cH, cL]) !== 0 || vm.H[0] !== 0) { setR0(vm, i + 1); return; }
    }
    setR0(vm, nr);
  };

  // ---- tail calls ----
  h[12] = (vm) => { // tail_call(ctx, prog_array, index): on failure the program goes on
    const m = mapArg(vm, 2);
    if (!(m instanceof ProgArrayMap)) throw new EmulatorFault(`tail_call needs a prog array, '${m.name}' is not`);
    const idx = argU32(vm, 3);
    if (idx >= m.def.maxEntries) return;
    if (vm.tailCalls >= MAX_TAIL_CALL_CNT) return;
    const target = m.slots[idx];
    if (!target) return;
    vm.tailCalls++;
    vm.tailTarget = target;
  };

  // ---- time, random, cpu, task ----
  h[5] = (vm) => setR0big(vm, now()); // ktime_get_ns
  h[125] = h[5]; // ktime_get_boot_ns
  h[160] = h[5]; // ktime_get_coarse_ns
  h[208] = h[5]; // ktime_get_tai_ns
  h[118] = (vm) => setR0big(vm, now() / 4_000_000n); // jiffies64 at HZ=250
  h[7] = (vm) => setR0u32(vm, host.random()); // get_prandom_u32
  h[8] = (vm) => setR0u32(vm, host.cpu); // get_smp_processor_id
  h[42] = (vm) => setR0(vm, 0); // get_numa_node_id
  h[14] = (vm) => setR0big(vm, (BigInt(host.task.tgid >>> 0) << 32n) | BigInt(host.task.pid >>> 0));
  h[15] = (vm) => setR0big(vm, (BigInt(host.task.gid >>> 0) << 32n) | BigInt(host.task.uid >>> 0));
  h[16] = (vm) => { // get_current_comm(buf, size)
    const size = argU32(vm, 2);
    const out = new Uint8Array(size);
    const comm = Buffer.from(host.task.comm.slice(0, 15), 'latin1');
    out.set(comm.subarray(0, Math.max(0, size - 1)));
    mem.write(vm.H[1], vm.L[1], out);
    setR0(vm, 0);
  };

  // ---- printing ----
  const fmtArgs = (vals: [number, number][]): FormatArgs => ({
    arg: (i) => vals[i] ?? [0, 0],
    str: (hi, lo) => mem.readCString(hi, lo, 4096),
    bytes: (hi, lo, n) => mem.read(hi, lo, n),
  });
  const readFmt = (hi: number, lo: number, size: number): string => {
    const b = mem.read(hi, lo, size);
    const nul = b.indexOf(0);
    if (nul < 0) throw new EmulatorFault('format string is not NUL-terminated within its size');
    return Buffer.from(b.subarray(0, nul)).toString('latin1');
  };
  h[6] = (vm) => { // trace_printk(fmt, fmt_size, a1, a2, a3)
    const fmt = readFmt(vm.H[1], vm.L[1], argU32(vm, 2));
    const r = formatPrintk(fmt, fmtArgs([[vm.H[3], vm.L[3]], [vm.H[4], vm.L[4]], [vm.H[5], vm.L[5]]]));
    if (r.error) { setR0(vm, -EINVAL); return; }
    host.trace.push(r.text.replace(/\n$/, ''));
    setR0(vm, r.text.length);
  };
  const dataArgs = (hi: number, lo: number, len: number): [number, number][] | undefined => {
    if (len % 8 !== 0 || len > 8 * 12) return undefined;
    const b = len ? mem.read(hi, lo, len) : new Uint8Array(0);
    const v = new DataView(b.buffer);
    const out: [number, number][] = [];
    for (let i = 0; i < len; i += 8) out.push([v.getInt32(i + 4, true), v.getInt32(i, true)]);
    return out;
  };
  h[177] = (vm) => { // trace_vprintk(fmt, fmt_size, data, data_len)
    const fmt = readFmt(vm.H[1], vm.L[1], argU32(vm, 2));
    const args = dataArgs(vm.H[3], vm.L[3], argU32(vm, 4));
    if (!args) { setR0(vm, -EINVAL); return; }
    const r = formatPrintk(fmt, fmtArgs(args));
    if (r.error) { setR0(vm, -EINVAL); return; }
    host.trace.push(r.text.replace(/\n$/, ''));
    setR0(vm, r.text.length);
  };
  h[165] = (vm) => { // snprintf(str, str_size, fmt, data, data_len)
    const size = argU32(vm, 2);
    const fmt = mem.readCString(vm.H[3], vm.L[3], 4096);
    const args = dataArgs(vm.H[4], vm.L[4], argU32(vm, 5));
    if (!args) { setR0(vm, -EINVAL); return; }
    const r = formatPrintk(fmt, fmtArgs(args));
    if (r.error) { setR0(vm, -EINVAL); return; }
    const text = Buffer.from(r.text, 'latin1');
    if (size > 0) {
      const out = new Uint8Array(Math.min(size, text.length + 1));
      out.set(text.subarray(0, out.length - 1));
      mem.write(vm.H[1], vm.L[1], out);
    }
    setR0(vm, text.length + 1);
  };

  // ---- probe_read family (from emulator memory and user memory images) ----
  const probeRead = (vm: Vm): void => {
    const size = argU32(vm, 2);
    let data: Uint8Array | undefined;
    try { data = mem.read(vm.H[3], vm.L[3], size); } catch { data = undefined; }
    if (!data) {
      mem.write(vm.H[1], vm.L[1], new Uint8Array(size));
      setR0(vm, -EFAULT);
      return;
    }
    mem.write(vm.H[1], vm.L[1], data);
    setR0(vm, 0);
  };
  const probeReadStr = (vm: Vm): void => {
    const size = argU32(vm, 2);
    if (size === 0) { setR0(vm, 0); return; }
    let s: string | undefined;
    try { s = mem.readCString(vm.H[3], vm.L[3], size - 1); } catch { s = undefined; }
    if (s === undefined) {
      mem.write(vm.H[1], vm.L[1], new Uint8Array(size));
      setR0(vm, -EFAULT);
      return;
    }
    const b = Buffer.from(s, 'latin1');
    const out = new Uint8Array(b.length + 1);
    out.set(b);
    mem.write(vm.H[1], vm.L[1], out);
    setR0(vm, out.length);
  };
  h[4] = probeRead; h[112] = probeRead; h[113] = probeRead;
  h[45] = probeReadStr; h[114] = probeReadStr; h[115] = probeReadStr;

  // ---- ring buffer and perf events ----
  const ringbufOf = (vm: Vm, i: number): RingbufMap => {
    const m = mapArg(vm, i);
    if (!(m instanceof RingbufMap)) throw new EmulatorFault(`'${m.name}' is not a ring buffer map`);
    return m;
  };
  h[130] = (vm) => { // ringbuf_output(map, data, size, flags)
    const m = ringbufOf(vm, 1);
    setR0(vm, m.output(bytesArg(vm, 2, argU32(vm, 3))));
  };
  h[131] = (vm) => { // ringbuf_reserve(map, size, flags)
    const m = ringbufOf(vm, 1);
    if (argFlags(vm, 3) !== 0) { setPtr(vm, undefined); return; }
    setPtr(vm, m.reserve(argU32(vm, 2)));
  };
  const commit = (submit: boolean): HelperFn => (vm) => {
    const r = mem.regionAt(vm.H[1], vm.L[1]);
    if (!r || r.kind !== RegionKind.Ringbuf || r.addrLo(0) !== vm.L[1]) throw new EmulatorFault(`ringbuf_${submit ? 'submit' : 'discard'}: R1 is not a reserved ring buffer record`);
    (r.owner as RingbufMap).commit(r, submit);
    setR0(vm, 0);
  };
  h[132] = commit(true);
  h[133] = commit(false);
  h[134] = (vm) => { // ringbuf_query(map, flags)
    const m = ringbufOf(vm, 1);
    const f = argFlags(vm, 2);
    const v = f === 0 ? m.produced : f === 1 ? m.def.maxEntries : f === 2 ? 0 : f === 3 ? m.produced : 0;
    setR0(vm, v);
  };
  h[25] = (vm) => { // perf_event_output(ctx, map, flags, data, size)
    const m = mapArg(vm, 2);
    if (!(m instanceof PerfEventArrayMap)) throw new EmulatorFault(`perf_event_output needs a perf event array, '${m.name}' is not`);
    if (vm.H[3] !== 0 && (vm.H[3] & ~0xfffff) !== 0) { setR0(vm, -EINVAL); return; }
    setR0(vm, m.output(vm.L[3] >>> 0, bytesArg(vm, 4, argU32(vm, 5))));
  };

  // ---- spin locks ----
  h[93] = (vm) => {
    const key = `${vm.H[1]}:${vm.L[1]}`;
    if (host.locks.has(key)) throw new EmulatorFault('bpf_spin_lock: the lock is already held (deadlock)');
    mem.resolve(vm.H[1], vm.L[1], 0, 4, true);
    host.locks.add(key);
    setR0(vm, 0);
  };
  h[94] = (vm) => {
    const key = `${vm.H[1]}:${vm.L[1]}`;
    if (!host.locks.delete(key)) throw new EmulatorFault('bpf_spin_unlock: the lock is not held');
    setR0(vm, 0);
  };

  // ---- checksums ----
  h[28] = (vm) => { // csum_diff(from, from_size, to, to_size, seed)
    const fs = argU32(vm, 2), ts = argU32(vm, 4);
    if ((fs | ts) & 3 || fs + ts > 512) { setR0(vm, -EINVAL); return; }
    const words = (i: number, n: number): number[] => {
      if (!n) return [];
      const v = new DataView(bytesArg(vm, i, n).buffer);
      return Array.from({ length: n / 4 }, (_, k) => v.getUint32(4 * k, true));
    };
    const fold32 = (x: number) => { while (x > 0xffffffff) x = (x % 0x100000000) + Math.floor(x / 0x100000000); return x; };
    const seed = vm.L[5] >>> 0;
    let sum: number;
    if (ts === 0 && fs > 0) {
      // pulling data: ~csum_partial(from, ~seed), which gives 0 where a running sum would give 0xffffffff
      sum = (~fold32(words(1, fs).reduce((a, w) => a + w, (~seed) >>> 0))) >>> 0;
    } else {
      sum = fold32(words(1, fs).reduce((a, w) => a + ((~w) >>> 0), seed) + words(3, ts).reduce((a, w) => a + w, 0));
    }
    // since 6.13 every architecture returns the sum folded to 16 bits (csum_from32to16)
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    setR0u32(vm, sum);
  };

  // ---- packets ----
  const packet = () => {
    const p = host.ctx?.packet;
    if (!p) throw new EmulatorFault('this helper needs a packet context');
    return p;
  };
  const csumFold = (s: number): number => { while (s > 0xffff) s = (s & 0xffff) + (s >>> 16); return s; };
  const csumReplace = (off: number, from: number, to: number, size: number, mangled0: boolean): number => {
    const p = packet();
    if (off + 2 > p.len || off < 0) return -EFAULT;
    const v = p.region.view, o = p.data + off;
    const sum = v.getUint16(o, true);
    if (mangled0 && sum === 0) return 0;
    let acc = (~sum) & 0xffff;
    if (size === 2) { acc += (~from) & 0xffff; acc += to & 0xffff; } else if (size === 4) {
      acc += (~from & 0xffff) + ((~from >>> 16) & 0xffff) + (to & 0xffff) + ((to >>> 16) & 0xffff);
    } else if (size === 0) { // from must be 0: `to` is a csum_diff result
      acc += (to & 0xffff) + ((to >>> 16) & 0xffff);
    } else return -EINVAL;
    let res = (~csumFold(acc)) & 0xffff;
    if (mangled0 && res === 0) res = 0xffff;
    v.setUint16(o, res, true);
    return 0;
  };
  h[10] = (vm) => { // l3_csum_replace(skb, offset, from, to, flags)
    const flags = argFlags(vm, 5);
    if (flags & ~0xf) { setR0(vm, -EINVAL); return; }
    if ((flags & 0xf) === 0 && (vm.L[3] | vm.H[3]) !== 0) { setR0(vm, -EINVAL); return; }
    setR0(vm, csumReplace(argU32(vm, 2), vm.L[3], vm.L[4], flags & 0xf, false));
  };
  h[11] = (vm) => { // l4_csum_replace(skb, offset, from, to, flags)
    const flags = argFlags(vm, 5);
    if (flags & ~(0xf | 0x10 | 0x20 | 0x40)) { setR0(vm, -EINVAL); return; }
    if ((flags & 0xf) === 0 && (vm.L[3] | vm.H[3]) !== 0) { setR0(vm, -EINVAL); return; }
    setR0(vm, csumReplace(argU32(vm, 2), vm.L[3], vm.L[4], flags & 0xf, (flags & 0x20) !== 0));
  };
  h[26] = (vm) => { // skb_load_bytes(skb, offset, to, len)
    const p = packet();
    const off = argU32(vm, 2), len = argU32(vm, 4);
    if (off + len > p.len) { mem.write(vm.H[3], vm.L[3], new Uint8Array(len)); setR0(vm, -EFAULT); return; }
    mem.write(vm.H[3], vm.L[3], p.buf.slice(p.data + off, p.data + off + len));
    setR0(vm, 0);
  };
  h[9] = (vm) => { // skb_store_bytes(skb, offset, from, len, flags)
    const p = packet();
    const off = argU32(vm, 2), len = argU32(vm, 4), flags = argFlags(vm, 5);
    if (flags & ~(1 | 2)) { setR0(vm, -EINVAL); return; }
    if (off > 0xffff || off + len > p.len) { setR0(vm, -EFAULT); return; }
    p.buf.set(bytesArg(vm, 3, len), p.data + off);
    setR0(vm, 0);
  };
  h[39] = (vm) => { // skb_pull_data(skb, len): the test run's skb is linear
    const p = packet();
    setR0(vm, argU32(vm, 2) > p.len ? -ENOMEM : 0);
  };
  h[188] = (vm) => setR0(vm, packet().len); // xdp_get_buff_len
  h[189] = (vm) => { // xdp_load_bytes(xdp, offset, buf, len)
    const p = packet();
    const off = argU32(vm, 2), len = argU32(vm, 4);
    if (off + len > p.len) { setR0(vm, -EINVAL); return; }
    mem.write(vm.H[3], vm.L[3], p.buf.slice(p.data + off, p.data + off + len));
    setR0(vm, 0);
  };
  h[190] = (vm) => { // xdp_store_bytes(xdp, offset, buf, len)
    const p = packet();
    const off = argU32(vm, 2), len = argU32(vm, 4);
    if (off + len > p.len) { setR0(vm, -EINVAL); return; }
    p.buf.set(bytesArg(vm, 3, len), p.data + off);
    setR0(vm, 0);
  };
  h[44] = (vm) => { // xdp_adjust_head(xdp, delta)
    const p = packet();
    const delta = argS32(vm, 2);
    const metalen = p.data - p.meta;
    const data = p.data + delta;
    if (data < XDP_FRAME_STRUCT + metalen || data > p.end - ETH_HLEN) { setR0(vm, -EINVAL); return; }
    if (metalen) p.buf.copyWithin(p.meta + delta, p.meta, p.data);
    p.meta += delta; p.data = data; p.sync();
    setR0(vm, 0);
  };
  h[65] = (vm) => { // xdp_adjust_tail(xdp, delta)
    const p = packet();
    const delta = argS32(vm, 2);
    const end = p.end + delta;
    if (end > XDP_FRAME_SIZE - SKB_SHINFO_SIZE || end < p.data + ETH_HLEN) { setR0(vm, -EINVAL); return; }
    if (delta > 0) p.buf.fill(0, p.end, end);
    p.end = end; p.sync();
    setR0(vm, 0);
  };
  h[54] = (vm) => { // xdp_adjust_meta(xdp, delta)
    const p = packet();
    const meta = p.meta + argS32(vm, 2);
    const metalen = p.data - meta;
    if (meta < XDP_FRAME_STRUCT || meta > p.data) { setR0(vm, -EINVAL); return; }
    if ((metalen & 3) || metalen > XDP_META_MAX) { setR0(vm, -EACCES); return; }
    p.meta = meta; p.sync();
    setR0(vm, 0);
  };

  // ---- redirects: the verdict the kernel's helper returns ----
  const isXdp = () => host.ctx?.kind === 'xdp';
  h[23] = (vm) => { // redirect(ifindex, flags)
    const flags = argFlags(vm, 2);
    if (isXdp()) setR0(vm, flags ? XDP_ABORTED : XDP_REDIRECT);
    else setR0(vm, flags & ~BPF_F_INGRESS ? TC_ACT_SHOT : TC_ACT_REDIRECT);
  };
  h[152] = (vm) => setR0(vm, argFlags(vm, 4) ? TC_ACT_SHOT : TC_ACT_REDIRECT); // redirect_neigh
  h[155] = (vm) => setR0(vm, argFlags(vm, 2) ? TC_ACT_SHOT : TC_ACT_REDIRECT); // redirect_peer
  h[51] = (vm) => { // redirect_map(map, key, flags): the lower bits of flags are the fallback verdict
    const m = mapArg(vm, 1);
    void m;
    setR0(vm, argFlags(vm, 3) & 3);
  };

  // ---- skb metadata ----
  h[34] = (vm) => setR0u32(vm, 0); // get_hash_recalc: the test run's skb has no flow hash
  h[41] = (vm) => setR0(vm, 0); // set_hash_invalid
  h[48] = (vm) => setR0(vm, 0); // set_hash
}

