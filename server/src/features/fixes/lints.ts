// The lints BPF reviewers ask for, after the bpflint project's list (github.com/d-e-s-o/bpflint):
// probe-read, untyped-map-member, perfbuf-usage and unrolled loops where bpf_for fits.
import type { SyntaxNode } from '../../parse/types';
import { findHelperPointerDecls } from './helper-decls';
import { deprecationReason, successorsOf } from './successors';
import { replaceSpan } from './text';
import { nodesOfType, type Source } from './tree';
import { FixCodes, type Fix, type FixFinding } from './types';

/** The text with comments and string/char literals blanked (same length), for regex scans. */
export function codeOnly(text: string): string {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
}

// ---------------------------------------------------------------------------------------------
// probe-read

function probeReadFindings(src: Source): FixFinding[] {
  const out: FixFinding[] = [];
  if (!src.text.includes('bpf_probe_read')) return out;
  const handWritten = new Set(findHelperPointerDecls(src).map((d) => d.name));
  for (const n of nodesOfType(src.root, 'call_expression')) {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'identifier' || (fn.text !== 'bpf_probe_read' && fn.text !== 'bpf_probe_read_str')) continue;
    const successors = successorsOf(fn.text);
    // With a hand-written declaration, renaming one call would leave it undeclared: the
    // declaration's own finding (deprecated-helper-decl) renames declaration and calls together.
    const fixes: Fix[] = handWritten.has(fn.text)
      ? []
      : successors.map((s) => ({
          title: `Replace with ${s.name}, right when ${s.when}`,
          edits: [replaceSpan(src.index, src.start(fn), src.end(fn), s.name)],
        }));
    out.push({
      code: FixCodes.probeRead,
      severity: 'warning',
      message:
        `${fn.text}() is deprecated: use ${successors.map((s) => `${s.name}()`).join(' or ')}` +
        ` (${deprecationReason(fn.text) ?? 'see bpf-helpers(7)'}).`,
      range: src.range(fn),
      fixes,
      deprecated: true,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// map definitions: untyped-map-member, perfbuf-usage

interface MapBody {
  /** offsets of the struct body braces in the text */
  open: number;
  close: number;
  name: string;
  type?: string;
  typeAt?: [number, number];
}

/** `struct { ... } name SEC(".maps")` bodies, found in comment-free text. */
function mapBodies(code: string, text: string): MapBody[] {
  const out: MapBody[] = [];
  const re = /\bstruct\s*(?:\w+\s*)?\{/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < code.length && i < open + 20000; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) continue;
    // `code` has the ".maps" string blanked; the text at the same offsets has it
    const hit = /^\s*(\w+)\s*SEC\s*\(\s*"\.maps"\s*\)/.exec(text.slice(close + 1, close + 300));
    if (!hit) continue;
    const body = code.slice(open, close);
    const t = /__uint\s*\(\s*type\s*,\s*(BPF_MAP_TYPE_\w+)\s*\)/.exec(body);
    out.push({
      open,
      close,
      name: hit[1],
      type: t?.[1],
      typeAt: t ? [open + t.index + t[0].indexOf(t[1]), open + t.index + t[0].indexOf(t[1]) + t[1].length] : undefined,
    });
    re.lastIndex = close;
  }
  return out;
}

/** Map types whose key and value may carry BTF types (fd-holding and event maps may not). */
const TYPED_MAP_TYPES = /^BPF_MAP_TYPE_(HASH|ARRAY|PERCPU_HASH|PERCPU_ARRAY|LRU_HASH|LRU_PERCPU_HASH|LPM_TRIE|QUEUE|STACK|SK_STORAGE|INODE_STORAGE|TASK_STORAGE|CGRP_STORAGE|BLOOM_FILTER)$/;

function mapFindings(src: Source): FixFinding[] {
  const out: FixFinding[] = [];
  // Both findings need one of these words: skip blanking the whole text (every edit) without them.
  if (!/key_size|value_size|BPF_MAP_TYPE_PERF_EVENT_ARRAY/.test(src.text)) return out;
  const code = codeOnly(src.text);
  for (const map of mapBodies(code, src.text)) {
    const body = code.slice(map.open, map.close);
    const member = /__uint\s*\(\s*(key_size|value_size)\s*,\s*sizeof\s*\(/g;
    for (let m = member.exec(body); m; m = member.exec(body)) {
      const start = map.open + m.index;
      // the sizeof argument: up to its matching parenthesis
      let depth = 1;
      let i = start + m[0].length;
      for (; i < map.close && depth > 0; i++) {
        if (code[i] === '(') depth++;
        else if (code[i] === ')') depth--;
      }
      const argEnd = i - 1;
      const close = /^\s*\)/.exec(code.slice(i, map.close));
      if (depth !== 0 || !close) continue;
      const end = i + close[0].length;
      const arg = src.text.slice(start + m[0].length, argEnd).trim();
      const field = m[1] === 'key_size' ? 'key' : 'value';
      const safe = map.type !== undefined && TYPED_MAP_TYPES.test(map.type);
      out.push({
        code: FixCodes.untypedMapMember,
        severity: 'warning',
        message:
          `Map '${map.name}' gives its ${field} only a size: declare its type with __type(${field}, ${arg}) ` +
          'so BTF describes it (bpftool map dump shows fields, the verifier and tools know the layout).',
        range: src.index.range(start, end),
        fixes: [
          {
            title: `Use __type(${field}, ${arg})`,
            edits: [replaceSpan(src.index, start, end, `__type(${field}, ${arg})`)],
            isPreferred: true,
            safe,
          },
        ],
      });
    }
    if (map.type === 'BPF_MAP_TYPE_PERF_EVENT_ARRAY' && map.typeAt) {
      out.push({
        code: FixCodes.perfbufUsage,
        severity: 'warning',
        message:
          `Map '${map.name}' is a perf buffer: consider BPF_MAP_TYPE_RINGBUF (Linux 5.8+), which keeps event order across CPUs, ` +
          'shares one buffer and lets you reserve space before filling it (https://nakryiko.com/posts/bpf-ringbuf/ lists the exceptions).',
        range: src.index.range(map.typeAt[0], map.typeAt[1]),
        fixes: [],
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// unrolled loops

const UNROLL_PRAGMA = /^#\s*pragma\s+(?:unroll\b|clang\s+loop\s+unroll\s*\(\s*(?:full|enable)\s*\)|GCC\s+unroll\b)/;

function constantBound(n: SyntaxNode | null): boolean {
  if (!n) return false;
  if (n.type === 'number_literal') return true;
  if (n.type === 'parenthesized_expression') return constantBound(n.namedChild(0));
  if (n.type === 'binary_expression') return constantBound(n.childForFieldName('left')) && constantBound(n.childForFieldName('right'));
  if (n.type === 'sizeof_expression') return true;
  // an ALL_CAPS macro is a compile-time constant by convention
  return n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(n.text);
}

function unrolledLoopFindings(src: Source): FixFinding[] {
  const out: FixFinding[] = [];
  if (!/#\s*pragma[^\n]*unroll/.test(src.text)) return out;
  for (const n of nodesOfType(src.root, 'for_statement')) {
    let prev = n.previousSibling;
    while (prev && prev.type === 'comment') prev = prev.previousSibling;
    if (!prev || (prev.type !== 'preproc_call' && prev.type !== 'preproc_pragma')) continue;
    const pragma = src.text.slice(src.start(prev), src.end(prev)).trim();
    if (!UNROLL_PRAGMA.test(pragma)) continue;
    const cond = n.childForFieldName('condition');
    if (cond?.type !== 'binary_expression' || !constantBound(cond.childForFieldName('right'))) continue;
    out.push({
      code: FixCodes.unrolledLoop,
      severity: 'hint',
      message:
        'This loop is unrolled: every iteration becomes its own copy of the body. Since Linux 6.4, ' +
        'bpf_for(i, start, end) runs it as a real loop the verifier checks once (https://docs.ebpf.io/linux/concepts/loops/).',
      range: src.index.range(src.start(prev), src.start(n) + 3),
      fixes: [],
    });
  }
  return out;
}

export function lintFindings(src: Source): FixFinding[] {
  return [...probeReadFindings(src), ...mapFindings(src), ...unrolledLoopFindings(src)];
}

