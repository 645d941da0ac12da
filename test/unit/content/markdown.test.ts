import { expect } from 'chai';
import {
  excerpt,
  mentionedHandles,
  referencedArticles,
  renderMarkdown,
} from '../../../server/content/markdown.ts';

describe('markdown rendering', () => {
  it('renders common markdown and demotes headings below the page title', () => {
    const html = renderMarkdown('# Titolo\n\n**grassetto** e _corsivo_\n\n1. uno\n2. due\n\n`codice`');
    expect(html).to.include('<h3>Titolo</h3>');
    expect(html).to.include('<strong>grassetto</strong>');
    expect(html).to.include('<em>corsivo</em>');
    expect(html).to.include('<ol>');
    expect(html).to.include('<code>codice</code>');
  });

  it('never lets raw HTML, scripts or dangerous links through', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](data:text/html,hi)',
    );
    expect(html).to.not.match(/<script|<img|href="javascript|href="data/i);
    expect(html).to.include('&lt;script&gt;');
  });

  it('marks outbound links noopener nofollow and keeps internal links plain', () => {
    const html = renderMarkdown('[fuori](https://example.com) e [dentro](/posts/1)');
    expect(html).to.include('<a href="https://example.com" rel="noopener nofollow ugc">fuori</a>');
    expect(html).to.include('<a href="/posts/1">dentro</a>');
  });

  it('shows only pictures uploaded to Passaparola', () => {
    const ok = renderMarkdown('![a](/attachments/0123456789abcdef01234567/a.png)');
    expect(ok).to.include('<img src="/attachments/0123456789abcdef01234567/a.png" alt="a" />');
    expect(renderMarkdown('![b](https://evil.example/track.png)')).to.not.include('<img');
    expect(renderMarkdown('![c](/attachments/../../etc/passwd)')).to.not.include('<img');
  });

  it('links known @handles and KB references, not unknown ones, never inside code or links', () => {
    const html = renderMarkdown(
      'Chiedi a @marco.bianchi o @nessuno; vedi KB-12 e KB-99. `@marco.bianchi` [@marco.bianchi](/x)',
      {
        mentions: new Map([['marco.bianchi', { id: 'abc123', displayName: 'Marco Bianchi' }]]),
        articles: new Map([[12, { url: '/kb/12', title: 'Doppio addebito' }]]),
      },
    );
    expect(html).to.include(
      '<a href="/people/abc123" class="mention" title="Marco Bianchi">@marco.bianchi</a>',
    );
    expect(html).to.include('@nessuno');
    expect(html).to.include('<a href="/kb/12" class="kb-ref" title="Doppio addebito">KB-12</a>');
    expect(html).to.include('KB-99');
    expect(html).to.include('<code>@marco.bianchi</code>');
    expect(html.match(/class="mention"/g)).to.have.length(1);
  });

  it('finds mentions and references, ignoring e-mail addresses and code', () => {
    expect(mentionedHandles('ciao @sara.colombo, scrivi a x@aurora.example e `@non.io`')).to.deep.equal([
      'sara.colombo',
    ]);
    expect(referencedArticles('vedi KB-7 e KB-007 e kb-8')).to.deep.equal([7]);
  });

  it('makes plain-text excerpts', () => {
    expect(excerpt('**Cliente** con _doppio_ addebito. [Vedi](http://x)')).to.equal(
      'Cliente con doppio addebito. Vedi',
    );
    const long = excerpt('parola '.repeat(100), 50);
    expect(long.length).to.be.at.most(51);
    expect(long.endsWith('…')).to.equal(true);
  });
});
