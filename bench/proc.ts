import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A free port on 127.0.0.1, chosen by the operating system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Ends the process (SIGTERM, then SIGKILL after graceMs) and waits for it. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a process whose output goes straight to a log file (file descriptors, never through this
 * process: the bench must not spend CPU on a server's logs). With `handshake`, stdout stays a pipe
 * for firstLine(). Exits before stop() are reported by onExit.
 */
export function startChild(
  command: string,
  args: string[],
  options: SpawnOptions & { logFile: string; handshake?: boolean; onExit?: (code: number | null) => void },
): Child {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, { ...options, stdio: ['pipe', options.handshake ? 'pipe' : log, log] });
  closeSync(log);
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code) => {
    if (!stopping) options.onExit?.(code);
  });
  return {
    process: child,
    pid: child.pid!,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a process to its end with a time limit; resolves with its stdout, rejects with its stderr. */
export function runChild(command: string, args: string[], options: SpawnOptions & { timeoutMs: number; input?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} ended with ${signal ?? code}${signal === 'SIGKILL' ? ` (over ${options.timeoutMs / 1000} s)` : ''}:\n${err.slice(-3000)}`,
          ),
        );
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The first line a child prints on stdout (a JSON handshake), within timeoutMs. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the child printed nothing in time')), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the child ended (${code}) before it was ready`)));
  });
}

/** Polls a URL until it answers 200, for at most timeoutMs. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resident memory of a process in bytes (Linux /proc; VmHWM: the highest since it started), or null. */
export function rssOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every intervalMs; stop() returns the highest value seen. */
export function watchRss(pid: number, intervalMs = 100) {
  let peak = rssOf(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid) ?? 0);
  }, intervalMs);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid) ?? 0);
    },
  };
}
