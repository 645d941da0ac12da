import { KbArticle } from '../../../models/kb-article.ts';
import { Post } from '../../../models/post.ts';
import { Topic } from '../../../models/topic.ts';
import { openPath, type PageSpec } from '../../helpers/browser.ts';

/** A demo post of this kind: the one with the most activity, so the page shows everything. */
async function demoPost(kind: 'insight' | 'tip' | 'question'): Promise<string> {
  const post = await Post.findOne({ kind, deleted: null })
    .sort(kind === 'question' ? { answerCount: -1 } : { voteScore: -1 })
    .lean();
  if (!post) throw new Error(`no demo ${kind}`);
  return String(post._id);
}

const openDemoPost =
  (kind: 'insight' | 'tip' | 'question', suffix = ''): PageSpec['open'] =>
  async (page, app) => {
    await openPath(page, app, `/posts/${await demoPost(kind)}${suffix}`);
    return undefined;
  };

/** Posts, feeds, topics, search, notifications and the knowledge base. */
export const pages: PageSpec[] = [
  { name: 'feed-all-posts', as: 'operator', path: '/posts', shows: { it: 'Tutti i post', en: 'All posts' } },
  {
    name: 'feed-questions-unanswered',
    as: 'operator',
    path: '/questions?unanswered=1',
    shows: { it: 'Domande', en: 'Questions' },
  },
  { name: 'feed-mine', as: 'operator', path: '/my/posts', shows: { it: 'I miei post', en: 'My posts' } },
  {
    name: 'feed-bookmarks',
    as: 'operator',
    path: '/my/bookmarks',
    shows: { it: 'Post salvati', en: 'Saved posts' },
  },
  {
    name: 'post-insight',
    as: 'operator',
    open: openDemoPost('insight'),
    shows: { it: 'Situazione: di cosa aveva bisogno il cliente', en: 'Situation: what the customer needed' },
  },
  {
    name: 'post-question-with-answers',
    as: 'operator',
    open: openDemoPost('question'),
    shows: { it: 'La tua risposta', en: 'Your answer' },
  },
  {
    name: 'post-close-duplicate',
    as: 'knowledgeManager',
    open: openDemoPost('question', '/duplicate'),
    shows: { it: 'La domanda originale', en: 'The original question' },
  },
  {
    name: 'post-tip',
    as: 'colleague',
    open: openDemoPost('tip'),
    shows: { it: 'Cronologia', en: 'History' },
  },
  {
    name: 'post-history',
    as: 'operator',
    open: openDemoPost('insight', '/history'),
    shows: { it: 'Cronologia delle versioni', en: 'Version history' },
  },
  {
    name: 'post-new-insight',
    as: 'operator',
    path: '/posts/new?kind=insight',
    shows: { it: 'Condividi un caso', en: 'Share a case' },
  },
  {
    name: 'post-new-question-errors',
    as: 'operator',
    async open(page, app) {
      await openPath(page, app, '/posts/new?kind=question');
      await page.locator('main form button[type=submit]').last().click();
      await page.locator('#form-errors').waitFor();
      return undefined;
    },
    shows: { it: 'Controlla il modulo', en: 'Please check the form' },
  },
  { name: 'topics-index', as: 'operator', path: '/topics', shows: { it: 'Argomenti', en: 'Topics' } },
  {
    name: 'topic-page',
    as: 'operator',
    async open(page, app) {
      const topic = await Topic.findOne({ parent: null, mergedInto: null }).lean();
      await openPath(page, app, `/topics/${topic?.slug}`);
      return undefined;
    },
    shows: { it: 'Argomenti', en: 'Topics' },
  },
  {
    name: 'search-results',
    as: 'operator',
    path: '/search?q=bolletta',
    shows: { it: 'bolletta', en: 'bolletta' },
  },
  {
    name: 'search-nothing-found',
    as: 'operator',
    path: '/search?q=zzzyxq',
    shows: { it: 'Nessun risultato per', en: 'Nothing found for' },
  },
  {
    name: 'notifications',
    as: 'knowledgeManager',
    path: '/notifications',
    shows: { it: 'Notifiche', en: 'Notifications' },
  },
  {
    name: 'notification-preferences',
    as: 'operator',
    path: '/settings/notifications',
    shows: { it: 'Notifiche', en: 'Notifications' },
  },
  {
    name: 'kb-index',
    as: 'operator',
    path: '/kb',
    shows: { it: 'Base di conoscenza', en: 'Knowledge base' },
  },
  {
    name: 'kb-article',
    as: 'operator',
    async open(page, app) {
      const article = await KbArticle.findOne({ state: 'published' }).sort({ helpfulCount: -1 }).lean();
      await openPath(page, app, `/kb/${article?.number}`);
      return undefined;
    },
    shows: { it: 'Ti è stato utile?', en: 'Was this helpful?' },
  },
  {
    name: 'kb-article-history',
    as: 'knowledgeManager',
    async open(page, app) {
      const article = await KbArticle.findOne({ state: 'published' }).sort({ version: -1 }).lean();
      // The versions table fits whole on a 1366 px laptop (nothing to scroll sideways).
      const size = page.viewportSize();
      await page.setViewportSize({ width: 1366, height: 768 });
      await openPath(page, app, `/kb/${article?.number}/history`);
      const clipped = await page
        .locator('.history-layout .table-wrap')
        .evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
      if (clipped > 0) throw new Error(`the versions table is ${clipped} px wider than its place at 1366 px`);
      if (size) await page.setViewportSize(size);
    },
    shows: { it: 'Cronologia di KB-', en: 'History of KB-' },
  },
  {
    name: 'kb-article-edit',
    as: 'knowledgeManager',
    async open(page, app) {
      const article = await KbArticle.findOne({ state: 'draft' }).lean();
      await openPath(page, app, `/kb/${article?.number}/edit`);
      return undefined;
    },
    shows: { it: 'Salva una nuova versione', en: 'Save a new version' },
  },
  {
    name: 'kb-review-queue',
    as: 'knowledgeManager',
    path: '/kb/queue',
    shows: { it: 'Coda di revisione', en: 'review queue' },
  },
  {
    name: 'moderation-queue',
    as: 'knowledgeManager',
    path: '/moderation',
    shows: { it: 'Coda di moderazione', en: 'Moderation queue' },
  },
];
