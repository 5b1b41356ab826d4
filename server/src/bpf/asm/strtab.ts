// A NUL-separated string table (ELF .strtab/.shstrtab, BTF string section): offset 0 is the
// empty string, and each distinct string is stored once.
export class StrTab {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly seen = new Map<string, number>();

  add(s: string): number {
    if (!s) return 0;
    const hit = this.seen.get(s);
    if (hit !== undefined) return hit;
    const b = new TextEncoder().encode(s + '\0');
    const off = this.size;
    this.parts.push(b);
    this.size += b.length;
    this.seen.set(s, off);
    return off;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}
