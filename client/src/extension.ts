// VS Code extension entry: starts the bpfls language server. (Filled in by the foundation work.)
export function activate(): void {}
export function deactivate(): void {}
