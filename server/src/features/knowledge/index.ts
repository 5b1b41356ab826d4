// Registers the knowledge features (helpers, kfuncs, map types, SEC names) with the analysis
// registries: diagnostics on every edit, hover, completion and signature help per request.
//
// Diagnostic codes (severity configurable with bpfls.lints.severity, off with bpfls.lints.disabled):
//   bpfls.kfunc-unstable      information  every kfunc call: kfuncs are not stable UAPI
//   bpfls.kfunc-deprecated    warning      renamed/removed kfuncs and _impl kfuncs, naming the successor
//   bpfls.kfunc-missing       warning      kfunc absent from the target kernel's BTF
//   bpfls.kfunc-prog-type     warning      kfunc set not registered for the section's program type
//   bpfls.kfunc-gpl-only      error        kfunc call under a non-GPL-compatible license
//   bpfls.kfunc-sleepable     error        KF_SLEEPABLE kfunc in a non-sleepable section
//   bpfls.helper-deprecated   warning      deprecated helper, naming the successor (bpf_probe_read[_str]
//                                          calls get bpfls.probe-read from the lint set instead)
//   bpfls.helper-prog-type    error        helper the section's program type cannot call
//   bpfls.helper-prog-type-indirect  warning  the same in a function that such a program calls
//   bpfls.helper-gpl-only     error        GPL-only helper under a non-GPL-compatible license
//   bpfls.helper-sleepable    error        helper that may sleep in a non-sleepable section
//   bpfls.license-missing     warning      programs without SEC("license")
import {
  registerCompletionProvider,
  registerHoverProvider,
  registerSignatureHelpProvider,
  registerSyntaxProvider,
} from '../../analysis/registry';
import { knowledgeFindings } from './diagnostics';
import { knowledgeCompletions, knowledgeHover, knowledgeSignatureHelp } from './editor';

registerSyntaxProvider({
  id: 'knowledge-lints',
  languages: ['c'],
  provideFindings: (ctx) => knowledgeFindings(ctx),
});

registerHoverProvider({
  id: 'knowledge-hover',
  languages: ['c'],
  provideHover: (ctx) => knowledgeHover(ctx),
});

registerCompletionProvider({
  id: 'knowledge-completion',
  languages: ['c'],
  triggerCharacters: ['"', '_'],
  provideCompletions: (ctx) => knowledgeCompletions(ctx),
});

registerSignatureHelpProvider({
  id: 'knowledge-signature',
  languages: ['c'],
  triggerCharacters: ['(', ','],
  provideSignatureHelp: (ctx) => knowledgeSignatureHelp(ctx),
});
