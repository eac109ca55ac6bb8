/**
 * A document (文书) as an A4 PDF, set in a CJK TrueType font (PDF_FONT_FILE; Debian's
 * fonts-wqy-microhei by default) that pdfkit embeds as a subset of the glyphs used. The words come
 * from document-content.ts, as on the web page; this module only lays them out: the issuer, the
 * title, the number, the body blocks, then the issuer, the date and a seal area (a dashed circle
 * marked as the place for the seal, never a seal).
 *
 * Without the font there is no PDF: pdfkit's built-in fonts have no Chinese glyphs and would
 * print empty boxes, so the font is checked when the API starts (one log line saying what is
 * missing) and the download answers 503 until it is there.
 */
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/log';
import type { Block, Span, TableRow } from './document-content';
import type { DocumentView } from './documents';

/** The font of a WenQuanYi Micro Hei collection (.ttc) that pdfkit takes; a .ttf or .otf has one font only. */
const collectionFont = 'WenQuanYiMicroHei';

/** 中: a font without it cannot set the documents. */
const probeCodePoint = 0x4e2d;

interface FontkitFace { hasGlyphForCodePoint?(codePoint: number): boolean }

function registerFont(doc: PDFKit.PDFDocument, file: string, bytes: Buffer): void {
  const collection = /\.ttc$/i.test(file);
  if (collection) doc.registerFont('zh', bytes, collectionFont);
  else doc.registerFont('zh', bytes);
  doc.font('zh');
}

/** Reads and tries the font; the reason it cannot be used, or the font's bytes. */
export function loadPdfFont(file: string): { bytes: Buffer } | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    return { problem: `PDF_FONT_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); install fonts-wqy-microhei or point PDF_FONT_FILE at a Chinese TrueType font` };
  }
  try {
    const doc = new PDFDocument({ autoFirstPage: false });
    registerFont(doc, file, bytes);
    const face = (doc as unknown as { _font?: { font?: FontkitFace } })._font?.font;
    if (face?.hasGlyphForCodePoint && !face.hasGlyphForCodePoint(probeCodePoint)) {
      return { problem: `PDF_FONT_FILE ${file} has no Chinese glyphs; point it at a Chinese TrueType font such as fonts-wqy-microhei's` };
    }
  } catch (err) {
    return { problem: `PDF_FONT_FILE ${file} is not a font pdfkit can use (${err instanceof Error ? err.message.slice(0, 120) : String(err)}); a collection (.ttc) must hold ${collectionFont}, or give a .ttf/.otf` };
  }
  return { bytes };
}

const unavailable = () => new AppError(503, 'pdf-unavailable', '暂不能生成 PDF 文书',
  '服务器未安装文书所用的中文字体（PDF_FONT_FILE），请联系管理员安装 fonts-wqy-microhei 后重试；在此之前可在文书页面使用“打印”。');

/**
 * The documents' PDF font of one API process: checked once when the API starts (logged when
 * missing), tried again on a request while it is missing, so installing the font needs no restart.
 */
export class PdfFont {
  private bytes: Buffer | undefined;

  constructor(readonly file: string) {
    const loaded = loadPdfFont(file);
    if ('bytes' in loaded) this.bytes = loaded.bytes;
    else log().error({ pdfFontFile: file }, `api: the documents' PDF font is missing, so PDF downloads answer 503 until it is there: ${loaded.problem}`);
  }

  get available(): boolean {
    return this.bytes !== undefined;
  }

  /** The font's bytes, or the 503 problem. */
  use(): Buffer {
    if (!this.bytes) {
      const loaded = loadPdfFont(this.file);
      if (!('bytes' in loaded)) throw unavailable();
      this.bytes = loaded.bytes;
      log().info({ pdfFontFile: this.file }, 'api: the documents\' PDF font is there now; PDF downloads work');
    }
    return this.bytes;
  }
}

// ---- Layout (points; A4 is 595.28 × 841.89)
const margin = { top: 72, bottom: 64, left: 79, right: 74 };
const bodySize = 12;
const lineGap = 5;
const grey = '#555555';

/** A PDF of the document, with the same words as the page. */
export async function documentPdf(v: DocumentView, font: PdfFont): Promise<Buffer> {
  const bytes = font.use();
  const doc = new PDFDocument({
    size: 'A4', margins: margin, lang: 'zh-CN', displayTitle: true, bufferPages: false,
    info: { Title: `${v.title} ${v.number}`, Author: v.issuer.name, Subject: `${v.title}（办件编号 ${v.caseNo}）`, Creator: 'onewindow' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  registerFont(doc, font.file, bytes);
  layout(doc, v);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function layout(doc: PDFKit.PDFDocument, v: DocumentView): void {
  const left = margin.left;
  const width = doc.page.width - margin.left - margin.right;
  const c = v.content;
  // Header: the issuer, the title, the number, the case; a rule under it.
  doc.fillColor('#b00000').fontSize(16).text(v.issuer.name, left, margin.top, { width, align: 'center' });
  doc.moveDown(0.6);
  doc.fillColor('black').fontSize(22).text(v.title, { width, align: 'center', characterSpacing: 2 });
  doc.moveDown(0.4);
  doc.fontSize(bodySize).text(v.number, { width, align: 'center' });
  doc.fillColor(grey).fontSize(10).text(c.caseLine, { width, align: 'center' });
  doc.moveDown(0.5);
  doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(1).strokeColor('#b00000').stroke();
  doc.moveDown(1);
  doc.fillColor('black').strokeColor('black').fontSize(bodySize);
  for (const block of c.blocks) drawBlock(doc, block, left, width);
  drawSignature(doc, v, left, width);
}

function ensureRoom(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > doc.page.height - margin.bottom) doc.addPage();
}

function drawSpans(doc: PDFKit.PDFDocument, spans: Span[], left: number, width: number, indent: number): void {
  spans.forEach((s, i) => {
    const last = i === spans.length - 1;
    const options = { width, lineGap, continued: !last, underline: Boolean(s.underline), stroke: Boolean(s.strong), fill: true, ...(i === 0 ? { indent } : {}) };
    // Bold by a thin outline: the font has one weight.
    doc.lineWidth(s.strong ? 0.35 : 1);
    if (i === 0) doc.text(s.text, left, doc.y, options);
    else doc.text(s.text, options);
  });
  doc.lineWidth(1);
}

function drawBlock(doc: PDFKit.PDFDocument, block: Block, left: number, width: number): void {
  switch (block.kind) {
    case 'paragraph': {
      doc.fontSize(block.small ? 9 : bodySize).fillColor(block.small ? grey : 'black');
      if (block.small) doc.moveDown(0.6);
      ensureRoom(doc, bodySize * 2);
      drawSpans(doc, block.spans, left, width, block.indent ? bodySize * 2 : 0);
      doc.fontSize(bodySize).fillColor('black');
      doc.moveDown(0.3);
      return;
    }
    case 'heading':
      doc.moveDown(0.3);
      ensureRoom(doc, bodySize * 3);
      doc.fontSize(13).text(block.text, left, doc.y, { width, lineGap });
      doc.fontSize(bodySize).moveDown(0.2);
      return;
    case 'list':
      block.items.forEach((item, i) => {
        const label = `${i + 1}.`;
        const textLeft = left + bodySize * 2.5;
        const h = doc.heightOfString(item, { width: width - (textLeft - left), lineGap });
        ensureRoom(doc, Math.min(h, bodySize * 3));
        const y = doc.y;
        doc.text(label, left + bodySize, y, { width: bodySize * 1.5, lineBreak: false });
        doc.text(item, textLeft, y, { width: width - (textLeft - left), lineGap });
      });
      doc.moveDown(0.3);
      return;
    case 'reasons': {
      const pad = 10;
      const innerWidth = width - bodySize * 2 - pad * 2;
      const h = doc.heightOfString(block.text || '—', { width: innerWidth, lineGap }) + pad * 2;
      ensureRoom(doc, Math.min(h, 200));
      const x = left + bodySize * 2;
      const y = doc.y;
      const page = doc.page;
      doc.text(block.text || '—', x + pad, y + pad, { width: innerWidth, lineGap });
      const bottom = doc.y + pad - lineGap;
      // The bar beside the reasons, on the page where they end (long reasons flow on).
      doc.moveTo(x, doc.page === page ? y : margin.top).lineTo(x, bottom).lineWidth(2).strokeColor('#999999').stroke();
      doc.lineWidth(1).strokeColor('black');
      doc.text('', left, bottom + 4, { width });
      doc.moveDown(0.3);
      return;
    }
    case 'table':
      drawTable(doc, block.rows, left, width);
      return;
  }
}

function drawTable(doc: PDFKit.PDFDocument, rows: TableRow[], left: number, width: number): void {
  const labelWidth = 104;
  const pad = 6;
  doc.moveDown(0.3);
  for (const row of rows) {
    const valueWidth = width - labelWidth - pad * 2;
    const h = Math.max(
      doc.heightOfString(row.label, { width: labelWidth - pad * 2, lineGap: 2 }),
      doc.heightOfString(row.value || ' ', { width: valueWidth, lineGap: 2 }),
      row.signLine ? 30 : 0,
    ) + pad * 2;
    ensureRoom(doc, h);
    const y = doc.y;
    doc.rect(left, y, labelWidth, h).rect(left + labelWidth, y, width - labelWidth, h).lineWidth(0.8).strokeColor('#333333').stroke();
    doc.fillColor('black').text(row.label, left + pad, y + pad, { width: labelWidth - pad * 2, lineGap: 2 });
    if (row.value) doc.text(row.value, left + labelWidth + pad, y + pad, { width: valueWidth, lineGap: 2 });
    doc.text('', left, y + h, { width });
  }
  doc.strokeColor('black').lineWidth(1);
  doc.moveDown(0.5);
}

/** The issuer and the date at the right, over a dashed circle that marks where the seal goes. */
function drawSignature(doc: PDFKit.PDFDocument, v: DocumentView, left: number, width: number): void {
  const radius = 42;
  ensureRoom(doc, radius * 2 + 40);
  doc.moveDown(1.5);
  const top = doc.y;
  const blockWidth = 190;
  const x = left + width - blockWidth;
  const cx = x + blockWidth / 2;
  const cy = top + radius;
  doc.save();
  doc.circle(cx, cy, radius).lineWidth(1).dash(3, { space: 3 }).strokeColor('#c04040').stroke();
  doc.restore();
  doc.fillColor('#c04040').fontSize(7).text(v.issuer.name, cx - radius + 10, cy - 22, { width: radius * 2 - 20, align: 'center' });
  doc.fontSize(8).text(v.content.sealText, cx - radius, cy + 2, { width: radius * 2, align: 'center' });
  doc.fillColor('black').fontSize(bodySize);
  doc.text(v.issuer.name, x, top + radius + 18, { width: blockWidth, align: 'center' });
  doc.text(v.content.issuedOn, x, doc.y + 2, { width: blockWidth, align: 'center' });
}
