import { describe, expect, it } from 'vitest';
import { attachmentDisposition, checkStorageKey, keySafeName } from './storage.js';

describe('storage keys', () => {
  it('accepts relative, slash-separated keys of plain names', () => {
    for (const key of ['a', 'products/12/0123abcd-Inkwell-Brush-Pack.zip', 'x_y/z-1.2.3.tar.gz']) expect(checkStorageKey(key)).toBe(key);
  });

  it.each([
    ['', 'empty'],
    ['../etc/passwd', '..'],
    ['products/../../etc/passwd', '..'],
    ['products/./a', '.'],
    ['products/..', '..'],
    ['/etc/passwd', 'absolute'],
    ['\\\\server\\share', 'absolute'],
    ['C:/Windows/win.ini', 'absolute'],
    ['c:evil', 'absolute'],
    ['products\\..\\a', 'backslash'],
    ['products/a\0.zip', 'NUL'],
    ['products//a', 'empty segment'],
    ['products/', 'trailing slash'],
    ['products/.hidden', 'hidden file'],
    ['products/%2e%2e/a', 'percent-encoding'],
    ['products/a b', 'space'],
    ['products/ä', 'non-ASCII'],
    ['products/a\nb', 'line break'],
    ['a'.repeat(501), 'too long'],
  ])('refuses %j (%s)', (key) => {
    expect(() => checkStorageKey(key)).toThrow(expect.objectContaining({ code: 'invalid_storage_key', status: 400 }));
  });

  it('turns any file name into a safe last segment', () => {
    expect(keySafeName('Inkwell Brush Pack (v2).zip')).toBe('Inkwell-Brush-Pack-v2-.zip');
    expect(keySafeName('../../etc/passwd')).toBe('etc-passwd');
    expect(keySafeName('Café Ünïcode.pdf')).toBe('Cafe-Unicode.pdf');
    expect(keySafeName('日本語')).toBe('file');
    expect(keySafeName('.env')).toBe('env');
    for (const name of ['a/b', '..', '\0', 'x'.repeat(400), ' ']) expect(() => checkStorageKey(`p/${keySafeName(name)}`)).not.toThrow();
  });
});

describe('Content-Disposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(attachmentDisposition('Café "Ünïcode"; x.zip')).toBe(
      `attachment; filename="Cafe _Unicode__ x.zip"; filename*=UTF-8''Caf%C3%A9%20%22%C3%9Cn%C3%AFcode%22%3B%20x.zip`,
    );
    expect(attachmentDisposition("it's (final)*.zip")).toBe(
      `attachment; filename="it's (final)*.zip"; filename*=UTF-8''it%27s%20%28final%29%2A.zip`,
    );
  });

  it('cannot be broken by line breaks, slashes, percent signs or empty names', () => {
    const header = attachmentDisposition('a\r\nSet-Cookie: x=1/..\\%41.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe(`attachment; filename="aSet-Cookie: x=1_..__41.txt"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1%2F..%5C%2541.txt`);
    expect(attachmentDisposition('   ')).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
    // Every byte is printable ASCII, so Node accepts it as a header value.
    expect(attachmentDisposition('日本語のファイル.pdf')).toMatch(/^[\x20-\x7e]+$/);
  });
});
