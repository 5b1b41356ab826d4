// Markdown for helpers, kfuncs and map types, shared by hover, completion and signature help.
import type { BpflsSettings } from '../../analysis/settings';
import { isHelperAllowed, describeArgKind, type HelperInfo } from '../../knowledge/helpers';
import { KFUNC_STABILITY_NOTE, KFUNC_PROBED_KERNEL, describeKfuncFlags, kfuncAllowedFor, kfuncFacts, kfuncSince, kfuncDeprecation, type KfuncProto } from '../../knowledge/kfuncs';
import type { MapTypeInfo } from '../../knowledge/maps';
import { PROG_TYPE_NAMES } from '../../bpf/progtypes';
import { helperDocs, targetKfuncs } from './env';

const ALL_PROG_TYPES = PROG_TYPE_NAMES.slice(1).map((n) => n.replace(/^BPF_PROG_TYPE_/, ''));

/** "all program types except X, Y" or a list, with capability notes. */
export function progTypeSummary(h: HelperInfo): string {
  const plain = h.progTypes.filter((p) => !p.requires).map((p) => p.progType);
  const gated = h.progTypes.filter((p) => p.requires);
  const names = new Set(h.progTypes.map((p) => p.progType));
  names.add('EXT'); // freplace programs use their target's helpers
  const missing = ALL_PROG_TYPES.filter((p) => !names.has(p));
  const parts: string[] = [];
  if (missing.length <= 8 && names.size > 8) parts.push(missing.length ? `all program types except ${missing.join(', ')}` : 'all program types');
  else parts.push(plain.length ? plain.join(', ') : '(none without conditions)');
  const byReq = new Map<string, string[]>();
  for (const g of gated) {
    const l = byReq.get(g.requires!) ?? [];
    l.push(g.progType);
    byReq.set(g.requires!, l);
  }
  for (const [req, pts] of byReq) {
    const need = /^CAP_/.test(req) ? `needs ${req}` : req;
    if (missing.length <= 8 && names.size > 8) parts.push(`${need} in ${pts.length > 6 ? `${pts.length} program types (${pts.slice(0, 4).join(', ')}, ...)` : pts.join(', ')}`);
    else parts.push(`${pts.join(', ')} (${need})`);
  }
  return parts.join('; ');
}

export function helperSignature(h: HelperInfo, settings: BpflsSettings): string {
  return helperDocs(settings).docs.get(h.name)?.proto || h.proto || `${h.ret.cType} ${h.name}(${h.args.map((a) => `${a.cType} ${a.name}`).join(', ')})`;
}

export function helperMarkdown(h: HelperInfo, settings: BpflsSettings, progType?: string, section?: string): string {
  const out: string[] = ['```c', `${helperSignature(h, settings)};`, '```'];
  const facts = [`BPF helper #${h.id}`, h.since ? `since Linux ${h.since}` : 'release unknown', h.gplOnly ? '**GPL-only**' : 'not GPL-only'];
  if (h.mightSleep) facts.push('sleepable programs only');
  out.push(facts.join(' · '));
  if (h.deprecated) out.push('', `**Deprecated:** use ${h.deprecated.successors.map((s) => `\`${s}\``).join(' or ')} — ${h.deprecated.reason}.`);
  if (progType) {
    const a = isHelperAllowed(h, progType);
    const where = section ? `SEC("${section}") (BPF_PROG_TYPE_${progType})` : `BPF_PROG_TYPE_${progType}`;
    const cond = a.requires ? (/^CAP_/.test(a.requires) ? ` when the loader has ${a.requires}` : ` — ${a.requires}`) : '';
    out.push('', a.allowed ? `Available in ${where}${cond}.` : `**Not available** in ${where}: the kernel refuses to load the program.`);
  }
  const docs = helperDocs(settings);
  const doc = docs.docs.get(h.name);
  if (doc) {
    out.push('', doc.description);
    if (doc.returns) out.push('', '**Returns**', '', doc.returns);
  }
  if (h.args.length) {
    out.push('', '**Arguments** (as the verifier checks them)');
    for (const a of h.args) out.push(`- \`${a.name}\`: ${describeArgKind(a)} — \`${a.kind}\``);
  }
  out.push('', `**Returns (verifier):** \`${h.ret.kind}\`${h.ret.btfType ? ` (struct ${h.ret.btfType})` : ''}`);
  out.push('', `**Program types:** ${progTypeSummary(h)}`);
  if (doc) out.push('', `_Documentation from ${doc.source}_`);
  else out.push('', `_No documentation found: bpfls reads it from libbpf's bpf/bpf_helper_defs.h or the kernel's linux/bpf.h on the include path (looked in ${docs.searched.slice(0, 4).join(', ')}${docs.searched.length > 4 ? ', ...' : ''}). Install libbpf-dev or linux-libc-dev, or add the directory to bpfls.extraIncludePaths._`);
  return out.join('\n');
}

export function kfuncMarkdown(name: string, proto: KfuncProto | undefined, settings: BpflsSettings, progType?: string): string {
  const facts = kfuncFacts(name);
  const target = targetKfuncs(settings);
  const out: string[] = [];
  if (proto) out.push('```c', `extern ${proto.proto} __ksym;`, '```');
  else out.push(`**${name}** (kfunc)`);
  const line = ['kfunc'];
  const since = facts?.since ?? kfuncSince(name);
  line.push(since ? `since Linux ${since}` : 'first release not recorded');
  out.push(line.join(' · '));
  out.push('', `**${KFUNC_STABILITY_NOTE}**`);
  if (target.kfuncs) {
    out.push('', target.kfuncs.has(name) ? `Present in the target kernel's BTF (${target.file}).` : `**Absent** from the target kernel's BTF (${target.file}): loading will fail on that kernel.`);
  } else {
    out.push('', `Target kernel BTF not readable (${target.error}); presence not checked.`);
  }
  const dep = facts?.deprecated ?? kfuncDeprecation(name);
  if (dep) out.push('', `**Deprecated:** use ${dep.successor} — ${dep.reason}${dep.removedIn ? ` (gone after Linux ${dep.removedIn})` : ''}.`);
  if (facts) {
    if (facts.flags.length) {
      out.push('', '**Flags**');
      for (const f of describeKfuncFlags(facts.flags)) out.push(`- ${f}`);
    } else out.push('', 'No KF_* flags: a plain call, arguments checked against the prototype.');
    const pts = facts.progTypes.includes('*') ? 'all program types' : facts.progTypes.join(', ');
    out.push('', `**Program types:** ${pts} (kfunc set \`${facts.set}\`, ${facts.file})`);
    if (facts.newerProgTypes?.length) out.push('', `Newer kernels also allow it in: ${facts.newerProgTypes.join(', ')} (measured on Linux ${KFUNC_PROBED_KERNEL}).`);
    if (progType) {
      const ok = kfuncAllowedFor(name, progType) !== false;
      out.push('', ok ? `Registered for BPF_PROG_TYPE_${progType}.` : `**Not registered** for BPF_PROG_TYPE_${progType}.`);
    }
  } else {
    out.push('', 'KF_* flags and program types: not in bpfls\' table (kfuncs added after Linux 6.12 or outside the tracked sources); the prototype above comes from the target BTF.');
  }
  if (proto?.params.length) {
    out.push('', '**Parameters**');
    for (const p of proto.params) out.push(`- \`${p.name}\`: \`${p.cType}\`${paramSuffixNote(p.name)}`);
  }
  return out.join('\n');
}

/** The verifier reads meaning from kfunc parameter-name suffixes. */
function paramSuffixNote(name: string): string {
  if (name.endsWith('__sz')) return ' — size of the preceding memory argument';
  if (name.endsWith('__szk')) return ' — constant size of the preceding memory argument';
  if (name.endsWith('__k')) return ' — must be a constant';
  if (name.endsWith('__ign')) return ' — ignored by the verifier';
  if (name.endsWith('__uninit')) return ' — may be uninitialized (the kfunc initializes it)';
  if (name.endsWith('__opt')) return ' — may be NULL';
  if (name.endsWith('__nullable')) return ' — may be NULL';
  if (name.endsWith('__str')) return ' — constant string';
  if (name.endsWith('__prog')) return ' — filled in by the verifier';
  if (name.endsWith('__map')) return ' — a map';
  return '';
}

export function mapTypeMarkdown(t: MapTypeInfo): string {
  const out = [`**${t.name}** = ${t.id} · since Linux ${t.since}`, '', t.summary, '', `- key: ${t.key}`, `- value: ${t.value}`, `- max_entries: ${t.maxEntries}`];
  if (t.notes) out.push('', t.notes);
  if (t.deprecated) out.push('', `**Deprecated:** use \`${t.deprecated.successor}\` — ${t.deprecated.reason}.`);
  return out.join('\n');
}
