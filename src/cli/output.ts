/** Where the CLI writes: process.stdout/stderr, or buffers in tests. */
export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Marks `n` more items done. */
  add(n: number): void;
  /** Clears the bar (the command prints its own summary line). */
  done(): void;
}

// Function-typed properties, not methods: commands pass `out.line` and `out.progress` on unbound.
export interface Output {
  /** A line on stdout. */
  line: (text?: string) => void;
  /** A line on stderr (notes and warnings that are not the command's result). */
  note: (text: string) => void;
  /** A value as pretty JSON on stdout (`--json`). */
  json: (value: unknown) => void;
  /** Rows as aligned columns on stdout; `(none)` when empty. */
  table<T>(rows: T[], columns: Array<[header: string, cell: (row: T) => string | number | null]>): void;
  /** A progress bar on stderr while it is a terminal; silent otherwise. */
  progress: (label: string, total: number) => Progress;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 80;

/** Human output: plain lines and tables, a bar on a terminal only (logs and pipes get the summary). */
export function createOutput(stdout: Writable, stderr: Writable, now: () => number = () => performance.now()): Output {
  return {
    line: (text = '') => stdout.write(`${text}\n`),
    note: (text) => stderr.write(`${text}\n`),
    json: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table(rows, columns) {
      if (rows.length === 0) {
        stdout.write('(none)\n');
        return;
      }
      const cells = rows.map((r) => columns.map(([, cell]) => oneLine(cell(r))));
      const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
      const format = (values: string[]) =>
        values
          .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd();
      stdout.write(`${format(columns.map(([h]) => h))}\n${cells.map(format).join('\n')}\n`);
    },
    progress(label, total) {
      if (!stderr.isTTY || total <= 0) return { add: () => undefined, done: () => undefined };
      let done = 0;
      let drawn = -Infinity;
      const draw = () => {
        const share = Math.min(1, done / total);
        const filled = Math.round(share * BAR_WIDTH);
        stderr.write(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${done}/${total}`,
        );
        drawn = now();
      };
      draw();
      return {
        add(n) {
          done += n;
          if (now() - drawn >= REDRAW_MS || done >= total) draw();
        },
        done() {
          stderr.write('\r\x1b[2K');
        },
      };
    },
  };
}

/** Table cells stay on one line: newlines and tabs become spaces, long text is cut. */
function oneLine(value: string | number | null): string {
  const text = value === null ? '-' : String(value).replace(/\s+/g, ' ').trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
