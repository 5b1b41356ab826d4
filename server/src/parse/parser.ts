// One interface over the two tree-sitter backends for BPF C: web-tree-sitter (default; runs
// anywhere, including VS Code's extension host) and the native `tree-sitter` binding (optional,
// faster for batch work in the CLI; used only where it loads).
//
// Trees from either backend live outside the JS heap (wasm memory or native memory): whoever
// owns a tree calls `delete()` when replacing it. Providers must not keep a tree past their call.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Point, SyntaxNode, SyntaxTree } from './types';

/** A change to the text, in the terms tree-sitter needs (indices in UTF-16 code units). */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/** A tree owned by its caller. */
export interface OwnedTree extends SyntaxTree {
  /** Tells the tree about an edit so the next parse can reuse unchanged subtrees. */
  edit(e: TreeEdit): void;
  delete(): void;
}

export interface CParser {
  readonly backend: 'wasm' | 'native';
  /** Parses `text`; with `old` (edited to match), reparses incrementally. Never throws on bad text. */
  parse(text: string, old?: OwnedTree): OwnedTree;
}

// Minimal shapes of the two libraries, so this module type-checks without either's .d.ts.
interface RawTree {
  rootNode: unknown;
  edit(e: TreeEdit): void;
  delete?(): void;
}
interface RawParser {
  setLanguage(l: unknown): unknown;
  parse(input: string | ((index: number) => string | undefined), old?: unknown): RawTree | null;
}

function wrap(raw: RawTree, backend: 'wasm' | 'native'): OwnedTree & { raw: RawTree } {
  return {
    raw,
    backend,
    get rootNode() {
      return raw.rootNode as SyntaxNode;
    },
    edit: (e) => raw.edit(e),
    delete: () => raw.delete?.(),
  };
}

/**
 * Where the wasm files are: beside the bundle (dist/, copied by esbuild.mjs) or, when running
 * from source (tests, tsx), in node_modules.
 */
export function wasmPath(file: 'tree-sitter.wasm' | 'tree-sitter-c.wasm'): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  const fromDist = path.resolve(__dirname, '../../../dist', file);
  if (fs.existsSync(fromDist)) return fromDist;
  // createRequire keeps the bundler from trying to inline these.
  const req = createRequire(__filename);
  return file === 'tree-sitter.wasm'
    ? req.resolve('web-tree-sitter/tree-sitter.wasm')
    : req.resolve('tree-sitter-c/tree-sitter-c.wasm');
}

// Native input is read in chunks through a callback: the binding's string path copies the
// whole text per parse, and very long documents are fine either way.
const NATIVE_CHUNK = 64 * 1024;

let wasmParser: Promise<CParser> | undefined;

/** The web-tree-sitter parser for C, loaded once per process (or worker). */
export function wasmCParser(): Promise<CParser> {
  wasmParser ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wts = require('web-tree-sitter') as typeof import('web-tree-sitter');
    const runtime = wasmPath('tree-sitter.wasm');
    await wts.Parser.init({ locateFile: () => runtime } as never);
    const lang = await wts.Language.load(fs.readFileSync(wasmPath('tree-sitter-c.wasm')));
    const parser = new wts.Parser();
    parser.setLanguage(lang);
    return {
      backend: 'wasm' as const,
      parse(text: string, old?: OwnedTree): OwnedTree {
        const oldRaw = (old as { raw?: RawTree } | undefined)?.raw;
        const t = parser.parse(text, (oldRaw ?? null) as never);
        if (!t) throw new Error('tree-sitter returned no tree (no language set)');
        return wrap(t as unknown as RawTree, 'wasm');
      },
    };
  })();
  return wasmParser;
}

let nativeParser: CParser | null | undefined;
let nativeError = '';

/** The native binding, or null when it does not load here (see `nativeLoadError`). */
export function nativeCParser(): CParser | null {
  if (nativeParser !== undefined) return nativeParser;
  try {
    // Resolved at run time (not bundled): a .node addon cannot be inlined by esbuild.
    const req = createRequire(__filename);
    const Parser = req('tree-sitter') as new () => RawParser;
    const C = req('tree-sitter-c') as unknown;
    const parser = new Parser();
    parser.setLanguage(C);
    nativeParser = {
      backend: 'native',
      parse(text: string, old?: OwnedTree): OwnedTree {
        const oldRaw = (old as { raw?: RawTree } | undefined)?.raw;
        const input = text.length > NATIVE_CHUNK ? (i: number) => text.slice(i, i + NATIVE_CHUNK) : text;
        const t = parser.parse(input, oldRaw);
        if (!t) throw new Error('tree-sitter returned no tree');
        return wrap(t, 'native');
      },
    };
  } catch (e) {
    nativeError = (e as Error).message.split('\n')[0];
    nativeParser = null;
  }
  return nativeParser;
}

export function nativeLoadError(): string {
  return nativeError;
}

/** The C parser for this process: native when asked for and available, else wasm. */
export async function cParser(prefer: 'wasm' | 'native' = 'wasm'): Promise<CParser> {
  if (prefer === 'native') {
    const n = nativeCParser();
    if (n) return n;
  }
  return wasmCParser();
}

/** tree-sitter's position of `offset` in `text`: rows split at '\n' only, columns in UTF-16 units. */
export function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** The TreeEdit for replacing [start, end) of `oldText` with `newText`. */
export function treeEditFor(oldText: string, start: number, end: number, newText: string): TreeEdit {
  const startPosition = pointAt(oldText, start);
  const oldEndPosition = pointAt(oldText, end);
  let newEndPosition: Point;
  const lastNl = newText.lastIndexOf('\n');
  if (lastNl < 0) newEndPosition = { row: startPosition.row, column: startPosition.column + newText.length };
  else {
    let rows = 0;
    for (let i = newText.indexOf('\n'); i !== -1; i = newText.indexOf('\n', i + 1)) rows++;
    newEndPosition = { row: startPosition.row + rows, column: newText.length - lastNl - 1 };
  }
  return { startIndex: start, oldEndIndex: end, newEndIndex: start + newText.length, startPosition, oldEndPosition, newEndPosition };
}
