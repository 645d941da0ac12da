// "Search first": under a question title being typed, similar questions and
// KB articles. Mark the input with data-search-similar="<id>" where <id> is a
// box rendered by views/partials/similar-suggestions.hbs (default id
// "similar-suggestions"); the box is filled from GET /api/search/similar.
// Without JavaScript the form's "check similar" button shows the same list.

const DELAY_MS = 250;
const MIN_CHARS = 3;

function isSameSitePath(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//');
}

function renderItem(item) {
  const li = document.createElement('li');
  const badge = document.createElement('span');
  badge.className = `badge kind-${item.kind}`;
  badge.textContent = item.kindLabel;
  const link = document.createElement('a');
  link.className = 'similar-title';
  if (isSameSitePath(item.url)) link.href = item.url;
  link.target = '_blank';
  link.rel = 'noopener';
  for (const part of item.titleParts ?? [{ text: item.title, mark: false }]) {
    if (part.mark) {
      const mark = document.createElement('mark');
      mark.textContent = part.text;
      link.append(mark);
    } else {
      link.append(document.createTextNode(part.text));
    }
  }
  li.append(badge, link);
  return li;
}

for (const input of document.querySelectorAll('[data-search-similar]')) {
  const box = document.getElementById(input.dataset.searchSimilar || 'similar-suggestions');
  const list = box?.querySelector('[data-similar-list]');
  if (!box || !list) continue;
  const none = box.querySelector('[data-similar-none]');
  const hint = box.querySelector('[data-similar-hint]');
  let timer;
  let controller;
  let last = '';

  const show = (items) => {
    list.replaceChildren(...items.map(renderItem));
    if (none) none.hidden = items.length > 0;
    if (hint) hint.hidden = items.length === 0;
    box.hidden = false;
  };

  const lookUp = async () => {
    const query = input.value;
    if (query.trim().length < MIN_CHARS) {
      controller?.abort();
      last = '';
      box.hidden = true;
      return;
    }
    if (query === last) return;
    last = query;
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`/api/search/similar?q=${encodeURIComponent(query)}`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!response.ok) return;
      const data = await response.json();
      if (input.value === query) show(Array.isArray(data.items) ? data.items : []);
    } catch (error) {
      if (error.name !== 'AbortError') last = '';
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DELAY_MS);
  });
}
