// Turns clang's diagnostics into Findings on the document that was compiled.
// Clang runs with -fdiagnostics-print-source-range-info and -fdiagnostics-parseable-fixits, so
// lines look like
//   /w/x.bpf.c:4:35:{5:35-5:38}: warning: implicit conversion ... [-Wconstant-conversion]
//   fix-it:"/w/x.bpf.c":{5:48-5:48}:";"
//   In file included from /w/x.bpf.c:2:
// Columns are 1-based UTF-8 byte columns; we convert them to UTF-16 characters.
import type { Finding, Range, Severity, TextEdit } from '../analysis/types';

export interface ClangFixit {
  edit: TextEdit;
}

/** What a clang Finding carries in `data`, for the code-action provider. */
export interface ClangFindingData {
  clangFixits: TextEdit[];
}

export interface ParseOptions {
  /** The file name clang reports for the document (what `#line` named it). */
  mainFile: string;
  /** The document text, for converting byte columns. */
  text: string;
  /**
   * How many lines precede the document in what clang read (our `#line` prelude). Range and
   * fix-it line numbers are physical, while locations honour `#line`.
   */
  physicalLineOffset: number;
}

const DIAG = /^(.+?):(\d+):(\d+):(?:((?:\{\d+:\d+-\d+:\d+\})+):)? (fatal error|error|warning|note|remark): (.*)$/;
const DRIVER = /^(?:clang(?:-\d+)?|[^:\s]*clang[^:\s]*): (fatal error|error|warning): (.*)$/;
const INCLUDED = /^In file included from (.+?):(\d+):$/;
const FIXIT = /^fix-it:"((?:[^"\\]|\\.)*)":\{(\d+):(\d+)-(\d+):(\d+)\}:"((?:[^"\\]|\\.)*)"$/;
const RANGE = /\{(\d+):(\d+)-(\d+):(\d+)\}/g;
const FLAG = /\s\[((?:-W[^\],]+|-Werror)(?:,[^\]]*)?)\]$/;

function severityOf(kind: string): Severity {
  if (kind === 'warning') return 'warning';
  if (kind === 'remark') return 'information';
  return 'error';
}

function unescapeC(s: string): string {
  return s.replace(/\\(n|t|\\|"|[0-7]{1,3})/g, (_, e: string) =>
    e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : e === '"' ? '"' : String.fromCharCode(parseInt(e, 8)),
  );
}

class LineIndex {
  private readonly lines: string[];
  constructor(text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
  }
  /** 0-based UTF-16 character of a 1-based byte column on 1-based `line`. */
  character(line: number, byteCol: number): number {
    const l = this.lines[line - 1] ?? '';
    const b = Math.max(0, byteCol - 1);
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(l)) return Math.min(b, l.length);
    return Buffer.from(l, 'utf8').subarray(0, b).toString('utf8').length;
  }
  lineLength(line: number): number {
    return (this.lines[line - 1] ?? '').length;
  }
  /** End of the identifier-like token starting at (line, character), at least one character. */
  tokenEnd(line: number, character: number): number {
    const l = this.lines[line - 1] ?? '';
    const m = /^[A-Za-z_0-9]+/.exec(l.slice(character));
    return Math.min(l.length, character + (m ? m[0].length : 1));
  }
  get count(): number {
    return this.lines.length;
  }
}

export function parseClangDiagnostics(stderr: string, opts: ParseOptions): Finding[] {
  const idx = new LineIndex(opts.text);
  const out: Finding[] = [];
  const sameFile = (f: string) => f === opts.mainFile || f === '<stdin>';
  const pos = (line: number, byteCol: number) => ({ line: Math.max(0, line - 1), character: idx.character(line, byteCol) });
  let includeLine: number | undefined; // main-file line of the outermost #include of the current header chain
  let last: Finding | undefined;
  let lastInMain = false;

  for (const raw of stderr.split('\n')) {
    const line = raw.replace(/\r$/, '');
    let m = INCLUDED.exec(line);
    if (m) {
      if (sameFile(m[1])) includeLine = Number(m[2]);
      continue;
    }
    m = FIXIT.exec(line);
    if (m) {
      if (last && lastInMain && sameFile(unescapeC(m[1]))) {
        const o = opts.physicalLineOffset;
        const edit = {
          range: { start: pos(Number(m[2]) - o, Number(m[3])), end: pos(Number(m[4]) - o, Number(m[5])) },
          newText: unescapeC(m[6]),
        };
        const data = (last.data ?? { clangFixits: [] }) as ClangFindingData;
        data.clangFixits.push(edit);
        last.data = data;
      }
      continue;
    }
    m = DIAG.exec(line);
    if (m) {
      const [, file, l, c, ranges, kind, rest] = m;
      let message = rest;
      let code = 'clang';
      const flag = FLAG.exec(message);
      if (flag) {
        message = message.slice(0, flag.index);
        code = flag[1].split(',').find((f) => f.startsWith('-W') && f !== '-Werror') ?? 'clang';
      }
      if (kind === 'note') {
        if (last) {
          const where = sameFile(file)
            ? { range: { start: pos(Number(l), Number(c)), end: pos(Number(l), Number(c)) } }
            : { range: { start: { line: Number(l) - 1, character: Number(c) - 1 }, end: { line: Number(l) - 1, character: Number(c) - 1 } }, uri: 'file://' + file };
          (last.related ??= []).push({ ...where, message });
        }
        continue;
      }
      if (sameFile(file)) {
        const lineNo = Number(l);
        const start = pos(lineNo, Number(c));
        let range: Range = { start, end: { line: start.line, character: idx.tokenEnd(lineNo, start.character) } };
        if (ranges) {
          // Prefer the range that contains the caret; ranges use physical line numbers.
          for (const r of ranges.matchAll(RANGE)) {
            const o = opts.physicalLineOffset;
            const rs = pos(Number(r[1]) - o, Number(r[2]));
            const re = pos(Number(r[3]) - o, Number(r[4]));
            const contains = (rs.line < start.line || (rs.line === start.line && rs.character <= start.character)) &&
              (re.line > start.line || (re.line === start.line && re.character >= start.character));
            if (contains && (re.line !== rs.line || re.character > rs.character)) {
              range = { start: rs, end: re };
              break;
            }
          }
        }
        last = { range, severity: severityOf(kind), code, source: 'clang', message };
        lastInMain = true;
        includeLine = undefined;
        out.push(last);
      } else {
        // A problem inside a header: report it on the #include line that pulled the header in.
        const at = includeLine ?? 1;
        const len = idx.lineLength(at);
        last = {
          range: { start: { line: at - 1, character: 0 }, end: { line: at - 1, character: len } },
          severity: severityOf(kind),
          code,
          source: 'clang',
          message: `in included file ${file}:${l}:${c}: ${message}`,
          related: [{ range: { start: { line: Number(l) - 1, character: Number(c) - 1 }, end: { line: Number(l) - 1, character: Number(c) - 1 } }, message, uri: 'file://' + file }],
        };
        lastInMain = false;
        includeLine = undefined;
        out.push(last);
      }
      continue;
    }
    m = DRIVER.exec(line);
    if (m) {
      last = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: severityOf(m[1]),
        code: 'clang.driver',
        source: 'clang',
        message: `clang: ${m[2]}`,
      };
      lastInMain = false;
      out.push(last);
    }
  }
  return out;
}
