// Out-of-tree providers: BPFLS_PLUGINS=/abs/a.js:/abs/b.js loads CommonJS modules that export
// `activate(api)`, where `api` holds the register* functions of ./registry.ts. The server, its
// analysis worker and `bpfls check` all load them, so protocol tests (and experiments) can add
// providers to a bundled server. Only the environment names plugins: never workspace settings.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as registry from './registry';

export type PluginApi = Pick<typeof registry,
  'registerSyntaxProvider' | 'registerObjectProvider' | 'registerObjectBuilder' | 'registerHoverProvider' |
  'registerCompletionProvider' | 'registerSignatureHelpProvider' | 'registerCodeActionProvider' | 'registerCodeLensProvider' |
  'registerCommand'>;

let loaded = false;

/** Loads the plugins named by BPFLS_PLUGINS once per thread; returns the errors (one line each). */
export function loadExternalPlugins(env: NodeJS.ProcessEnv = process.env): string[] {
  if (loaded) return [];
  loaded = true;
  const errors: string[] = [];
  const req = createRequire(__filename);
  for (const p of (env.BPFLS_PLUGINS ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      const mod = req(path.resolve(p)) as { activate?: (api: PluginApi) => void };
      if (typeof mod.activate !== 'function') throw new Error('exports no activate(api) function');
      mod.activate(registry);
    } catch (e) {
      errors.push(`bpfls: plugin ${p} failed to load: ${(e as Error).message}`);
    }
  }
  return errors;
}
