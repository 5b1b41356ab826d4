// The emulator's address space: typed regions (stack frames, ctx, packet, map values, ring-buffer
// records, user memory images), each owning a byte range at a synthetic 64-bit address.
//
// An address is two 32-bit halves. Regions the emulator creates get hi = REGION_TAG | id and
// lo = REGION_LO_BASE + byte offset, so pointer arithmetic stays inside the low half and a region is
// found by one array lookup on the high half. User-supplied memory images (for probe_read) keep the
// addresses the user gave them and are found by a linear search, which is the rare path.

export const REGION_TAG = 0xfe000000 | 0; // high byte of the high half of every synthetic address
export const REGION_LO_BASE = 0x10000000;
export const MAX_REGIONS = 0x00ffffff;

export const enum RegionKind {
  Stack = 0,
  Ctx,
  Packet,
  MapValue,
  MapKey,
  Ringbuf,
  Global,
  Mem,
  Image,
  Map,
  FlowKeys,
  Scratch,
}

const KIND_NAMES = ['stack', 'ctx', 'packet', 'map value', 'map key', 'ringbuf record', 'global data', 'memory', 'memory image', 'map', 'flow keys', 'scratch'];

/** Hooks for regions whose loads are not plain bytes: ctx fields the kernel rewrites into pointers. */
export interface FieldHooks {
  /** returns true when it handled the load, writing the value to mem.outLo/outHi */
  load(off: number, size: number, mem: Memory): boolean;
  /** returns true when it handled the store (or throws a fault for a read-only field) */
  store?(off: number, size: number, lo: number, hi: number, mem: Memory): boolean;
}

export class Region {
  readonly view: DataView;
  /** valid window [start, end) in bytes of `bytes`; packets move it (adjust_head/tail/meta) */
  start = 0;
  end: number;
  /** for Image regions: the user's address, as halves */
  imageHi = 0;
  imageLo = 0;
  hooks?: FieldHooks;
  /** owning object for Map regions (a map) or for map values (the map and key) */
  owner?: unknown;
  readonly = false;
  constructor(
    readonly id: number,
    readonly kind: RegionKind,
    readonly name: string,
    public bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
  }
  get kindName(): string { return KIND_NAMES[this.kind] ?? 'region'; }
  /** the address of byte `off` of this region */
  addrHi(): number { return this.kind === RegionKind.Image ? this.imageHi : (REGION_TAG | this.id); }
  addrLo(off: number): number { return this.kind === RegionKind.Image ? (this.imageLo + off) | 0 : (REGION_LO_BASE + off) | 0; }
}

export class EmulatorFault extends Error {
  insn = -1;
  constructor(message: string) { super(message); }
}

export function hex64(hi: number, lo: number): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

export class Memory {
  private regions: (Region | undefined)[] = [undefined];
  private images: Region[] = [];
  private nextId = 1;
  /** results of load(): the low and high halves */
  outLo = 0;
  outHi = 0;
  /** result of resolve(): byte offset inside the returned region */
  off = 0;

  add(kind: RegionKind, name: string, bytes: Uint8Array): Region {
    if (this.nextId >= MAX_REGIONS) throw new EmulatorFault('emulator memory exhausted: too many regions');
    const r = new Region(this.nextId++, kind, name, bytes);
    this.regions[r.id] = r;
    return r;
  }

  /** maps user bytes at a fixed 64-bit address (for probe_read_* from a memory image) */
  addImage(name: string, addr: bigint, bytes: Uint8Array): Region {
    const r = new Region(0, RegionKind.Image, name, bytes);
    r.imageHi = Number((addr >> 32n) & 0xffffffffn) | 0;
    r.imageLo = Number(addr & 0xffffffffn) | 0;
    this.images.push(r);
    return r;
  }

  /** drops a region: later accesses through stale pointers fault */
  remove(r: Region): void {
    if (r.kind !== RegionKind.Image && this.regions[r.id] === r) this.regions[r.id] = undefined;
  }

  /** every live region (the debugger lists them) */
  allRegions(): Region[] { return this.regions.filter((r): r is Region => r !== undefined); }

  regionAt(hi: number, lo: number): Region | undefined {
    if ((hi & 0xff000000) === REGION_TAG) {
      const r = this.regions[hi & 0x00ffffff];
      if (r) return r;
    }
    for (const im of this.images) {
      if (im.imageHi !== hi) continue;
      const d = ((lo >>> 0) - (im.imageLo >>> 0));
      if (d >= 0 && d < im.bytes.byteLength) return im;
    }
    return undefined;
  }

  /**
   * Finds the region holding [addr+off, addr+off+size) and sets this.off to the byte offset in it.
   * Faults with the address and the region's bounds when the access is outside every region.
   */
  resolve(hi: number, lo: number, off: number, size: number, write: boolean): Region {
    let a = (lo >>> 0) + off;
    let h = hi;
    if (a > 0xffffffff) { a -= 0x100000000; h = (h + 1) | 0; } else if (a < 0) { a += 0x100000000; h = (h - 1) | 0; }
    let r: Region | undefined;
    if ((h & 0xff000000) === REGION_TAG) r = this.regions[h & 0x00ffffff];
    if (r !== undefined) {
      const o = a - REGION_LO_BASE;
      if (o >= r.start && o + size <= r.end) {
        if (write && r.readonly) throw new EmulatorFault(`write into read-only ${r.kindName} '${r.name}' at ${hex64(h, a)}`);
        this.off = o;
        return r;
      }
      throw new EmulatorFault(
        `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${hex64(h, a)}: outside ${r.kindName} '${r.name}' ` +
        `(valid offsets ${r.start}..${r.end}, access at offset ${o})`);
    }
    return this.resolveSlow(h, a | 0, size, write);
  }

  private resolveSlow(h: number, a: number, size: number, write: boolean): Region {
    const r = this.regionAt(h, a);
    if (r && r.kind === RegionKind.Image) {
      const o = (a >>> 0) - (r.imageLo >>> 0);
      if (o + size <= r.bytes.byteLength) {
        if (write && r.readonly) throw new EmulatorFault(`write into read-only memory image '${r.name}' at ${hex64(h, a)}`);
        this.off = o;
        return r;
      }
      throw new EmulatorFault(`invalid access of ${size} bytes at ${hex64(h, a)}: crosses the end of memory image '${r.name}'`);
    }
    if (h === 0 && (a >>> 0) < 0x10000) throw new EmulatorFault(`invalid ${write ? 'write' : 'read'} of ${size} bytes at ${hex64(h, a)}: NULL pointer dereference`);
    if ((h & 0xff000000) === REGION_TAG && h !== REGION_TAG) throw new EmulatorFault(`invalid ${write ? 'write' : 'read'} of ${size} bytes at ${hex64(h, a)}: the region it pointed to was released`);
    throw new EmulatorFault(`invalid ${write ? 'write' : 'read'} of ${size} bytes at ${hex64(h, a)}: not inside any memory region`);
  }

  /** loads `size` bytes at addr+off into outLo/outHi (zero-extended) */
  load(hi: number, lo: number, off: number, size: number): void {
    const r = this.resolve(hi, lo, off, size, false);
    const o = this.off;
    if (r.hooks !== undefined && r.hooks.load(o, size, this)) return;
    const v = r.view;
    switch (size) {
      case 1: this.outLo = v.getUint8(o); this.outHi = 0; break;
      case 2: this.outLo = v.getUint16(o, true); this.outHi = 0; break;
      case 4: this.outLo = v.getInt32(o, true); this.outHi = 0; break;
      default: this.outLo = v.getInt32(o, true); this.outHi = v.getInt32(o + 4, true); break;
    }
  }

  store(hi: number, lo: number, off: number, size: number, vlo: number, vhi: number): void {
    const r = this.resolve(hi, lo, off, size, true);
    const o = this.off;
    if (r.hooks?.store !== undefined && r.hooks.store(o, size, vlo, vhi, this)) return;
    const v = r.view;
    switch (size) {
      case 1: v.setUint8(o, vlo & 0xff); break;
      case 2: v.setUint16(o, vlo & 0xffff, true); break;
      case 4: v.setInt32(o, vlo, true); break;
      default: v.setInt32(o, vlo, true); v.setInt32(o + 4, vhi, true); break;
    }
  }

  /** a copy of `len` bytes at an address (helpers' memory arguments) */
  read(hi: number, lo: number, len: number): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    const r = this.resolve(hi, lo, 0, len, false);
    return r.bytes.slice(this.off, this.off + len);
  }

  /** a live view of `len` bytes at an address */
  slice(hi: number, lo: number, len: number, write: boolean): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    const r = this.resolve(hi, lo, 0, len, write);
    return r.bytes.subarray(this.off, this.off + len);
  }

  write(hi: number, lo: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const r = this.resolve(hi, lo, 0, data.length, true);
    r.bytes.set(data, this.off);
  }

  /** reads a NUL-terminated string of at most `max` bytes, stopping at the region's end */
  readCString(hi: number, lo: number, max: number): string {
    const r = this.resolve(hi, lo, 0, 1, false);
    const o = this.off;
    let end = o;
    while (end < r.end && end - o < max && r.bytes[end] !== 0) end++;
    return Buffer.from(r.bytes.subarray(o, end)).toString('latin1');
  }
}
