// Formats a BPF assembly file the way clang -S lays it out: labels at column 0, directives and
// instructions indented by one level, single spaces between operands (string literals kept),
// trailing comments aligned in one column, no trailing whitespace. llvm-objdump listing lines are
// kept as they are. Formatting twice gives the same text.
import { commentStart } from '../../bpf/asm/lexer';

export interface AsmFormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

/** Trailing comments never start further right than this (long statements push theirs). */
const MAX_COMMENT_COLUMN = 48;

const LISTING = /^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2} ){7}[0-9a-f]{2}|^[0-9a-f]{16} <|^Disassembly of section|^\S.*:\s+file format /;

/** Collapses whitespace runs outside string literals. */
function squeeze(s: string): string {
  let out = '';
  let inStr = false;
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      out += c;
      if (c === '\\' && i + 1 < s.length) out += s[++i];
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === ' ' || c === '\t') { space = true; continue; }
    if (space && out) out += ' ';
    space = false;
    out += c;
    if (c === '"') inStr = true;
  }
  return out;
}

interface Row { kind: 'blank' | 'keep' | 'comment' | 'stmt'; label?: string; code?: string; comment?: string; indented?: boolean }

export function formatAsm(text: string, o: AsmFormatOptions): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = o.insertSpaces ? ' '.repeat(Math.max(1, o.tabSize)) : '\t';
  const width = o.insertSpaces ? indent.length : Math.max(1, o.tabSize);
  const rows: Row[] = text.split(/\r?\n/).map((line): Row => {
    if (!line.trim()) return { kind: 'blank' };
    if (LISTING.test(line) || /^\s*;/.test(line)) return { kind: 'keep', code: line.trimEnd() };
    const cs = commentStart(line, false);
    const code = line.slice(0, cs).trim();
    const comment = cs < line.length ? line.slice(cs).trim() : undefined;
    if (!code) return { kind: 'comment', comment, indented: /^\s/.test(line) };
    const m = /^([A-Za-z_.$][\w.$]*):(.*)$/.exec(code);
    if (m && !m[2].startsWith('=')) return { kind: 'stmt', label: m[1], code: m[2].trim() ? squeeze(m[2].trim()) : undefined, comment };
    return { kind: 'stmt', code: squeeze(code), comment };
  });
  const stmtWidth = (r: Row) => (r.code ? width + r.code.length : r.label ? r.label.length + 1 : 0);
  let commentCol = 0;
  for (const r of rows) if (r.kind === 'stmt' && r.comment) commentCol = Math.max(commentCol, stmtWidth(r) + 1);
  commentCol = Math.min(commentCol, MAX_COMMENT_COLUMN);
  const out: string[] = [];
  const withComment = (s: string, w: number, comment?: string) =>
    comment ? `${s}${' '.repeat(Math.max(1, commentCol - w))}${comment}` : s;
  for (const r of rows) {
    if (r.kind === 'blank') out.push('');
    else if (r.kind === 'keep') out.push(r.code!);
    else if (r.kind === 'comment') out.push((r.indented ? indent : '') + r.comment);
    else if (r.label !== undefined) {
      if (r.code) {
        out.push(`${r.label}:`);
        out.push(withComment(indent + r.code, stmtWidth({ kind: 'stmt', code: r.code }), r.comment));
      } else out.push(withComment(`${r.label}:`, r.label.length + 1, r.comment));
    } else out.push(withComment(indent + r.code!, stmtWidth(r), r.comment));
  }
  return out.join(eol);
}
