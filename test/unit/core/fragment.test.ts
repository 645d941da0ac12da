import { expect } from 'chai';
import Handlebars from 'handlebars';
import type { AssetManifest } from '../../../server/core/assets.ts';
import { createViewHelpers } from '../../../server/core/view-helpers.ts';

describe('fragments rendered once', () => {
  const hbs = Handlebars.create();
  hbs.registerHelper(createViewHelpers({} as AssetManifest) as never);
  let renders = 0;
  hbs.registerHelper('counted', () => {
    renders += 1;
    return '';
  });
  const card = hbs.compile(
    '{{#fragment at=createdAt}}{{counted}}<b>{{title}}</b> {{relativeTime createdAt}}{{/fragment}}',
  );
  const now = Date.now();

  it('renders a block once per context and language, then gives it from memory', () => {
    const post = { id: 'a1', title: 'Addebito <doppio>', createdAt: new Date(now - 3 * 3600_000) };
    renders = 0;
    const first = card(post, { data: { root: { lang: 'it' } } } as never);
    const again = card({ ...post }, { data: { root: { lang: 'it' } } } as never);
    expect(first).to.equal('<b>Addebito &lt;doppio&gt;</b> 3 ore fa');
    expect(again).to.equal(first);
    expect(renders).to.equal(1);
    expect(card(post, { data: { root: { lang: 'en' } } } as never)).to.equal(
      '<b>Addebito &lt;doppio&gt;</b> 3 hours ago',
    );
    expect(renders).to.equal(2);
  });

  it('renders again when anything of its context or the relative time changes', () => {
    renders = 0;
    const at = new Date(now - 2 * 3600_000);
    card({ id: 'b1', title: 'One', createdAt: at }, { data: { root: { lang: 'en' } } } as never);
    expect(
      card({ id: 'b1', title: 'One, edited', createdAt: at }, { data: { root: { lang: 'en' } } } as never),
    ).to.include('One, edited');
    expect(
      card({ id: 'b1', title: 'One', createdAt: new Date(now - 5 * 3600_000) }, {
        data: { root: { lang: 'en' } },
      } as never),
    ).to.include('5 hours ago');
    expect(renders).to.equal(3);
  });
});
