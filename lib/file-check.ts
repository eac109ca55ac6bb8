/**
 * Uploaded files are checked by parsing, not by their first bytes: a file must be a whole,
 * well-formed file of its type, with nothing before or after it, so a polyglot (a PDF header
 * over HTML, a PNG with a ZIP appended, JPEG magic in front of a web page) is refused.
 *
 * - PDF: `%PDF-1.x`/`%PDF-2.0` header, `startxref` pointing at an xref table or stream, a trailer
 *   (or an xref stream), `%%EOF` at the end; no active or embedded content (`/JavaScript`,
 *   `/JS`, `/EmbeddedFile`, `/Launch`, also `/RichMedia`, `/XFA`), looked for in names with
 *   `#xx` escapes decoded and inside Flate-compressed streams.
 * - PNG: the signature, then chunks with valid CRCs, IHDR first, at least one IDAT, IEND last
 *   and nothing after it.
 * - JPEG: SOI, marker segments, a frame and a scan, EOI at the very end.
 * - Any type: no HTML or script markup.
 *
 * Returns why the content is refused, or undefined when it is acceptable.
 */
import zlib from 'node:zlib';

export type CheckedType = 'application/pdf' | 'image/png' | 'image/jpeg';

export function fileContentProblem(type: CheckedType, data: Buffer): string | undefined {
  const structural = type === 'application/pdf' ? pdfProblem(data) : type === 'image/png' ? pngProblem(data) : jpegProblem(data);
  if (structural) return structural;
  if (type !== 'application/pdf' && hasMarkup(data.toString('latin1'))) return 'the file contains HTML or script markup';
  return undefined;
}

const markup = /<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>/]|iframe[\s>/]|svg[\s>/]|object[\s>/]|embed[\s>/]|meta[\s>/])|javascript:/i;

function hasMarkup(text: string): boolean {
  return markup.test(text);
}

// ---------------------------------------------------------------- PDF

const forbiddenNames = ['/javascript', '/js', '/embeddedfile', '/embeddedfiles', '/launch', '/richmedia', '/xfa'];

/** `/J#61vaScript` is `/JavaScript`: names are compared with their escapes decoded. */
function pdfNames(text: string): string[] {
  return (text.match(/\/[^\s/<>[\](){}%]+/g) ?? []).map((n) => n.replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).toLowerCase());
}

function activeContent(text: string): string | undefined {
  const names = new Set(pdfNames(text));
  return forbiddenNames.find((n) => names.has(n));
}

function pdfProblem(data: Buffer): string | undefined {
  const text = data.toString('latin1');
  if (!/^%PDF-(1\.[0-7]|2\.0)[\r\n]/.test(text)) return 'not a PDF: it does not start with a %PDF-1.x header line';
  const tail = text.slice(-2048);
  if (!/%%EOF[\r\n\s]*$/.test(tail)) return 'not a complete PDF: it does not end with %%EOF (something follows, or it is cut short)';
  const startxref = /startxref\s+([0-9]+)\s+%%EOF[\r\n\s]*$/.exec(tail);
  if (!startxref) return 'not a valid PDF: no startxref before the final %%EOF';
  const offset = Number(startxref[1]);
  if (offset <= 0 || offset >= data.length) return 'not a valid PDF: startxref points outside the file';
  const atXref = text.slice(offset, offset + 64);
  const table = /^xref\s/.test(atXref);
  const stream = /^[0-9]+\s+[0-9]+\s+obj\b/.test(atXref);
  if (!table && !stream) return 'not a valid PDF: startxref does not point at a cross-reference table or stream';
  if (table && !/trailer\s*<</.test(text.slice(offset))) return 'not a valid PDF: the cross-reference table has no trailer';
  if (stream && !/\/Type\s*\/XRef/.test(text.slice(offset, offset + 4096))) return 'not a valid PDF: startxref points at an object that is not a cross-reference stream';
  if (hasMarkup(text.slice(0, 1024))) return 'the file contains HTML or script markup';
  const found = activeContent(text) ?? activeContent(inflatedStreams(data));
  if (found) return `the PDF has active or embedded content (${found.slice(1)}); print it to a plain PDF and upload that`;
  return undefined;
}

/** The text of every Flate stream that inflates, up to 20 MiB in all. */
function inflatedStreams(data: Buffer): string {
  const text = data.toString('latin1');
  const parts: string[] = [];
  let budget = 20 * 1024 * 1024;
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && budget > 0) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    try {
      const out = zlib.inflateSync(data.subarray(start, end), { maxOutputLength: budget });
      budget -= out.length;
      parts.push(out.toString('latin1'));
    } catch {
      // not Flate, or not whole: scanned as it is
    }
    re.lastIndex = end;
  }
  return parts.join('\n');
}

// ---------------------------------------------------------------- PNG

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngProblem(data: Buffer): string | undefined {
  if (data.length < 8 || !data.subarray(0, 8).equals(pngSignature)) return 'not a PNG: the signature is missing';
  let at = 8;
  let first = true;
  let idat = false;
  while (at + 12 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = data.subarray(at + 4, at + 8).toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(type)) return `not a valid PNG: a chunk at byte ${at} has no valid type`;
    const end = at + 12 + length;
    if (length > 0x7fffffff || end > data.length) return `not a valid PNG: the ${type} chunk runs past the end of the file`;
    if (crc32(data.subarray(at + 4, at + 8 + length)) !== data.readUInt32BE(at + 8 + length)) return `not a valid PNG: the ${type} chunk's CRC does not match`;
    if (first && (type !== 'IHDR' || length !== 13)) return 'not a valid PNG: the first chunk is not IHDR';
    first = false;
    if (type === 'IDAT') idat = true;
    at = end;
    if (type === 'IEND') {
      if (!idat) return 'not a valid PNG: no image data (IDAT)';
      if (at !== data.length) return `not a valid PNG: ${data.length - at} byte(s) follow the IEND chunk`;
      return undefined;
    }
  }
  return 'not a valid PNG: it does not end with an IEND chunk';
}

// ---------------------------------------------------------------- JPEG

function jpegProblem(data: Buffer): string | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return 'not a JPEG: the start-of-image marker is missing';
  let at = 2;
  let frame = false;
  let scan = false;
  while (at < data.length) {
    if (data[at] !== 0xff) return `not a valid JPEG: expected a marker at byte ${at}`;
    while (data[at] === 0xff && at < data.length) at++; // fill bytes
    const marker = data[at++];
    if (marker === undefined) break;
    if (marker === 0xd9) {
      if (!frame || !scan) return 'not a valid JPEG: it ends before a frame and a scan';
      if (at !== data.length) return `not a valid JPEG: ${data.length - at} byte(s) follow the end-of-image marker`;
      return undefined;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0x00 || marker === 0xd8) return `not a valid JPEG: unexpected marker 0x${marker.toString(16)} at byte ${at - 1}`;
    if (at + 2 > data.length) break;
    const length = data.readUInt16BE(at);
    if (length < 2 || at + length > data.length) return `not a valid JPEG: the segment at byte ${at - 2} runs past the end of the file`;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) frame = true;
    at += length;
    if (marker === 0xda) {
      scan = true;
      // Entropy-coded data: up to the next marker that is not a stuffed 0x00 or a restart.
      while (at < data.length) {
        if (data[at] === 0xff && at + 1 < data.length && data[at + 1] !== 0x00 && !(data[at + 1] >= 0xd0 && data[at + 1] <= 0xd7) && data[at + 1] !== 0xff) break;
        at++;
      }
    }
  }
  return 'not a valid JPEG: it does not end with an end-of-image marker';
}
