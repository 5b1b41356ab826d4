// The printf subset of bpf_trace_printk / bpf_snprintf / bpf_trace_vprintk (kernel/bpf/helpers.c
// bpf_bprintf_prepare): %d %i %u %x %X %o? no, %c %s %p family, with l/ll/h/z modifiers, width,
// precision and flags. Arguments are 64-bit values as (hi, lo) pairs.
import { toBig } from './arith';

export interface FormatArgs {
  /** argument i as (hi, lo) */
  arg(i: number): [number, number];
  /** reads a NUL-terminated string at an address (for %s), or throws */
  str(hi: number, lo: number): string;
  /** reads n bytes at an address (for %pI4 / %pI6), or throws */
  bytes(hi: number, lo: number, n: number): Uint8Array;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s + ' '.repeat(width - s.length);
  if (zero) {
    const neg = s.startsWith('-') ? '-' : '';
    const body = neg ? s.slice(1) : s;
    return neg + '0'.repeat(width - s.length) + body;
  }
  return ' '.repeat(width - s.length) + s;
}

/** formats `fmt`; returns the text or an error naming the bad conversion */
export function formatPrintk(fmt: string, a: FormatArgs): { text: string; error?: string } {
  let out = '';
  let argi = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%') { out += ch; continue; }
    if (fmt[i + 1] === '%') { out += '%'; i++; continue; }
    let j = i + 1;
    let left = false, zero = false, plus = false, space = false, hash = false;
    for (; j < fmt.length && '-0+ #'.includes(fmt[j]); j++) {
      if (fmt[j] === '-') left = true; else if (fmt[j] === '0') zero = true; else if (fmt[j] === '+') plus = true; else if (fmt[j] === ' ') space = true; else hash = true;
    }
    let width = 0;
    while (j < fmt.length && fmt[j] >= '0' && fmt[j] <= '9') width = width * 10 + Number(fmt[j++]);
    let prec = -1;
    if (fmt[j] === '.') { j++; prec = 0; while (j < fmt.length && fmt[j] >= '0' && fmt[j] <= '9') prec = prec * 10 + Number(fmt[j++]); }
    let len = 32;
    if (fmt[j] === 'l') { len = 64; j++; if (fmt[j] === 'l') j++; } else if (fmt[j] === 'h') { len = 16; j++; if (fmt[j] === 'h') { len = 8; j++; } } else if (fmt[j] === 'z') { len = 64; j++; }
    const conv = fmt[j];
    if (conv === undefined) return { text: out, error: 'format string ends inside a conversion' };
    if (argi >= 12) return { text: out, error: 'too many arguments for the format string' };
    const [hi, lo] = a.arg(argi++);
    let s: string;
    switch (conv) {
      case 'd': case 'i': case 'u': case 'x': case 'X': {
        let v = toBig(hi, lo);
        if (len === 32) v &= 0xffffffffn; else if (len === 16) v &= 0xffffn; else if (len === 8) v &= 0xffn;
        const bits = BigInt(len);
        if (conv === 'd' || conv === 'i') v = BigInt.asIntN(Number(bits), v);
        if (conv === 'x' || conv === 'X') {
          s = v.toString(16);
          if (conv === 'X') s = s.toUpperCase();
          if (prec >= 0) s = s.padStart(prec, '0');
          if (hash && v !== 0n) s = (conv === 'X' ? '0X' : '0x') + s;
        } else {
          const neg = v < 0n;
          s = (neg ? -v : v).toString();
          if (prec >= 0) s = s.padStart(prec, '0');
          s = (neg ? '-' : (plus ? '+' : space ? ' ' : '')) + s;
        }
        out += pad(s, width, left, zero && prec < 0);
        break;
      }
      case 'c': out += pad(String.fromCharCode(lo & 0xff), width, left, false); break;
      case 's': {
        let t = (hi === 0 && lo === 0) ? '(null)' : a.str(hi, lo);
        if (prec >= 0) t = t.slice(0, prec);
        out += pad(t, width, left, false);
        break;
      }
      case 'p': {
        const next = fmt[j + 1];
        if ((next === 'I' || next === 'i') && (fmt[j + 2] === '4' || fmt[j + 2] === '6')) {
          const b = a.bytes(hi, lo, fmt[j + 2] === '4' ? 4 : 16);
          if (fmt[j + 2] === '4') s = [...b].map((x) => x.toString(next === 'i' ? 10 : 10).padStart(next === 'i' ? 3 : 1, '0')).join(next === 'i' ? '' : '.');
          else {
            const words: string[] = [];
            for (let k = 0; k < 16; k += 2) words.push(((b[k] << 8) | b[k + 1]).toString(16).padStart(next === 'i' ? 4 : 4, '0'));
            s = words.join(next === 'i' ? '' : ':');
          }
          out += pad(s, width, left, false);
          j += 2;
          break;
        }
        if (next === 'K' || next === 'x' || next === 'S' || next === 's' || next === 'B') j++;
        s = (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
        if (next !== 'x') s = s.replace(/^0+(?=.)/, '');
        out += pad('0x' + s, width, left, false);
        break;
      }
      default:
        return { text: out, error: `unsupported conversion %${conv} in the format string` };
    }
    i = j;
  }
  return { text: out };
}
