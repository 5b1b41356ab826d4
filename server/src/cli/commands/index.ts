// The registry of subcommands, in the order --help lists them.
import type { Command } from '../command';
import { check } from './check';
import { verify } from './verify';
import { run } from './run';
import { asm } from './asm';
import { disasm } from './disasm';
import { lsp } from './lsp';
import { conformancePlugin } from './conformance-plugin';
import { debugAdapter } from './debug';

export const commands: Command[] = [check, verify, run, asm, disasm, lsp, conformancePlugin, debugAdapter];
