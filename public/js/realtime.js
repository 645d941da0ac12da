// Live pages. On pages of signed-in people (views/partials/realtime-config.hbs
// marks them) this opens one socket, joins the rooms the page declares, and
// applies what the server's realtime bridge sends. Without JavaScript, or
// while offline, pages are simply what the server rendered.
//
// What a page declares (see the README, "Real time and notifications"):
//   data-rt-room="post:<id> topic:<id>"  rooms this page follows (joined on every connection)
//   data-rt-counter="<key>"               its text is the live value of counter <key>
//     data-rt-one/-many/-other="… {count} …"  or that value in a sentence per plural category ({{livePlural}})
//   data-rt-show-when="<key>"             hidden while counter <key> is 0
//   data-rt-feed="<feed>"                 a list of items (children marked data-rt-item="<id>")
//     data-rt-mode="banner"               announce new items with the feed's banner; default "live": insert at once
//     data-rt-insert="append"             where new items go; default "prepend"
//     data-rt-accept="tag tag"            only items carrying one of these tags
//     data-rt-require="tag tag"           only items carrying all of these tags
//   data-rt-banner="<feed>"               the feed's "N new …" button (views/partials/realtime-banner.hbs)
//   data-rt-empty="<feed>"                an empty-state note removed when the first item arrives
//   data-rt-fragment="<key>"              a part of the page replaced by the HTML a refresh message points to
// Every message is also dispatched on `document` as a `realtime:message` event
// ({ detail: { event, payload } }) for feature scripts; the connection state is
// on <html data-realtime="connecting|connected|offline|ended">.

const pageLang = document.documentElement.lang || 'it';
const numbers = new Intl.NumberFormat(pageLang);
const plurals = new Intl.PluralRules(pageLang);
const selector = (attribute, value) => `[${attribute}="${CSS.escape(value)}"]`;

/** The value alone, or in the element's sentence for its plural category (data-rt-one, data-rt-many, data-rt-other). */
function counterText(el, value) {
  const number = numbers.format(value);
  const { rtOne, rtMany, rtOther } = el.dataset;
  if (rtOther === undefined) return number;
  const category = plurals.select(value);
  const sentence = (category === 'one' ? rtOne : category === 'many' ? rtMany : undefined) ?? rtOther;
  return sentence.replace('{count}', number);
}

function applyCounters(values) {
  for (const [key, value] of Object.entries(values ?? {})) {
    for (const el of document.querySelectorAll(selector('data-rt-counter', key))) {
      el.textContent = counterText(el, value);
    }
    for (const el of document.querySelectorAll(selector('data-rt-show-when', key))) el.hidden = !value;
  }
}

// Page scripts that learn a number first hand (the answer to an in-place vote)
// show it the same way: document.dispatchEvent(new CustomEvent('realtime:set-counters', { detail: { key: value } })).
document.addEventListener('realtime:set-counters', (event) => applyCounters(event.detail));

const config = document.querySelector('[data-rt-client]');
if (config) {
  start(config).catch((err) => {
    document.documentElement.dataset.realtime = 'offline';
    console.warn('Live updates are not available:', err);
  });
}

async function start(config) {
  const root = document.documentElement;
  root.dataset.realtime = 'connecting';
  const { io } = await import(config.dataset.rtClient);
  /** Items announced by a feed's banner, waiting for its click. */
  const pending = new Map();
  /** The server's clock at the last resync: items newer than this are fetched after a reconnection. */
  let since = new Date(performance.timeOrigin - 5000).toISOString();

  const socket = io({ withCredentials: true });

  const dispatch = (event, payload) =>
    document.dispatchEvent(new CustomEvent('realtime:message', { detail: { event, payload } }));

  async function fetchFragment(url) {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    // Gone, or no longer visible to this person: nothing to show.
    if (!res.ok) return null;
    const template = document.createElement('template');
    template.innerHTML = (await res.text()).trim();
    return template.content.firstElementChild;
  }

  async function insertItems(feed, items) {
    const elements = await Promise.all(items.map((item) => fetchFragment(item.url)));
    const append = feed.dataset.rtInsert === 'append';
    const inserted = [];
    elements.forEach((element, i) => {
      if (!element) return;
      feed.querySelector(selector('data-rt-item', items[i].id))?.remove();
      if (append) feed.append(element);
      else feed.prepend(element);
      inserted.push(element);
    });
    if (inserted.length > 0) document.querySelector(selector('data-rt-empty', feed.dataset.rtFeed))?.remove();
    return inserted;
  }

  function bannerOf(feed) {
    return document.querySelector(selector('data-rt-banner', feed.dataset.rtFeed));
  }

  function updateBanner(feed) {
    const banner = bannerOf(feed);
    if (!banner) return;
    const count = pending.get(feed)?.size ?? 0;
    banner.hidden = count === 0;
    if (count === 0) return;
    const category = plurals.select(count);
    const text = (category === 'one' ? banner.dataset.one : banner.dataset.other) ?? '{count}';
    banner.textContent = text.replace('{count}', numbers.format(count));
  }

  async function showPending(feed) {
    const items = [...(pending.get(feed)?.values() ?? [])];
    pending.delete(feed);
    updateBanner(feed);
    const inserted = await insertItems(feed, items);
    // The newest is on top: take the reader there.
    const first = feed.dataset.rtInsert === 'append' ? inserted[0] : inserted[inserted.length - 1];
    if (first) {
      first.tabIndex = -1;
      first.focus();
    }
  }

  function receiveItem(item) {
    for (const feed of document.querySelectorAll(selector('data-rt-feed', item.feed))) {
      const tags = item.tags ?? [];
      const accept = (feed.dataset.rtAccept ?? '').split(/\s+/).filter(Boolean);
      if (accept.length > 0 && !tags.some((tag) => accept.includes(tag))) continue;
      const require = (feed.dataset.rtRequire ?? '').split(/\s+/).filter(Boolean);
      if (!require.every((tag) => tags.includes(tag))) continue;
      const shown = feed.querySelector(selector('data-rt-item', item.id));
      if (shown) {
        // Already on the page (a grouped notification, an edited answer): updated in place.
        fetchFragment(item.url).then((element) => element && shown.replaceWith(element));
      } else if (feed.dataset.rtMode === 'banner' && bannerOf(feed)) {
        if (!pending.has(feed)) pending.set(feed, new Map());
        pending.get(feed).set(item.id, item);
        updateBanner(feed);
      } else {
        void insertItems(feed, [item]);
      }
    }
  }

  async function refresh({ key, url }) {
    const parts = document.querySelectorAll(selector('data-rt-fragment', key));
    if (parts.length === 0) return;
    const element = await fetchFragment(url);
    if (!element) return;
    parts.forEach((part, i) => {
      part.replaceWith(i === 0 ? element : element.cloneNode(true));
    });
  }

  for (const banner of document.querySelectorAll('[data-rt-banner]')) {
    banner.addEventListener('click', () => {
      const feed = document.querySelector(selector('data-rt-feed', banner.dataset.rtBanner));
      if (feed) void showPending(feed);
    });
  }

  // On every connection (the first, and each after the network or the server
  // came back): join the page's rooms again, then ask what changed meanwhile.
  socket.on('connect', async () => {
    root.dataset.realtime = 'connected';
    try {
      const rooms = [
        ...new Set(
          [...document.querySelectorAll('[data-rt-room]')].flatMap((el) => el.dataset.rtRoom.split(/\s+/)),
        ),
      ].filter(Boolean);
      if (rooms.length > 0) await socket.timeout(10_000).emitWithAck('rt:join', { rooms });
      const state = await socket.timeout(10_000).emitWithAck('rt:resync', { since });
      if (!state.ok) return;
      applyCounters(state.counters);
      for (const item of state.items ?? []) receiveItem(item);
      since = state.now;
      root.dataset.realtimeSynced = String(Number(root.dataset.realtimeSynced ?? 0) + 1);
    } catch (err) {
      console.warn('Live updates could not resynchronise:', err);
    }
  });
  socket.on('disconnect', (reason) => {
    // The server ends the socket when the session ends: the next page asks to sign in.
    root.dataset.realtime = reason === 'io server disconnect' ? 'ended' : 'offline';
  });
  socket.on('connect_error', () => {
    root.dataset.realtime = socket.active ? 'offline' : 'ended';
  });

  socket.on('rt:counters', (payload) => {
    applyCounters(payload.values);
    dispatch('rt:counters', payload);
  });
  socket.on('rt:item', (payload) => {
    receiveItem(payload);
    dispatch('rt:item', payload);
  });
  socket.on('rt:refresh', (payload) => {
    void refresh(payload);
    dispatch('rt:refresh', payload);
  });
  socket.on('rt:message', (payload) => dispatch('rt:message', payload));
}
