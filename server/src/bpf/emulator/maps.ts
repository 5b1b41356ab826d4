// BPF maps with the kernel's semantics (kernel/bpf/arraymap.c, hashtab.c, lpm_trie.c,
// queue_stack_maps.c, ringbuf.c, arraymap.c's prog/perf arrays, map_in_map.c), over emulator regions.
// Error returns are negative errno values, as the helpers return them to the program.
import { MapType, mapTypeName } from '../progtypes';
import type { MapDef } from '../loader/types';
import { EmulatorFault, Memory, Region, RegionKind } from './memory';
import type { DecodedProg } from './interpreter';

export const EPERM = 1, ENOENT = 2, E2BIG = 7, EAGAIN = 11, ENOMEM = 12, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSPC = 28, EACCES = 13, ENOTSUPP = 524;
export const BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4;

const keyOf = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');

export interface MapRecord {
  map: string;
  /** ring buffer records: false when discarded; perf records: the CPU index */
  submitted?: boolean;
  cpu?: number;
  data: Uint8Array;
}

/** What maps need from the running emulator. */
export interface MapHost {
  mem: Memory;
  /** number of simulated CPUs and the one programs run on */
  nrCpus: number;
  cpu: number;
  records: MapRecord[];
}

export abstract class EmuMap {
  /** the region whose address programs hold as the map pointer (ld_imm64 map references) */
  readonly region: Region;
  constructor(readonly def: MapDef, protected host: MapHost) {
    this.region = host.mem.add(RegionKind.Map, def.name, new Uint8Array(0));
    this.region.owner = this;
  }
  get name(): string { return this.def.name; }
  /** value region for a key, or undefined (NULL) */
  lookup(_key: Uint8Array): Region | undefined { return this.unsupported('map_lookup_elem'); }
  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number { return this.unsupported('map_update_elem'); }
  delete(_key: Uint8Array): number { return this.unsupported('map_delete_elem'); }
  /** entries for for_each_map_elem and for showing the map: key bytes and the value region */
  entries(): [Uint8Array, Region][] { return this.unsupported('iteration'); }
  protected unsupported(op: string): never {
    throw new EmulatorFault(`${op} is not supported on ${mapTypeName(this.def.type)} map '${this.def.name}'`);
  }
  protected newValue(bytes?: Uint8Array): Region {
    const r = this.host.mem.add(RegionKind.MapValue, `${this.def.name} value`, new Uint8Array(this.def.valueSize));
    if (bytes) r.bytes.set(bytes.subarray(0, this.def.valueSize));
    r.owner = this;
    return r;
  }
  protected checkFlags(flags: number): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
    return 0;
  }
}

/** ARRAY and PERCPU_ARRAY (and the global data sections, which are one-element arrays) */
export class ArrayMap extends EmuMap {
  private values: Region[][] = []; // [cpu][index], created lazily
  constructor(def: MapDef, host: MapHost, readonly percpu: boolean) {
    super(def, host);
    if (def.initialValue) {
      const r = this.value(0, 0);
      r.bytes.set(def.initialValue.subarray(0, def.valueSize));
      if (def.frozen) r.readonly = true;
    }
  }
  value(index: number, cpu: number): Region {
    const c = this.percpu ? cpu : 0;
    const row = (this.values[c] ??= []);
    return (row[index] ??= this.newValue());
  }
  private index(key: Uint8Array): number {
    if (key.byteLength < 4) return -1;
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
  override lookup(key: Uint8Array): Region | undefined {
    const i = this.index(key);
    if (i < 0 || i >= this.def.maxEntries) return undefined;
    return this.value(i, this.host.cpu);
  }
  override update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (this.checkFlags(flags)) return -EINVAL;
    const i = this.index(key);
    if (i < 0 || i >= this.def.maxEntries) return -E2BIG;
    if ((flags & 3) === BPF_NOEXIST) return -EEXIST; // every array element always exists
    this.value(i, this.host.cpu).bytes.set(value.subarray(0, this.def.valueSize));
    return 0;
  }
  override delete(): number { return -EINVAL; }
  override entries(): [Uint8Array, Region][] {
    const out: [Uint8Array, Region][] = [];
    for (let i = 0; i < this.def.maxEntries; i++) {
      const k = new Uint8Array(4);
      new DataView(k.buffer).setUint32(0, i, true);
      out.push([k, this.value(i, this.host.cpu)]);
    }
    return out;
  }
  /** all CPUs' values of one element (user-space view of per-CPU maps) */
  perCpuValues(index: number): Uint8Array[] {
    const n = this.percpu ? this.host.nrCpus : 1;
    return Array.from({ length: n }, (_, c) => this.value(index, c).bytes);
  }
}

interface HashEntry { key: Uint8Array; values: Region[] }

/** HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH */
export class HashMap extends EmuMap {
  protected table = new Map<string, HashEntry>();
  constructor(def: MapDef, host: MapHost, readonly percpu: boolean, readonly lru: boolean) { super(def, host); }
  get size(): number { return this.table.size; }
  override lookup(key: Uint8Array): Region | undefined {
    const k = keyOf(key.subarray(0, this.def.keySize));
    const e = this.table.get(k);
    if (!e) return undefined;
    if (this.lru) { this.table.delete(k); this.table.set(k, e); } // most recently used goes last
    return e.values[this.percpu ? this.host.cpu : 0];
  }
  override update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (this.checkFlags(flags)) return -EINVAL;
    const kb = key.slice(0, this.def.keySize);
    const k = keyOf(kb);
    const e = this.table.get(k);
    const mode = flags & 3;
    if (e && mode === BPF_NOEXIST) return -EEXIST;
    if (!e && mode === BPF_EXIST) return -ENOENT;
    const cpu = this.percpu ? this.host.cpu : 0;
    if (e) {
      if (this.lru) { this.table.delete(k); this.table.set(k, e); }
      e.values[cpu].bytes.set(value.subarray(0, this.def.valueSize));
      return 0;
    }
    if (this.table.size >= this.def.maxEntries) {
      if (!this.lru) return -E2BIG;
      const oldest = this.table.keys().next().value as string; // least recently used
      this.table.delete(oldest);
    }
    const n = this.percpu ? this.host.nrCpus : 1;
    const values: Region[] = [];
    for (let c = 0; c < n; c++) values.push(this.newValue(c === cpu ? value : undefined));
    this.table.set(k, { key: kb, values });
    return 0;
  }
  override delete(key: Uint8Array): number {
    return this.table.delete(keyOf(key.subarray(0, this.def.keySize))) ? 0 : -ENOENT;
  }
  override entries(): [Uint8Array, Region][] {
    const cpu = this.percpu ? this.host.cpu : 0;
    return [...this.table.values()].map((e) => [e.key, e.values[cpu]]);
  }
  perCpuValues(key: Uint8Array): Uint8Array[] | undefined {
    return this.table.get(keyOf(key.subarray(0, this.def.keySize)))?.values.map((r) => r.bytes);
  }
}

/** LPM_TRIE: keys are { u32 prefixlen; u8 data[] }, lookups find the longest matching prefix */
export class LpmTrieMap extends EmuMap {
  private entriesList: { prefixlen: number; data: Uint8Array; value: Region; key: Uint8Array }[] = [];
  private get maxPrefixlen(): number { return (this.def.keySize - 4) * 8; }
  private parse(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    const prefixlen = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    return { prefixlen, data: key.subarray(4, this.def.keySize) };
  }
  private static matches(a: Uint8Array, b: Uint8Array, bits: number): boolean {
    for (let i = 0; bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if (((a[i] ^ b[i]) & mask) !== 0) return false;
    }
    return true;
  }
  private find(prefixlen: number, data: Uint8Array): number {
    return this.entriesList.findIndex((e) => e.prefixlen === prefixlen && LpmTrieMap.matches(e.data, data, prefixlen));
  }
  override lookup(key: Uint8Array): Region | undefined {
    const { prefixlen, data } = this.parse(key);
    let best: { prefixlen: number; value: Region } | undefined;
    for (const e of this.entriesList) {
      if (e.prefixlen > prefixlen || e.prefixlen > this.maxPrefixlen) continue;
      if (!LpmTrieMap.matches(e.data, data, e.prefixlen)) continue;
      if (!best || e.prefixlen > best.prefixlen) best = e;
    }
    return best?.value;
  }
  override update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (this.checkFlags(flags)) return -EINVAL;
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -EINVAL;
    const i = this.find(prefixlen, data);
    const mode = flags & 3;
    // the trie keeps the key bytes of the latest update as given (bits past the prefix included)
    const k = key.slice(0, this.def.keySize);
    if (i >= 0) {
      if (mode === BPF_NOEXIST) return -EEXIST;
      const e = this.entriesList[i];
      e.value.bytes.set(value.subarray(0, this.def.valueSize));
      e.key = k; e.data = k.subarray(4);
      return 0;
    }
    if (mode === BPF_EXIST) return -ENOENT;
    if (this.entriesList.length >= this.def.maxEntries) return -ENOSPC;
    this.entriesList.push({ prefixlen, data: k.subarray(4), value: this.newValue(value), key: k });
    return 0;
  }
  override delete(key: Uint8Array): number {
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -EINVAL;
    const i = this.find(prefixlen, data);
    if (i < 0) return -ENOENT;
    this.entriesList.splice(i, 1);
    return 0;
  }
  override entries(): [Uint8Array, Region][] { return this.entriesList.map((e) => [e.key, e.value]); }
}

/** QUEUE (FIFO) and STACK (LIFO): push/pop/peek, no keys */
export class QueueStackMap extends EmuMap {
  readonly items: Uint8Array[] = [];
  constructor(def: MapDef, host: MapHost, readonly lifo: boolean) { super(def, host); }
  push(value: Uint8Array, flags: number): number {
    if (flags & ~BPF_EXIST) return -EINVAL;
    if (this.items.length >= this.def.maxEntries) {
      if (!(flags & BPF_EXIST)) return -E2BIG;
      this.items.shift(); // the oldest element makes room in both queue and stack
    }
    this.items.push(value.slice(0, this.def.valueSize));
    return 0;
  }
  take(remove: boolean): Uint8Array | undefined {
    if (this.items.length === 0) return undefined;
    if (!remove) return this.lifo ? this.items[this.items.length - 1] : this.items[0];
    return this.lifo ? this.items.pop() : this.items.shift();
  }
  override lookup(): Region | undefined { return this.unsupported('map_lookup_elem'); }
  override update(_k: Uint8Array, value: Uint8Array, flags: number): number { return this.push(value, flags); }
  override delete(): number { return -EINVAL; }
}

/** RINGBUF: records are captured; space is used up as the kernel's would be with no consumer */
export class RingbufMap extends EmuMap {
  produced = 0;
  private pending = new Map<Region, MapRecord>();
  override lookup(): Region | undefined { return this.unsupported('map_lookup_elem'); }
  reserve(size: number): Region | undefined {
    const need = 8 + ((size + 7) & ~7);
    // the producer may run at most (size - 1) bytes ahead of the consumer, which never moves here
    if (size > this.def.maxEntries || this.produced + need > this.def.maxEntries - 1) return undefined;
    this.produced += need;
    const r = this.host.mem.add(RegionKind.Ringbuf, `${this.def.name} record`, new Uint8Array(size));
    r.owner = this;
    const rec: MapRecord = { map: this.def.name, data: r.bytes };
    this.pending.set(r, rec);
    return r;
  }
  commit(r: Region, submit: boolean): void {
    const rec = this.pending.get(r);
    if (!rec) throw new EmulatorFault('ringbuf submit/discard of a record that is not reserved (or already committed)');
    this.pending.delete(r);
    rec.submitted = submit;
    rec.data = r.bytes.slice();
    this.host.records.push(rec);
    this.host.mem.remove(r);
  }
  output(data: Uint8Array): number {
    const r = this.reserve(data.byteLength);
    if (!r) return -EAGAIN; // no space left
    r.bytes.set(data);
    this.commit(r, true);
    return 0;
  }
}

/** PERF_EVENT_ARRAY: perf_event_output records are captured as if a reader were open on every CPU */
export class PerfEventArrayMap extends EmuMap {
  override lookup(): Region | undefined { return this.unsupported('map_lookup_elem'); }
  output(index: number, data: Uint8Array): number {
    const cpu = index === 0xffffffff ? this.host.cpu : index;
    if (cpu >= this.def.maxEntries) return -E2BIG;
    this.host.records.push({ map: this.def.name, cpu, data: data.slice() });
    return 0;
  }
}

/** PROG_ARRAY: slots hold programs for tail calls */
export class ProgArrayMap extends EmuMap {
  readonly slots: (DecodedProg | undefined)[] = [];
  override lookup(): Region | undefined { return this.unsupported('map_lookup_elem'); }
  override update(): number { return -EINVAL; }
  override delete(): number { return -EINVAL; }
}

/** ARRAY_OF_MAPS and HASH_OF_MAPS: lookups return the inner map's pointer */
export class MapOfMaps extends EmuMap {
  readonly inner = new Map<string, EmuMap>();
  constructor(def: MapDef, host: MapHost, readonly isArray: boolean) { super(def, host); }
  innerFor(key: Uint8Array): EmuMap | undefined {
    return this.inner.get(keyOf(key.subarray(0, this.def.keySize)));
  }
  set(key: Uint8Array, m: EmuMap): void { this.inner.set(keyOf(key.subarray(0, this.def.keySize)), m); }
  override lookup(): Region | undefined { return this.unsupported('value pointer lookup'); }
  override update(): number { return -EINVAL; } // programs cannot update map-in-map slots
  override delete(key: Uint8Array): number {
    if (this.isArray) return -EINVAL;
    return this.inner.delete(keyOf(key.subarray(0, this.def.keySize))) ? 0 : -ENOENT;
  }
}

export function createMap(def: MapDef, host: MapHost): EmuMap {
  switch (def.type) {
    case MapType.ARRAY: return new ArrayMap(def, host, false);
    case MapType.PERCPU_ARRAY: return new ArrayMap(def, host, true);
    case MapType.HASH: return new HashMap(def, host, false, false);
    case MapType.PERCPU_HASH: return new HashMap(def, host, true, false);
    case MapType.LRU_HASH: return new HashMap(def, host, false, true);
    case MapType.LRU_PERCPU_HASH: return new HashMap(def, host, true, true);
    case MapType.LPM_TRIE: return new LpmTrieMap(def, host);
    case MapType.QUEUE: return new QueueStackMap(def, host, false);
    case MapType.STACK: return new QueueStackMap(def, host, true);
    case MapType.RINGBUF: return new RingbufMap(def, host);
    case MapType.PERF_EVENT_ARRAY: return new PerfEventArrayMap(def, host);
    case MapType.PROG_ARRAY: return new ProgArrayMap(def, host);
    case MapType.ARRAY_OF_MAPS: return new MapOfMaps(def, host, true);
    case MapType.HASH_OF_MAPS: return new MapOfMaps(def, host, false);
    default:
      throw new EmulatorFault(`map '${def.name}': ${mapTypeName(def.type)} is not supported by the emulator`);
  }
}
