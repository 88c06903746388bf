import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, parseConfig, type Config } from '../platform/config.js';
import { createDatabase, databaseUnavailable, type Database } from '../platform/db/db.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { AppError } from '../platform/errors.js';
import { UsageError, type Command, type CommandContext } from './command.js';
import { commands as registered } from './commands/index.js';
import { createCliServices, type CliServices } from './context.js';
import { createOutput, type Writable } from './output.js';

export interface RunOptions {
  /** The environment to configure from; without it, `.env` under the process environment (as the server does). */
  env?: Record<string, string | undefined>;
  stdout?: Writable;
  stderr?: Writable;
  /** An open, migrated database to use instead of DATABASE_URL (tests); it is not closed. */
  db?: Database;
  clock?: () => number;
  commands?: Command[];
}

const PROGRAM = 'npm run store --';

/** Exit codes: 0 done, 1 failed (the reason on stderr), 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs one owner command; returns the exit code. Expected failures print their message, never a stack. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const out = createOutput(stdout, stderr);
  const commands = options.commands ?? registered;

  const words = argv.slice(0, 2).filter((w) => !w.startsWith('-'));
  const asksHelp = argv.includes('--help') || argv.includes('-h');
  if (words[0] === 'help') return help(words.length > 1 ? argv.slice(1) : [], commands, out.line);
  if (words.length === 0) {
    out.line(overview(commands));
    return asksHelp ? EXIT.ok : EXIT.usage;
  }
  const command = commands.find((c) => c.name === words.join(' ')) ?? commands.find((c) => c.name === words[0]);
  if (!command) {
    const group = commands.filter((c) => c.name.split(' ')[0] === words[0]);
    if (group.length > 0 && (asksHelp || words.length === 1)) {
      (asksHelp ? out.line : out.note)(overview(group));
      return asksHelp ? EXIT.ok : EXIT.usage;
    }
    out.note(`Unknown command "${words.join(' ')}". Run \`${PROGRAM} --help\` to see every command.`);
    return EXIT.usage;
  }

  const rest = argv.slice(command.name.split(' ').length);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
    if (parsed.values.help) {
      out.line(commandHelp(command));
      return EXIT.ok;
    }
    const n = parsed.positionals.length;
    if (n < command.args.min || n > command.args.max)
      throw new UsageError(n < command.args.min ? 'Missing arguments.' : `Unexpected argument "${parsed.positionals[command.args.max]}".`);
  } catch (err) {
    return usageFailure(err, command, out.note);
  }

  let config: Config;
  try {
    config = options.env ? parseConfig(options.env) : loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.note(err.message);
    return EXIT.failed;
  }

  const clock = options.clock ?? Date.now;
  let opened: Database | null = null;
  let services: CliServices | null = null;
  const ctx: CommandContext = {
    config,
    out,
    clock,
    positionals: parsed.positionals,
    values: parsed.values,
    async services() {
      if (services) return services;
      let db = options.db;
      if (!db) {
        opened = createDatabase(config.databaseUrl, { poolSize: 4 });
        await migrateToLatest(opened);
        db = opened;
      }
      services = createCliServices({ config, db, clock });
      return services;
    },
  };
  try {
    await command.run(ctx);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(err, command, out.note);
    // A locked or unreachable database is worth one clear line and a retry, never a stack trace.
    const unavailable = databaseUnavailable(err);
    if (unavailable) {
      out.note(unavailable.message);
      return EXIT.failed;
    }
    if (err instanceof AppError) {
      out.note(err.message);
      const problems = err.details?.problems;
      if (Array.isArray(problems)) for (const p of problems) out.note(`  ${String(p)}`);
      return EXIT.failed;
    }
    out.note(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.failed;
  } finally {
    await (opened as Database | null)?.destroy();
  }
}

function usageFailure(err: unknown, command: Command, note: (text: string) => void): number {
  // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown options and missing values.
  const isParse = err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  if (!(err instanceof UsageError) && !isParse) throw err;
  note(`${err.message}\nUsage: ${PROGRAM} ${command.name} ${command.usage}\nRun \`${PROGRAM} ${command.name} --help\` for details.`);
  return EXIT.usage;
}

function help(words: string[], commands: Command[], print: (text: string) => void): number {
  const name = words.filter((w) => !w.startsWith('-')).join(' ');
  const command = commands.find((c) => c.name === name);
  if (command) print(commandHelp(command));
  else print(overview(name ? commands.filter((c) => c.name.startsWith(`${name} `)) : commands));
  return EXIT.ok;
}

/** `--help` of one command. */
export function commandHelp(command: Command): string {
  return [
    `Usage: ${PROGRAM} ${command.name} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    ...(command.help ? ['', command.help.trim()] : []),
  ].join('\n');
}

/** The list of commands with their one-line summaries. */
export function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "The shop owner's commands.",
    '',
    `Usage: ${PROGRAM} <command> [arguments] [--options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's arguments and options.`,
  ].join('\n');
}
