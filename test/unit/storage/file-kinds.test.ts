import { expect } from 'chai';
import { extensionOf, isMarkup, namedAsKind } from '../../../server/storage/file-kinds.ts';

describe('file kinds', () => {
  it('takes a name and a declared type that say the kind of the bytes', () => {
    expect(namedAsKind('text', 'note.txt', 'text/plain').ok).to.equal(true);
    expect(namedAsKind('text', 'dati.csv', 'application/vnd.ms-excel').ok).to.equal(true);
    expect(namedAsKind('image', 'foto.JPEG', 'image/jpeg').ok).to.equal(true);
    expect(namedAsKind('image', 'foto.png', 'image/jpeg').ok, 'another picture extension').to.equal(true);
    expect(namedAsKind('audio', 'nota.webm', 'video/webm').ok).to.equal(true);
    expect(namedAsKind('pdf', 'doc.pdf', 'application/octet-stream').ok).to.equal(true);
  });

  it('refuses a name or a declared type of another kind', () => {
    expect(namedAsKind('text', 'invoice.png', 'image/png')).to.deep.equal({ ok: false, reason: 'name' });
    expect(namedAsKind('text', 'note', 'text/plain')).to.deep.equal({ ok: false, reason: 'name' });
    expect(namedAsKind('text', 'note.txt', 'application/octet-stream')).to.deep.equal({
      ok: false,
      reason: 'declared',
    });
    expect(namedAsKind('text', 'page.txt', 'text/html')).to.deep.equal({ ok: false, reason: 'declared' });
    expect(namedAsKind('image', 'foto.txt', 'text/plain')).to.deep.equal({ ok: false, reason: 'name' });
    expect(namedAsKind('pdf', 'doc.pdf', 'text/plain; charset=utf-8')).to.deep.equal({
      ok: false,
      reason: 'declared',
    });
  });

  it('knows extensions and markup', () => {
    expect(extensionOf('a.b.TXT')).to.equal('txt');
    expect(extensionOf('README')).to.equal('');
    expect(isMarkup('\uFEFF  <!DOCTYPE html><p>x')).to.equal(true);
    expect(isMarkup('<svg xmlns="http://www.w3.org/2000/svg"/>')).to.equal(true);
    expect(isMarkup('<?xml version="1.0"?><a/>')).to.equal(true);
    expect(isMarkup('Il cliente ha scritto <ciao> nel modulo')).to.equal(false);
    expect(isMarkup('a < b, b > c')).to.equal(false);
  });
});
