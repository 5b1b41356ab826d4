// The BPF debugger: a Debug Adapter Protocol server over the emulator (see docs/DEBUGGING.md).
export { DebugAdapter } from './adapter';
export { DebugEngine } from './engine';
