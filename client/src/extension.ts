// VS Code extension entry: starts `bpfls lsp` (dist/bpfls.js) with vscode-languageclient for BPF C
// files matching bpfls.files and for bpf-asm documents, and keeps the server told about settings
// and Workspace Trust without restarting it. Only a change of bpfls.files restarts the client,
// because the document selector is fixed when a client starts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function documentSelector(): DocumentSelector {
  const globs = vscode.workspace.getConfiguration('bpfls').get<string[]>('files') ?? ['**/*.bpf.c', '**/*.bpf.h'];
  return [
    ...globs.map((pattern) => ({ language: 'c', scheme: 'file', pattern })),
    { language: 'bpf-asm' },
  ];
}

/** The bpfls settings as a plain object (what the server's normalizeSettings reads). */
function currentSettings(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('bpfls');
  const out = JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>;
  if (!vscode.workspace.isTrusted) {
    // Only the user's own (machine or user) clangPath counts in an untrusted workspace; the
    // server additionally ignores clangPath while untrusted.
    out.clangPath = cfg.inspect<string>('clangPath')?.globalValue ?? '';
  }
  return out;
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'bpfls.js'));
  const serverOptions: ServerOptions = {
    run: { module, args: ['lsp'], transport: TransportKind.stdio },
    debug: {
      module,
      args: ['lsp'],
      transport: TransportKind.stdio,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    initializationOptions: { settings: currentSettings(), trusted: vscode.workspace.isTrusted },
    synchronize: { configurationSection: 'bpfls' },
    middleware: {
      workspace: {
        // The server pulls settings; answer with the trust-filtered view.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return params.items.map((item, i) => (item.section === 'bpfls' ? currentSettings() : result[i]));
        },
      },
    },
  };
  return new LanguageClient('bpfls', 'bpfls', serverOptions, clientOptions);
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) await old.stop().catch(() => undefined);
  client = createClient(context);
  await client.start();
}

/** Runs `bpfls debug-adapter` for "bpf" launch configurations; debugging compiles with clang, so trusted workspaces only. */
class BpfDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('bpfls: debugging BPF programs compiles them with clang; trust this workspace first.');
      return undefined;
    }
    const module = this.context.asAbsolutePath(path.join('dist', 'bpfls.js'));
    // the extension host's own runtime, as plain Node (Electron honours ELECTRON_RUN_AS_NODE)
    return new vscode.DebugAdapterExecutable(process.execPath, [module, 'debug-adapter'], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}

/** F5 without a launch.json: debug the active BPF file; relative paths resolve against the workspace folder. */
class BpfDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || (doc.languageId !== 'c' && doc.languageId !== 'bpf-asm')) return config;
      config = { type: 'bpf', request: 'launch', name: 'Debug BPF program', program: doc.uri.fsPath, stopOnEntry: true };
    }
    if (!config.cwd && folder) config.cwd = folder.uri.fsPath;
    return config;
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('bpfls');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('bpfls.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bpfls.files')) void restart(context);
    }),
    vscode.debug.registerDebugAdapterDescriptorFactory('bpf', new BpfDebugAdapterFactory(context)),
    vscode.debug.registerDebugConfigurationProvider('bpf', new BpfDebugConfigurationProvider()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void client?.sendNotification('bpfls/didChangeTrust', { trusted: true });
    }),
  );
  client = createClient(context);
  await client.start();
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
