import { expect } from 'chai';
import zlib from 'node:zlib';
import { fileContentProblem } from './file-check';
import { sampleJpeg, samplePdf, samplePng } from '../test/sample-files';

const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>', 'latin1');
const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40, 7)]);

describe('uploaded file contents', () => {
  it('when a file is a whole, plain PDF, PNG or JPEG, then it is accepted', () => {
    expect(fileContentProblem('application/pdf', samplePdf())).to.equal(undefined);
    expect(fileContentProblem('application/pdf', samplePdf({ compress: true }))).to.equal(undefined);
    expect(fileContentProblem('image/png', samplePng())).to.equal(undefined);
    expect(fileContentProblem('image/jpeg', sampleJpeg())).to.equal(undefined);
  });

  const refused: [string, 'application/pdf' | 'image/png' | 'image/jpeg', Buffer, RegExp][] = [
    ['a PDF header with HTML inside', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), html]), /%%EOF/],
    ['a PDF header with HTML and a fake ending', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), html, Buffer.from('\nstartxref\n3\n%%EOF\n', 'latin1')]), /cross-reference/],
    ['a PDF with data after %%EOF', 'application/pdf', Buffer.concat([samplePdf(), zip]), /%%EOF/],
    ['a PDF with JavaScript', 'application/pdf', samplePdf({ extra: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ' }), /JavaScript|JS/i],
    ['a PDF with the name escaped (/J#61vaScript)', 'application/pdf', samplePdf({ extra: '/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ' }), /javascript|js/i],
    ['a PDF with a launch action', 'application/pdf', samplePdf({ extra: '/OpenAction << /S /Launch /F (cmd.exe) >> ' }), /launch/i],
    ['a PDF with an embedded file', 'application/pdf', samplePdf({ extra: '/Names << /EmbeddedFiles << /Names [] >> >> ' }), /embeddedfile/i],
    ['a PDF hiding JavaScript in a compressed stream', 'application/pdf', samplePdf({ compress: true, streamText: '<< /S /JavaScript /JS (x) >>' }), /javascript|js/i],
    ['a PNG with a ZIP appended', 'image/png', Buffer.concat([samplePng(), zip]), /follow the IEND/],
    ['a PNG signature over random bytes', 'image/png', Buffer.concat([samplePng().subarray(0, 8), Buffer.alloc(200, 0x41)]), /PNG/],
    ['a PNG with a corrupted chunk', 'image/png', (() => { const b = samplePng(); b[20] ^= 0xff; return b; })(), /CRC/],
    ['JPEG magic followed by HTML', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), html]), /JPEG/],
    ['a JPEG with HTML in a comment', 'image/jpeg', (() => {
      const j = sampleJpeg();
      const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, html.length + 2]), html]);
      return Buffer.concat([j.subarray(0, 2), com, j.subarray(2)]);
    })(), /markup/],
    ['a JPEG with a ZIP after the end', 'image/jpeg', Buffer.concat([sampleJpeg(), zip]), /follow the end-of-image/],
  ];
  for (const [what, type, data, message] of refused) {
    it(`when given ${what}, then it is refused`, () => {
      expect(fileContentProblem(type, data)).to.match(message);
    });
  }

  it('when a compressed stream is a bomb, then inflating stops at the budget', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const pdf = samplePdf({ streamText: bomb.toString('latin1') });
    expect(fileContentProblem('application/pdf', pdf)).to.equal(undefined);
  });
});
