import type { ParseArgsOptionsConfig } from 'node:util';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';
import type { CliServices } from './context.js';
import type { Output } from './output.js';

/** What a command receives: parsed arguments, output, and the store's services (opened on first use). */
export interface CommandContext {
  config: Config;
  out: Output;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** Opens (and migrates) the database on first call and builds the services lazily. */
  services(): Promise<CliServices>;
  clock: () => number;
}

/** One owner command, e.g. `products import`; registered in commands/index.ts. */
export interface Command {
  /** One or two words: `<group> <action>`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Arguments and options after the name, e.g. `<file.json|file.csv> [--update]`. */
  usage: string;
  /** Further lines for `--help`: what it does, options, examples. */
  help?: string;
  /** node:util parseArgs options (`--help` is added for every command). */
  options?: ParseArgsOptionsConfig;
  /** How many positional arguments it takes. */
  args: { min: number; max: number };
  run(ctx: CommandContext): Promise<void>;
}

/** Bad arguments or options: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('usage', message, 400);
  }
}

/** A positional or option as a whole number in a range, or a UsageError naming it. */
export function wholeNumber(
  raw: string | boolean | undefined,
  name: string,
  { min = 1, max = 1_000_000 }: { min?: number; max?: number } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}.`);
  }
  return Number(raw);
}

/** A string option, or undefined. */
export const stringOption = (raw: string | boolean | undefined): string | undefined => (typeof raw === 'string' ? raw : undefined);
