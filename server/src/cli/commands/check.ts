// bpfls check: every diagnostic the editor would show, for files on disk, through the same
// pipeline (syntax providers, clang, object providers). Optionally applies the safe fixes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, parseArgs, readSourceFile, UsageError, type Command } from '../command';
import '../../analysis/plugins';
import { loadExternalPlugins } from '../../analysis/external';
import { analyzeText, languageForPath } from '../../analysis/analyze';
import { applyEdits, safeFixes, setPipelineLogger } from '../../analysis/pipeline';
import { defaultSettings, type BpflsSettings } from '../../analysis/settings';
import { neverCancelled, type Finding } from '../../analysis/types';
import { cParser } from '../../parse/parser';
import { findClang } from '../../toolchain/clang';
import { targetBtfProblem } from '../../toolchain/target-btf';

const USAGE = `usage: bpfls check FILE... [options]

Reports every diagnostic the editor would show for each BPF C (.bpf.c, .c, .h) or BPF assembly
(.s, .S, .asm) file: syntax errors, lints, clang's errors and warnings, and the findings of the
analyses that run on the compiled object (verifier, emulator).

options:
  --format text|json|sarif   output format (default text)
  --fix                      apply the fixes marked safe, rewrite the files, report what remains
  -I DIR, --include DIR      extra include directory (repeatable)
  --cflag FLAG               extra clang flag (repeatable)
  --clang PATH               clang to use (also: BPFLS_CLANG)
  --target-btf FILE          target kernel BTF (default /sys/kernel/btf/vmlinux)
  --disable CODE             hide findings with this code (repeatable)
  --no-compile               syntax checks only (no clang, no object analyses)
  --no-verify                do not run the verifier on the compiled object
  --no-run                   do not run programs in the emulator
  --verbose                  print the clang command lines

exit status: 0 no errors, 1 errors found, 2 usage or environment error (missing file, no clang)`;

interface FileReport {
  file: string;
  findings: Finding[];
  fixed: number;
}

const MAX_FIX_ROUNDS = 3;

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

function formatText(reports: FileReport[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const r of reports) {
    if (r.fixed) lines.push(`${rel(r.file)}: applied ${r.fixed} fix${r.fixed === 1 ? '' : 'es'}`);
    for (const f of r.findings) {
      if (f.severity === 'error') errors++;
      if (f.severity === 'warning') warnings++;
      lines.push(`${rel(r.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message} [${f.code}]`);
      for (const rel2 of f.related ?? []) {
        const where = rel2.uri ? decodeURIComponent(rel2.uri.replace(/^file:\/\//, '')) : r.file;
        lines.push(`  ${rel(where)}:${rel2.range.start.line + 1}:${rel2.range.start.character + 1}: note: ${rel2.message}`);
      }
    }
  }
  const n = reports.reduce((a, r) => a + r.findings.length, 0);
  lines.push(n === 0 ? `${reports.length} file${reports.length === 1 ? '' : 's'} checked: no problems` :
    `${reports.length} file${reports.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${n - errors - warnings} other`);
  return lines.join('\n');
}

function jsonFinding(file: string, f: Finding) {
  return {
    file: rel(file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    code: f.code,
    source: f.source,
    message: f.message,
    ...(f.related?.length ? {
      related: f.related.map((r) => ({
        file: r.uri ? rel(decodeURIComponent(r.uri.replace(/^file:\/\//, ''))) : rel(file),
        line: r.range.start.line + 1, column: r.range.start.character + 1, message: r.message,
      })),
    } : {}),
  };
}

function formatSarif(reports: FileReport[]): string {
  const rules = new Set<string>();
  const results = reports.flatMap((r) => r.findings.map((f) => {
    rules.add(f.code);
    const region = {
      startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1,
      endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1,
    };
    return {
      ruleId: f.code,
      level: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note',
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: rel(r.file) }, region } }],
      ...(f.related?.length ? {
        relatedLocations: f.related.map((x, i) => ({
          id: i,
          message: { text: x.message },
          physicalLocation: {
            artifactLocation: { uri: x.uri ? rel(decodeURIComponent(x.uri.replace(/^file:\/\//, ''))) : rel(r.file) },
            region: { startLine: x.range.start.line + 1, startColumn: x.range.start.character + 1 },
          },
        })),
      } : {}),
    };
  }));
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'bpfls', version: '0.1.0', rules: [...rules].sort().map((id) => ({ id })) } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  }, null, 2);
}

export const check: Command = {
  name: 'check',
  summary: 'report every diagnostic the editor would show (syntax, clang, verifier)',
  usage: USAGE,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, {
      strings: ['format', 'clang', 'target-btf'],
      booleans: ['fix', 'no-compile', 'no-verify', 'no-run', 'verbose'],
      multi: ['I', 'include', 'cflag', 'disable'],
    });
    const format = (flags.format as string | undefined) ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown --format '${format}' (text, json or sarif)`);
    if (positionals.length === 0) throw new UsageError('no files given');
    // every file is read before any is analyzed: one unreadable name fails the run at once
    const texts = new Map<string, string>();
    let unreadable = false;
    for (const f of positionals) {
      try { texts.set(f, readSourceFile(f)); } catch (e) {
        if (!(e instanceof InputError)) throw e;
        process.stderr.write(`bpfls check: ${e.message}\n`);
        unreadable = true;
      }
    }
    if (unreadable) return 2;
    if (flags.clang !== undefined) process.env.BPFLS_CLANG = flags.clang as string;
    // a wrong --clang or --target-btf would only show as missing findings: refuse it up front
    if (flags.clang !== undefined && !flags['no-compile']) {
      const found = await findClang({ trusted: true });
      if (!found.ok) {
        const why = found.message.replace(/^BPFLS_CLANG /, '').replace(/: install clang-19 .*$/, '');
        process.stderr.write(`bpfls check: --clang ${why}: pass the path of a clang with the BPF target (e.g. /usr/bin/clang-19)\n`);
        return 2;
      }
    }
    const btfProblem = flags['target-btf'] !== undefined ? targetBtfProblem(flags['target-btf'] as string) : undefined;
    if (btfProblem) {
      process.stderr.write(`bpfls check: --target-btf ${flags['target-btf']} ${btfProblem}\n`);
      return 2;
    }
    const settings: BpflsSettings = {
      ...defaultSettings,
      extraIncludePaths: [...((flags.I as string[]) ?? []), ...((flags.include as string[]) ?? [])].map((p) => path.resolve(p)),
      extraFlags: (flags.cflag as string[]) ?? [],
      targetBtf: (flags['target-btf'] as string | undefined) ?? '',
      analyses: { compile: !flags['no-compile'], verify: !flags['no-verify'], run: !flags['no-run'] },
      lints: { disabled: (flags.disable as string[]) ?? [], severity: {} },
      trusted: true,
    };
    // stdout carries the report (JSON, SARIF): a provider's console.log goes to stderr instead.
    console.log = console.info = console.debug = (...a: unknown[]) => console.error(...a);
    for (const e of loadExternalPlugins()) process.stderr.write(`${e}\n`);
    // The native tree-sitter binding is faster for batch work; wasm when it does not load.
    const parser = await cParser('native');
    const log = (m: string) => { if (flags.verbose) process.stderr.write(`${m}\n`); };
    // Provider failures always reach stderr; timing notes only with --verbose.
    setPipelineLogger((m) => { if (flags.verbose || / failed: /.test(m)) process.stderr.write(`${m}\n`); });
    const reports: FileReport[] = [];
    let environmentError = false;
    for (const file of positionals) {
      const filePath = path.resolve(file);
      let text = texts.get(file)!;
      const languageId = languageForPath(filePath);
      let fixed = 0;
      let result = await analyzeText({ filePath, text, languageId, settings, parser, log });
      for (let round = 0; flags.fix && round < MAX_FIX_ROUNDS; round++) {
        const edits = safeFixes(result.ctx, result.findings, neverCancelled);
        if (edits.length === 0) break;
        text = applyEdits(text, edits, (p) => result.ctx.doc.offsetAt(p));
        fs.writeFileSync(filePath, text);
        fixed += edits.length;
        result.dispose();
        result = await analyzeText({ filePath, text, languageId, settings, parser, log });
      }
      const b = result.build;
      if (flags.verbose && b.command) process.stderr.write(`${b.command.join(' ')}\n`);
      if (b.status === 'no-clang') {
        process.stderr.write(`bpfls check: ${b.message}\n`);
        environmentError = true;
      } else if (b.status === 'failed' || b.status === 'timeout') {
        process.stderr.write(`bpfls check: ${rel(filePath)}: ${b.message ?? b.status}\n`);
      }
      reports.push({ file: filePath, findings: result.findings, fixed });
      result.dispose();
    }
    if (format === 'json') {
      process.stdout.write(JSON.stringify(reports.flatMap((r) => r.findings.map((f) => jsonFinding(r.file, f))), null, 2) + '\n');
    } else if (format === 'sarif') {
      process.stdout.write(formatSarif(reports) + '\n');
    } else {
      process.stdout.write(formatText(reports) + '\n');
    }
    if (environmentError) return 2;
    return reports.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
  },
};
