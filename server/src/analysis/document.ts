// An immutable snapshot of one document's text with offset <-> position conversion.
import type { Position, Range } from './types';

export type LanguageId = 'c' | 'bpf-asm';

export class DocumentSnapshot {
  private lineStarts: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: LanguageId,
    readonly version: number,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 10) s.push(i + 1);
        else if (c === 13) {
          if (t.charCodeAt(i + 1) === 10) i++;
          s.push(i + 1);
        }
      }
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  offsetAt(p: Position): number {
    const s = this.starts();
    if (p.line < 0) return 0;
    if (p.line >= s.length) return this.text.length;
    const lineEnd = p.line + 1 < s.length ? s[p.line + 1] : this.text.length;
    return Math.max(s[p.line], Math.min(s[p.line] + Math.max(0, p.character), lineEnd));
  }

  positionAt(offset: number): Position {
    const s = this.starts();
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: off - s[lo] };
  }

  /** The text of a line without its line terminator ('' past the end). */
  lineText(line: number): string {
    const s = this.starts();
    if (line < 0 || line >= s.length) return '';
    const end = line + 1 < s.length ? s[line + 1] : this.text.length;
    return this.text.slice(s[line], end).replace(/\r?\n$|\r$/, '');
  }

  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
}
