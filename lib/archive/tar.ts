/**
 * A POSIX tar (pax) stream of a few files, for downloading an archive package as one file. Each
 * file gets a pax header with its UTF-8 path, so Chinese file names and long paths come out
 * whole with GNU tar, bsdtar and 7-Zip.
 */

const block = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, type: '0' | 'x', mtime: number): Buffer {
  const h = Buffer.alloc(block, 0);
  // The plain name field holds an ASCII stand-in; the pax record carries the real path.
  h.write(name.replace(/[^\x20-\x7e]/g, '_').slice(0, 99), 0, 'ascii');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((block - (size % block)) % block, 0);

/** One pax record `"<len> path=<value>\n"`, whose length counts its own digits. */
function paxPath(p: string): Buffer {
  const body = ` path=${p}\n`;
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  let len = bodyBytes + 1;
  while (String(len).length + bodyBytes !== len) len = String(len).length + bodyBytes;
  return Buffer.from(`${len}${body}`, 'utf8');
}

/** The tar bytes of `files` under the folder `root`. */
export function tarOf(root: string, files: { path: string; content: Uint8Array }[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const full = `${root}/${f.path}`;
    const pax = paxPath(full);
    parts.push(header(`PaxHeader/${full}`, pax.length, 'x', mtime), pax, padding(pax.length));
    parts.push(header(full, f.content.byteLength, '0', mtime), Buffer.from(f.content), padding(f.content.byteLength));
  }
  parts.push(Buffer.alloc(block * 2, 0));
  return Buffer.concat(parts);
}
