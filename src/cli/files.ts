import { readFile } from 'node:fs/promises';
import { AppError } from '../platform/errors.js';

/** A text file the owner named, or a clear error (missing, a directory, unreadable). */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new AppError('cannot_read_file', `Cannot read ${path}: ${why}.`);
  }
}
