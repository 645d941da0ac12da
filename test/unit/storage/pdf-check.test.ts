import { deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { checkPdf } from '../../../server/storage/pdf-check.ts';

/** A PDF whose objects are these bodies (object 1 is the catalog). */
function pdf(...objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  objects.forEach((body, i) => {
    parts.push(Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
    parts.push(Buffer.from('\nendobj\n'));
  });
  parts.push(Buffer.from('trailer\n<< /Root 1 0 R >>\n%%EOF\n'));
  return Buffer.concat(parts);
}

function stream(dictionary: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`),
    data,
    Buffer.from('\nendstream'),
  ]);
}

const CATALOG = '<< /Type /Catalog /Pages 2 0 R >>';

describe('PDF check', () => {
  it('passes a PDF that only draws pages', () => {
    expect(checkPdf(pdf(CATALOG, '<< /Type /Pages /Kids [] /Count 0 >>'))).to.equal('plain');
  });

  it('finds JavaScript and actions in clear, also under escaped names', () => {
    expect(checkPdf(pdf('<< /Type /Catalog /OpenAction 2 0 R >>'))).to.equal('active');
    expect(checkPdf(pdf(CATALOG, '<< /S /JavaScript /JS (app.alert(1)) >>'))).to.equal('active');
    expect(checkPdf(pdf('<< /Type /Catalog /Open#41ction 2 0 R >>'))).to.equal('active');
    expect(checkPdf(pdf(CATALOG, '<< /Type /Page /AA << /O 3 0 R >> >>'))).to.equal('active');
    expect(checkPdf(pdf(CATALOG, '<< /S /Launch /F (cmd.exe) >>'))).to.equal('active');
  });

  it('does not take bytes of page content for keys, even when they spell one', () => {
    const content = Buffer.from('BT /F1 12 Tf (see /JS and /AA) Tj ET /JavaScript endstream /OpenAction');
    expect(checkPdf(pdf(CATALOG, stream('', content)))).to.equal('plain');
    const compressed = deflateSync(Buffer.alloc(200_000, 'page '));
    expect(checkPdf(pdf(CATALOG, stream('/Filter /FlateDecode', compressed)))).to.equal('plain');
  });

  it('reads compressed object streams; refuses those it cannot read', () => {
    const objects = (text: string) =>
      stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', deflateSync(`3 0 ${text}`));
    expect(checkPdf(pdf(CATALOG, objects('<< /Producer (x) >>')))).to.equal('plain');
    expect(checkPdf(pdf(CATALOG, objects('<< /S /JavaScript /JS 4 0 R >>')))).to.equal('active');
    const encrypted = pdf('<< /Type /Catalog /Encrypt 3 0 R >>', objects('<< /Producer (x) >>'));
    expect(checkPdf(encrypted)).to.equal('uncheckable');
    const other = stream('/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode', Buffer.from('xyz'));
    expect(checkPdf(pdf(CATALOG, other))).to.equal('uncheckable');
    const broken = stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', Buffer.from('not zlib'));
    expect(checkPdf(pdf(CATALOG, broken))).to.equal('uncheckable');
  });
});
