// Registers the knowledge features (helpers, kfuncs, map types, SEC names) with the analysis
// registries: diagnostics on every edit, hover, completion and signature help per request.
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
