// Hover, completion and signature help for helpers, kfuncs, map types and SEC names. Everything is
// answered from memory: the document index is cached per version, the helper/kfunc item lists per
// program type and settings.
import type { PositionContext, Hover, CompletionItem, SignatureHelp, SignatureInformation } from '../../analysis/registry';
import type { BpflsSettings } from '../../analysis/settings';
import type { TextEdit } from '../../analysis/types';
import { allHelpers, helperByName, isHelperAllowed, describeArgKind, type HelperInfo } from '../../knowledge/helpers';
import { kfuncAllowedFor, kfuncFacts, kfuncDeprecation, knownKfuncNames, describeKfuncFlags, KFUNC_STABILITY_NOTE, type KfuncProto } from '../../knowledge/kfuncs';
import { allMapTypes, mapTypeInfo, MAP_FIELDS } from '../../knowledge/maps';
import { describeSection, sectionCompletions, DATA_SECTIONS, PROG_TYPE_DOCS } from '../../knowledge/secnames';
import { docIndex, programAt, wordAt, type DocIndex } from './scan';
import { helperDocs, targetKfuncs } from './env';
import { helperMarkdown, helperSignature, kfuncMarkdown, mapTypeMarkdown } from './describe';
import { progTypeOf } from './diagnostics';

/** A completion item that also carries edits elsewhere in the document (the extern for a kfunc). */
export type KnowledgeCompletionItem = CompletionItem & { additionalTextEdits?: TextEdit[] };

function enclosingProgType(index: DocIndex, offset: number): { progType?: string; section?: string } {
  const p = programAt(index, offset);
  if (!p) return {};
  const pt = progTypeOf(index, p.section);
  return pt ? { progType: pt, section: p.section } : { section: p.section };
}

// ---------------------------------------------------------------------------------------------
// Hover

export function knowledgeHover(ctx: PositionContext): Hover | undefined {
  const { doc, settings } = ctx;
  const offset = doc.offsetAt(ctx.position);
  const index = docIndex(doc);
  for (const s of [...index.programs, ...index.data]) {
    if (offset >= s.secStart && offset <= s.secEnd) {
      const d = describeSection(s.section);
      if (d) return { contents: d.markdown, range: { start: doc.positionAt(s.secStart), end: doc.positionAt(s.secEnd) } };
    }
  }
  const w = wordAt(doc.text, offset);
  if (!w) return undefined;
  if (index.code.slice(w.start, w.end) !== w.word) return undefined; // inside a comment or string
  const range = { start: doc.positionAt(w.start), end: doc.positionAt(w.end) };
  // A field of a BTF-defined map: __uint(max_entries, ...), __type(key, ...)
  if (/__(?:uint|type|array|ulong)\s*\(\s*$/.test(index.code.slice(Math.max(0, w.start - 40), w.start))) {
    const f = MAP_FIELDS.find((x) => x.name === w.word);
    if (f) return { contents: `**${f.name}** (map definition field) — \`${f.form.replace(/\$\{\d+:?([^}]*)\}/g, '$1')}\`\n\n${f.doc}`, range };
  }
  const { progType, section } = enclosingProgType(index, offset);
  // The markdown depends on the word, the program, the headers and the target BTF only.
  const docs = helperDocs(settings);
  const target = targetKfuncs(settings);
  const key = `${w.word}\0${progType ?? ''}\0${section ?? ''}\0${docs.sources.map((s) => s.file).join(',')}\0${target.file}\0${target.kfuncs?.size ?? -1}\0${index.ksyms.has(w.word)}`;
  const cached = hoverCache.get(key);
  if (cached !== undefined) return cached ? { contents: cached, range } : undefined;
  const contents = hoverMarkdown(w.word, index, settings, progType, section);
  if (hoverCache.size > 512) hoverCache.clear();
  hoverCache.set(key, contents ?? '');
  return contents ? { contents, range } : undefined;
}

const hoverCache = new Map<string, string>();

function hoverMarkdown(word: string, index: DocIndex, settings: BpflsSettings, progType: string | undefined, section: string | undefined): string | undefined {
  const w = { word };
  if (w.word.startsWith('bpf_')) {
    const h = helperByName(w.word);
    if (h) return helperMarkdown(h, settings, progType, section);
  }
  if (w.word.startsWith('BPF_FUNC_')) {
    const h = helperByName(w.word.slice('BPF_FUNC_'.length));
    if (h) return helperMarkdown(h, settings, progType, section);
  }
  if (w.word.startsWith('BPF_PROG_TYPE_')) {
    const d = PROG_TYPE_DOCS[w.word.slice('BPF_PROG_TYPE_'.length)];
    if (d) return `**${w.word}** · since Linux ${d.since}\n\n${d.what}. Context: \`${d.ctx}\`.`;
  }
  if (w.word.startsWith('BPF_MAP_TYPE_')) {
    const t = mapTypeInfo(w.word);
    if (t) return mapTypeMarkdown(t);
  }
  const proto = targetKfuncs(settings).kfuncs?.get(w.word);
  if (proto || kfuncFacts(w.word) || kfuncDeprecation(w.word) || (index.ksyms.has(w.word) && looksLikeFunctionDecl(index, w.word))) {
    return kfuncMarkdown(w.word, proto, settings, progType);
  }
  return undefined;
}

function looksLikeFunctionDecl(index: DocIndex, name: string): boolean {
  return new RegExp(`\\b${name}\\s*\\(`).test(index.code);
}

// ---------------------------------------------------------------------------------------------
// Completion

const helperItemCache = new Map<string, KnowledgeCompletionItem[]>();

function helperSnippet(h: HelperInfo): string {
  const args = h.args.map((a, i) => `\${${i + 1}:${a.name}}`).join(', ');
  return `${h.name}(${args})`;
}

function helperItems(settings: BpflsSettings, progType: string | undefined): KnowledgeCompletionItem[] {
  const docs = helperDocs(settings);
  const key = `${progType ?? ''}\0${docs.sources.map((s) => s.file).join('\0')}`;
  const hit = helperItemCache.get(key);
  if (hit) return hit;
  const items: KnowledgeCompletionItem[] = [];
  for (const h of allHelpers()) {
    const allowed = progType ? isHelperAllowed(h, progType) : { allowed: true };
    const doc = docs.docs.get(h.name);
    const notes = [`helper #${h.id}`];
    if (h.since) notes.push(`since ${h.since}`);
    if (h.gplOnly) notes.push('GPL-only');
    if (!allowed.allowed) notes.push(`not available in ${progType}`);
    else if (allowed.requires) notes.push(`needs ${allowed.requires}`);
    items.push({
      label: h.name,
      kind: 'function',
      detail: `${helperSignature(h, settings)} — ${notes.join(', ')}`,
      documentation: doc ? `${doc.description}${doc.returns ? `\n\n**Returns** ${doc.returns}` : ''}` : undefined,
      insertText: helperSnippet(h),
      snippet: true,
      // Helpers the program type may call first, deprecated ones last.
      sortText: `${h.deprecated ? '3' : allowed.allowed ? '1' : '2'}${h.name}`,
      deprecated: !!h.deprecated,
    });
  }
  if (helperItemCache.size > 64) helperItemCache.clear();
  helperItemCache.set(key, items);
  return items;
}

function externFor(p: KfuncProto): string {
  return `extern ${p.proto} __ksym;\n`;
}

const kfuncItemCache = new Map<string, { names: string[]; items: Map<string, KnowledgeCompletionItem> }>();

/** kfunc items without document-specific edits, cached per program type and target BTF. */
function baseKfuncItems(settings: BpflsSettings, progType: string | undefined): { names: string[]; items: Map<string, KnowledgeCompletionItem> } {
  const target = targetKfuncs(settings);
  const key = `${progType ?? ''}\0${target.file}\0${target.kfuncs ? target.kfuncs.size : -1}`;
  const hit = kfuncItemCache.get(key);
  if (hit) return hit;
  const names = target.kfuncs ? [...target.kfuncs.keys()] : knownKfuncNames();
  names.sort();
  const items = new Map<string, KnowledgeCompletionItem>();
  for (const name of names) {
    const proto = target.kfuncs?.get(name);
    const facts = kfuncFacts(name);
    const dep = kfuncDeprecation(name);
    const registered = !facts || !progType || kfuncAllowedFor(name, progType) !== false;
    const args = proto ? proto.params.map((p, i) => `\${${i + 1}:${p.name}}`).join(', ') : '$1';
    items.set(name, {
      label: name,
      kind: 'function',
      detail: `${proto ? proto.proto : name} — kfunc${facts?.flags.length ? ` ${facts.flags.join('|')}` : ''}${registered ? '' : `, not registered for ${progType}`}`,
      documentation: `${KFUNC_STABILITY_NOTE}${facts?.flags.length ? `\n\n${describeKfuncFlags(facts.flags).map((f) => `- ${f}`).join('\n')}` : ''}${dep ? `\n\n**Deprecated:** use ${dep.successor}.` : ''}`,
      insertText: `${name}(${args})`,
      snippet: true,
      sortText: `${dep ? '4' : registered ? '1' : '3'}${name}`,
      deprecated: !!dep,
    });
  }
  if (kfuncItemCache.size > 64) kfuncItemCache.clear();
  const value = { names, items };
  kfuncItemCache.set(key, value);
  return value;
}

function kfuncItems(ctx: PositionContext, index: DocIndex, progType: string | undefined, prefix: string): KnowledgeCompletionItem[] {
  const target = targetKfuncs(ctx.settings);
  const { names, items } = baseKfuncItems(ctx.settings, progType);
  let insertAt: { line: number; character: number } | undefined;
  const out: KnowledgeCompletionItem[] = [];
  for (const name of names) {
    if (prefix && !name.startsWith(prefix)) continue;
    const base = items.get(name)!;
    const proto = target.kfuncs?.get(name);
    if (proto && !index.ksyms.has(name)) {
      insertAt ??= ctx.doc.positionAt(index.declInsertOffset);
      out.push({ ...base, additionalTextEdits: [{ range: { start: insertAt, end: insertAt }, newText: externFor(proto) }] });
    } else out.push(base);
  }
  return out;
}

/** The unclosed '{' before offset and whether it opens an anonymous struct (a map definition). */
function inMapStruct(code: string, offset: number): boolean {
  let depth = 0;
  for (let i = offset - 1, n = 0; i >= 0 && n < 20000; i--, n++) {
    const c = code[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) return /\bstruct\s*$/.test(code.slice(Math.max(0, i - 40), i));
      depth--;
    }
  }
  return false;
}

export function knowledgeCompletions(ctx: PositionContext): KnowledgeCompletionItem[] {
  const { doc } = ctx;
  const offset = doc.offsetAt(ctx.position);
  const index = docIndex(doc);
  const lineStart = doc.offsetAt({ line: ctx.position.line, character: 0 });
  const before = doc.text.slice(lineStart, offset);

  // SEC("<here>
  const sec = /\b(?:SEC|__section)\s*\(\s*"([^"]*)$/.exec(before);
  if (sec) {
    const range = { start: doc.positionAt(offset - sec[1].length), end: ctx.position };
    const items: KnowledgeCompletionItem[] = sectionCompletions().map((s, i) => ({
      label: s.label, kind: 'keyword', detail: s.detail, insertText: s.insert, snippet: true, range, sortText: String(i).padStart(3, '0'),
    }));
    for (const [name, what] of Object.entries(DATA_SECTIONS)) items.push({ label: name, kind: 'keyword', detail: what, range, sortText: `9${name}` });
    return items;
  }
  const wm = /([A-Za-z_]\w*)$/.exec(before);
  const prefix = wm ? wm[1] : '';
  const wordRange = { start: doc.positionAt(offset - prefix.length), end: ctx.position };
  if (index.code.slice(offset - prefix.length, offset) !== prefix) return []; // in a comment or string

  // __uint(type, <here>  or  BPF_MAP_TYPE_<here>
  if (/__uint\s*\(\s*type\s*,\s*\w*$/.test(before) || prefix.startsWith('BPF_MAP_TYPE')) {
    return allMapTypes().map((t) => ({
      label: t.name, kind: 'enumMember', detail: `${t.summary} (since ${t.since})`, documentation: mapTypeMarkdown(t), range: wordRange,
      deprecated: !!t.deprecated, sortText: `${t.deprecated ? '2' : '1'}${String(t.id).padStart(2, '0')}`,
    }));
  }
  // Fields of a BTF-defined map
  if (/^\s*\w*$/.test(before) && inMapStruct(index.code, offset)) {
    return MAP_FIELDS.map((f) => ({
      label: f.name, kind: 'field', detail: f.form.replace(/\$\{\d+:?([^}]*)\}/g, '$1'), documentation: f.doc,
      insertText: `${f.form};`, snippet: true, range: wordRange, filterText: f.name,
    }));
  }
  if (!prefix) return [];
  const { progType } = enclosingProgType(index, offset);
  const docs = helperDocs(ctx.settings);
  const target = targetKfuncs(ctx.settings);
  const key = `${prefix}\0${progType ?? ''}\0${doc.positionAt(index.declInsertOffset).line}\0${ksymsKey(index)}\0${docs.sources.map((x) => x.file).join(',')}\0${target.file}\0${target.kfuncs?.size ?? -1}`;
  const cached = completionCache.get(key);
  if (cached) return cached;
  const result = identifierCompletions(ctx, index, progType, prefix);
  if (completionCache.size > 128) completionCache.clear();
  completionCache.set(key, result);
  return result;
}

const completionCache = new Map<string, KnowledgeCompletionItem[]>();
const ksymsKeys = new WeakMap<DocIndex, string>();
function ksymsKey(index: DocIndex): string {
  let k = ksymsKeys.get(index);
  if (k === undefined) ksymsKeys.set(index, (k = [...index.ksyms].sort().join(',')));
  return k;
}

function identifierCompletions(ctx: PositionContext, index: DocIndex, progType: string | undefined, prefix: string): KnowledgeCompletionItem[] {
  // Helper and kfunc items replace the word at the cursor (the client's default): no range, so the
  // cached items are returned as they are.
  const items: KnowledgeCompletionItem[] = [];
  if ('bpf_'.startsWith(prefix.slice(0, 4)) || prefix.startsWith('bpf_')) {
    for (const it of helperItems(ctx.settings, progType)) if (it.label.startsWith(prefix)) items.push(it);
  }
  for (const it of kfuncItems(ctx, index, progType, prefix)) items.push(it);
  return items;
}

// ---------------------------------------------------------------------------------------------
// Signature help

/** The call around offset: callee name and the index of the argument the cursor is in. */
export function callAt(code: string, offset: number): { name: string; argIndex: number } | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = offset - 1, n = 0; i >= 0 && n < 4000; i--, n++) {
    const c = code[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        if (c !== '(') return undefined;
        const m = /([A-Za-z_]\w*)\s*$/.exec(code.slice(Math.max(0, i - 200), i));
        return m ? { name: m[1], argIndex: commas } : undefined;
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
    else if (c === ';' && depth === 0) return undefined;
  }
  return undefined;
}

function signatureFrom(label: string, params: string[], docs: (string | undefined)[], documentation?: string): SignatureInformation {
  const open = label.indexOf('(');
  let at = open + 1;
  const parameters = params.map((p, i) => {
    const s = label.indexOf(p, at);
    const range: [number, number] = s >= 0 ? [s, s + p.length] : [at, at];
    if (s >= 0) at = s + p.length;
    return { label: range, documentation: docs[i] };
  });
  return { label, documentation, parameters };
}

function splitParams(proto: string): string[] {
  const open = proto.indexOf('(');
  const close = proto.lastIndexOf(')');
  if (open < 0 || close < open) return [];
  const inner = proto.slice(open + 1, close);
  if (!inner.trim() || inner.trim() === 'void') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of inner) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function knowledgeSignatureHelp(ctx: PositionContext): SignatureHelp | undefined {
  const { doc, settings } = ctx;
  const offset = doc.offsetAt(ctx.position);
  const index = docIndex(doc);
  const call = callAt(index.code, offset);
  if (!call) return undefined;
  const h = call.name.startsWith('bpf_') ? helperByName(call.name) : undefined;
  if (h) {
    const label = helperSignature(h, settings);
    const params = splitParams(label);
    const doc = helperDocs(settings).docs.get(h.name);
    const sig = signatureFrom(label, params, h.args.map((a) => `${describeArgKind(a)} (\`${a.kind}\`)`),
      `${doc ? doc.description : ''}${h.gplOnly ? '\n\nGPL-only.' : ''}`.trim() || undefined);
    return { signatures: [sig], activeSignature: 0, activeParameter: Math.min(call.argIndex, Math.max(0, params.length - 1)) };
  }
  const proto = targetKfuncs(settings).kfuncs?.get(call.name);
  if (proto) {
    const params = splitParams(proto.proto);
    const facts = kfuncFacts(call.name);
    const sig = signatureFrom(proto.proto, params, proto.params.map((p) => p.cType),
      `kfunc${facts?.flags.length ? ` (${facts.flags.join(', ')})` : ''}. ${KFUNC_STABILITY_NOTE}`);
    return { signatures: [sig], activeSignature: 0, activeParameter: Math.min(call.argIndex, Math.max(0, params.length - 1)) };
  }
  return undefined;
}
