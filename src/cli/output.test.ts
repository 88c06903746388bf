import { describe, expect, it } from 'vitest';
import { createOutput } from './output.js';

function buffers(isTTY: boolean) {
  const out = { text: '', write: (s: string) => (out.text += s) };
  const err = { text: '', isTTY, write: (s: string) => (err.text += s) };
  return { out, err };
}

describe('CLI output', () => {
  it('aligns table columns, keeps cells on one line and shows (none) for no rows', () => {
    const { out, err } = buffers(false);
    const o = createOutput(out, err);
    o.table(
      [
        { a: 'x', b: 'two\nlines' },
        { a: 'longer', b: null },
      ],
      [
        ['A', (r) => r.a],
        ['B', (r) => r.b],
      ],
    );
    o.table([], [['A', () => '']]);
    expect(out.text).toBe('A       B\nx       two lines\nlonger  -\n(none)\n');
  });

  it('draws a progress bar on a terminal only', () => {
    let now = 0;
    const tty = buffers(true);
    const bar = createOutput(tty.out, tty.err, () => now).progress('Importing', 4);
    now = 1000;
    bar.add(2);
    bar.add(2);
    bar.done();
    expect(tty.err.text).toContain('\rImporting [..............................]   0% 0/4');
    expect(tty.err.text).toContain('Importing [###############...............]  50% 2/4');
    expect(tty.err.text).toContain('Importing [##############################] 100% 4/4');
    const pipe = buffers(false);
    const silent = createOutput(pipe.out, pipe.err).progress('Importing', 4);
    silent.add(4);
    silent.done();
    expect(pipe.err.text).toBe('');
  });
});
