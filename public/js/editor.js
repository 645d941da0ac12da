// The writing toolbar around markdown textareas (views/partials/editor.hbs):
// formatting buttons and shortcuts, a preview rendered by the server's own
// pipeline (POST /api/editor/preview), suggestions after "@" (colleagues) and
// "KB-" (articles), pictures pasted, dropped or chosen into the text
// (POST /api/editor/images), and drafts kept in this browser while typing, so a
// reload never loses text. The citation picker of an answer becomes a search.
// Without JavaScript every textarea and select works as it is.

const DRAFT_DAYS = 14;
const SUGGEST_DELAY_MS = 150;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
let uid = 0;

function fill(template, values) {
  return (template ?? '').replace(/%(\w+)/g, (all, key) => (key in values ? String(values[key]) : all));
}

function csrfOf(form) {
  return form?.querySelector('input[name="_csrf"]')?.value ?? '';
}

async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

/** Replaces the selection (or the range given) with `text`, keeping the browser's undo history. */
function insert(area, text, from = area.selectionStart, to = area.selectionEnd, select = null) {
  area.focus();
  area.setSelectionRange(from, to);
  const done = document.execCommand?.('insertText', false, text);
  if (!done) {
    area.setRangeText(text, from, to, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }
  if (select) area.setSelectionRange(from + select[0], from + select[1]);
}

/** The lines the selection touches: [start of the first, end of the last]. */
function lineRange(area) {
  const value = area.value;
  const from = value.lastIndexOf('\n', area.selectionStart - 1) + 1;
  let to = value.indexOf('\n', area.selectionEnd);
  if (to === -1 || (area.selectionEnd > area.selectionStart && value[area.selectionEnd - 1] === '\n'))
    to = to === -1 ? value.length : area.selectionEnd - 1;
  return [from, to];
}

function prefixLines(area, prefixOf) {
  const [from, to] = lineRange(area);
  const lines = area.value.slice(from, to).split('\n');
  const out = lines.map((line, i) => `${prefixOf(i)}${line}`).join('\n');
  insert(area, out, from, to, [out.length, out.length]);
}

function wrapSelection(area, before, after, placeholder) {
  const { selectionStart: from, selectionEnd: to } = area;
  const selected = area.value.slice(from, to) || placeholder;
  insert(area, `${before}${selected}${after}`, from, to, [before.length, before.length + selected.length]);
}

const ACTIONS = {
  bold: (area) => wrapSelection(area, '**', '**', ''),
  italic: (area) => wrapSelection(area, '_', '_', ''),
  code: (area) => {
    const selected = area.value.slice(area.selectionStart, area.selectionEnd);
    if (selected.includes('\n')) wrapSelection(area, '```\n', '\n```', '');
    else wrapSelection(area, '`', '`', '');
  },
  link: (area) => {
    const { selectionStart: from, selectionEnd: to } = area;
    const label = area.value.slice(from, to);
    const text = `[${label}](https://)`;
    // With a label, the address is selected to be typed over; without, the caret goes in the brackets.
    insert(area, text, from, to, label ? [label.length + 3, label.length + 11] : [1, 1]);
  },
  heading: (area) => prefixLines(area, () => '### '),
  bullets: (area) => prefixLines(area, () => '- '),
  numbers: (area) => prefixLines(area, (i) => `${i + 1}. `),
  quote: (area) => prefixLines(area, () => '> '),
  mention: (area) => insert(area, needsSpace(area) ? ' @' : '@'),
  article: (area) => insert(area, needsSpace(area) ? ' KB-' : 'KB-'),
};

function needsSpace(area) {
  const before = area.value[area.selectionStart - 1];
  return before !== undefined && !/\s|\(/.test(before);
}

/**
 * A toolbar is one Tab stop (WAI-ARIA toolbar): the arrows, Home and End move
 * between its buttons, and Tab goes on to the text.
 */
function rovingFocus(bar) {
  const items = () =>
    [...bar.querySelectorAll('button, input[type="file"]')].filter((el) => el.offsetParent !== null);
  const focusable = (current) => {
    for (const el of bar.querySelectorAll('button, input[type="file"]'))
      el.tabIndex = el === current ? 0 : -1;
  };
  focusable(items()[0]);
  bar.addEventListener('focusin', (event) => {
    if (event.target.matches('button, input')) focusable(event.target);
  });
  bar.addEventListener('keydown', (event) => {
    const list = items();
    const at = list.indexOf(document.activeElement);
    if (at === -1) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: list.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = list[(next + list.length) % list.length];
    focusable(target);
    target.focus();
  });
}

/** What is being typed at the caret that suggestions can complete. */
function triggerAt(area) {
  if (area.selectionStart !== area.selectionEnd) return null;
  const before = area.value.slice(0, area.selectionStart);
  const mention = /(^|[\s(])@([\p{L}\p{N}._-]{1,40})$/u.exec(before);
  if (mention) {
    const from = before.length - mention[2].length - 1;
    return { kind: 'people', query: mention[2], from, to: area.selectionStart };
  }
  const article = /(^|[^\p{L}\p{N}])KB-(\d{0,7}|\p{L}[\p{L}\p{N}]{0,29})$/iu.exec(before);
  if (article) {
    const from = before.length - article[2].length - 3;
    return { kind: 'articles', query: article[2], from, to: area.selectionStart };
  }
  return null;
}

/**
 * A list of suggestions under a text field: arrows move, Enter or Tab picks,
 * Escape closes; the field keeps the focus (aria-activedescendant).
 */
function suggestionList(field, list, status, onPick) {
  list.id ||= `editor-suggest-${++uid}`;
  field.setAttribute('aria-controls', list.id);
  field.setAttribute('aria-autocomplete', 'list');
  let items = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    field.removeAttribute('aria-activedescendant');
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === index));
      if (i === index) {
        field.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    });
  };
  const show = (entries, render) => {
    items = entries;
    list.replaceChildren();
    if (entries.length === 0) {
      const li = document.createElement('li');
      li.className = 'editor-suggest-none';
      li.textContent = list.dataset.none ?? '';
      list.append(li);
      list.hidden = false;
      active = -1;
      field.removeAttribute('aria-activedescendant');
      return;
    }
    entries.forEach((entry, i) => {
      const li = document.createElement('li');
      li.id = `${list.id}-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      render(li, entry);
      // The field keeps the focus while the mouse picks.
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => {
        onPick(entry);
        close();
      });
      list.append(li);
    });
    list.hidden = false;
    highlight(0);
    if (status) status.textContent = fill(status.dataset.count, { n: entries.length });
  };
  field.addEventListener('keydown', (event) => {
    if (list.hidden || items.length === 0) {
      if (event.key === 'Escape' && !list.hidden) close();
      return;
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
      event.preventDefault();
      onPick(items[active]);
      close();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  field.addEventListener('blur', () => setTimeout(close, 100));
  return {
    show,
    close,
    get open() {
      return !list.hidden;
    },
  };
}

function personOption(li, person) {
  const name = document.createElement('span');
  name.className = 'editor-suggest-name';
  name.textContent = person.displayName;
  const meta = document.createElement('span');
  meta.className = 'editor-suggest-meta';
  meta.textContent = [`@${person.handle}`, person.team].filter(Boolean).join(' · ');
  li.append(name, ' ', meta);
}

function articleOption(li, article) {
  const number = document.createElement('span');
  number.className = 'editor-suggest-meta';
  number.textContent = `KB-${article.number}`;
  const title = document.createElement('span');
  title.className = 'editor-suggest-name';
  title.textContent = article.title;
  li.append(number, ' ', title);
}

function setUpEditor(root) {
  const area = root.querySelector('textarea');
  if (!area) return;
  const bar = root.querySelector('[data-editor-bar]');
  const preview = root.querySelector('[data-editor-preview]');
  const list = root.querySelector('[data-editor-suggest]');
  const status = root.querySelector('[data-editor-status]');
  const modeButton = root.querySelector('[data-editor-mode]');
  root.classList.add('editor-ready');
  if (bar) {
    bar.hidden = false;
    rovingFocus(bar);
  }

  const say = (text) => {
    if (status) status.textContent = text;
  };

  // Formatting.
  bar?.addEventListener('click', (event) => {
    const button = event.target.closest('[data-editor-action]');
    if (!button || area.hidden) return;
    ACTIONS[button.dataset.editorAction]?.(area);
    if (button.dataset.editorAction === 'mention' || button.dataset.editorAction === 'article') suggest();
  });
  area.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const action = { b: 'bold', i: 'italic', k: 'link' }[event.key.toLowerCase()];
    if (!action || !bar) return;
    event.preventDefault();
    ACTIONS[action](area);
  });

  // Preview.
  let previewRequest = 0;
  const showPreview = async (on) => {
    if (!preview || !modeButton) return;
    modeButton.setAttribute('aria-pressed', String(on));
    modeButton.textContent = on ? modeButton.dataset.write : modeButton.dataset.preview;
    // Formatting applies to the text being written: the tools wait while the preview shows.
    const tools = bar.querySelector('.editor-tools');
    if (tools) tools.hidden = on;
    for (const el of bar.querySelectorAll('button, input[type="file"]'))
      el.tabIndex = el === modeButton ? 0 : -1;
    area.hidden = on;
    preview.hidden = !on;
    if (!on) {
      area.focus();
      return;
    }
    const request = ++previewRequest;
    if (!area.value.trim()) {
      preview.textContent = preview.dataset.empty;
      return;
    }
    preview.textContent = preview.dataset.loading;
    try {
      const response = await fetch('/api/editor/preview', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'X-CSRF-Token': csrfOf(area.form),
        },
        body: JSON.stringify({ text: area.value }),
      });
      const data = await response.json().catch(() => null);
      if (request !== previewRequest) return;
      if (!response.ok || typeof data?.html !== 'string') throw new Error(data?.error?.message ?? '');
      // The server's sanitized rendering, the same the published page shows.
      preview.innerHTML = data.html || '';
      if (!data.html) preview.textContent = preview.dataset.empty;
    } catch (err) {
      if (request === previewRequest) preview.textContent = err.message || preview.dataset.failed;
    }
  };
  modeButton?.addEventListener('click', () =>
    showPreview(modeButton.getAttribute('aria-pressed') !== 'true'),
  );

  // Suggestions after @ and KB-.
  let trigger = null;
  let timer = null;
  let asked = 0;
  const suggestions = list
    ? suggestionList(area, list, status, (entry) => {
        if (!trigger) return;
        const text = trigger.kind === 'people' ? `@${entry.handle} ` : `KB-${entry.number} `;
        insert(area, text, trigger.from, trigger.to);
        trigger = null;
      })
    : null;
  const suggest = () => {
    if (!suggestions) return;
    clearTimeout(timer);
    trigger = triggerAt(area);
    if (!trigger) {
      suggestions.close();
      return;
    }
    const current = trigger;
    timer = setTimeout(async () => {
      const request = ++asked;
      try {
        const data = await getJson(`/api/editor/${current.kind}?q=${encodeURIComponent(current.query)}`);
        if (request !== asked || trigger !== current) return;
        suggestions.show(data.items ?? [], current.kind === 'people' ? personOption : articleOption);
      } catch {
        suggestions.close();
      }
    }, SUGGEST_DELAY_MS);
  };
  area.addEventListener('input', suggest);
  area.addEventListener('click', suggest);
  area.addEventListener('keyup', (event) => {
    if (
      event.key === 'ArrowLeft' ||
      event.key === 'ArrowRight' ||
      event.key === 'Home' ||
      event.key === 'End'
    )
      suggest();
  });

  // Pictures pasted, dropped or chosen.
  const upload = async (file) => {
    const name = file.name || 'image.png';
    const from = area.selectionStart;
    // A picture goes on a line of its own.
    const lead = from > 0 && area.value[from - 1] !== '\n' ? '\n' : '';
    const placeholder = `${lead}![${fill(status?.dataset.uploading, { name })}]()`;
    insert(area, placeholder);
    say(fill(status?.dataset.uploading, { name }));
    const body = new FormData();
    // The token first: the server checks it before reading the file.
    body.append('_csrf', csrfOf(area.form));
    body.append('image', file, name);
    let markdown = '';
    let reason = '';
    try {
      const response = await fetch('/api/editor/images', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        body,
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data?.markdown) markdown = data.markdown;
      else
        reason = data?.error?.fields?.image ?? data?.error?.fields?.attachments ?? data?.error?.message ?? '';
    } catch {
      reason = '';
    }
    const at = area.value.indexOf(placeholder, Math.max(0, from - 1));
    const start = at === -1 ? area.value.indexOf(placeholder) : at;
    const replacement = markdown ? `${lead}${markdown}\n` : '';
    if (start !== -1) insert(area, replacement, start, start + placeholder.length);
    else if (markdown) insert(area, replacement);
    say(markdown ? '' : fill(status?.dataset.uploadFailed, { name, reason: reason || '—' }));
  };
  const images = (files) => [...(files ?? [])].filter((f) => IMAGE_TYPES.includes(f.type));
  area.addEventListener('paste', (event) => {
    const files = images(event.clipboardData?.files);
    if (files.length === 0) return;
    event.preventDefault();
    files.reduce((chain, file) => chain.then(() => upload(file)), Promise.resolve());
  });
  area.addEventListener('dragover', (event) => {
    if ([...(event.dataTransfer?.items ?? [])].some((i) => i.kind === 'file')) event.preventDefault();
  });
  area.addEventListener('drop', (event) => {
    const files = images(event.dataTransfer?.files);
    if (files.length === 0) return;
    event.preventDefault();
    files.reduce((chain, file) => chain.then(() => upload(file)), Promise.resolve());
  });
  const chooser = root.querySelector('[data-editor-image]');
  chooser?.addEventListener('change', () => {
    const files = images(chooser.files);
    chooser.value = '';
    files.reduce((chain, file) => chain.then(() => upload(file)), Promise.resolve());
  });
}

/**
 * Drafts: the form's texts kept in this browser while typing (per page and
 * form), restored after a reload into fields still showing what the server
 * sent, removed when the form is sent.
 */
function setUpDrafts(form, index) {
  const fields = [...form.querySelectorAll('textarea[name], input[type="text"][name]')];
  if (fields.length === 0) return;
  const key = `pp-draft:${location.pathname}:${form.getAttribute('action') ?? ''}:${index}`;
  const storage = (() => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  })();
  if (!storage) return;
  const keyOf = (field, i) => `${field.name}#${i}`;
  let saved = null;
  try {
    saved = JSON.parse(storage.getItem(key) ?? 'null');
  } catch {
    saved = null;
  }
  if (saved && Date.now() - saved.at > DRAFT_DAYS * 86_400_000) {
    storage.removeItem(key);
    saved = null;
  }
  if (saved?.values) {
    const restored = [];
    fields.forEach((field, i) => {
      const value = saved.values[keyOf(field, i)];
      if (typeof value === 'string' && field.value === field.defaultValue && value !== field.value) {
        field.value = value;
        restored.push(field);
      }
    });
    if (restored.length > 0) {
      const status = form.querySelector('[data-editor-status]');
      if (status) {
        const time = new Date(saved.at).toLocaleTimeString(document.documentElement.lang, {
          hour: '2-digit',
          minute: '2-digit',
        });
        status.textContent = `${fill(status.dataset.restored, { time })} `;
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'link-button';
        discard.textContent = status.dataset.discard;
        discard.addEventListener('click', () => {
          for (const field of restored) field.value = field.defaultValue;
          storage.removeItem(key);
          status.textContent = '';
          restored[0]?.focus();
        });
        status.append(discard);
      }
    }
  }
  let timer = null;
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const values = {};
      let changed = false;
      fields.forEach((field, i) => {
        values[keyOf(field, i)] = field.value;
        if (field.value !== field.defaultValue) changed = true;
      });
      try {
        if (changed) storage.setItem(key, JSON.stringify({ at: Date.now(), values }));
        else storage.removeItem(key);
      } catch {
        // A full or disabled storage only loses the draft.
      }
    }, 400);
  };
  form.addEventListener('input', save);
  form.addEventListener('submit', () => {
    clearTimeout(timer);
    storage.removeItem(key);
  });
}

/** An answer's "cite articles": a search that adds chosen articles, instead of a 4-row multi-select. */
function setUpCitationPicker(select) {
  const field = select.closest('.field');
  const template = document.getElementById('cite-picker-labels');
  if (!field || !template) return;
  const labels = template.dataset;
  const wrapper = document.createElement('div');
  wrapper.className = 'cite-picker';
  const input = document.createElement('input');
  input.type = 'search';
  input.id = `${select.id}-search`;
  input.autocomplete = 'off';
  input.placeholder = labels.placeholder ?? '';
  input.setAttribute('aria-describedby', select.getAttribute('aria-describedby') ?? '');
  const list = document.createElement('ul');
  list.className = 'editor-suggest';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', labels.suggestions ?? '');
  list.dataset.none = labels.none ?? '';
  list.hidden = true;
  const chosen = document.createElement('ul');
  chosen.className = 'cite-chosen';
  chosen.setAttribute('aria-label', labels.chosen ?? '');
  const status = document.createElement('p');
  status.className = 'editor-status small';
  status.setAttribute('aria-live', 'polite');
  status.dataset.count = labels.count ?? '';
  wrapper.append(input, list, chosen, status);
  select.hidden = true;
  select.after(wrapper);
  const label = field.querySelector(`label[for="${select.id}"]`);
  if (label) label.htmlFor = input.id;

  const optionFor = (article) => {
    let option = [...select.options].find((o) => o.value === String(article.number));
    if (!option) {
      option = new Option(`KB-${article.number} · ${article.title}`, String(article.number));
      select.append(option);
    }
    return option;
  };
  const renderChosen = () => {
    chosen.replaceChildren();
    for (const option of select.selectedOptions) {
      const li = document.createElement('li');
      li.append(option.textContent, ' ');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link-button';
      remove.textContent = '×';
      remove.setAttribute('aria-label', fill(labels.remove, { title: option.textContent }));
      remove.addEventListener('click', () => {
        option.selected = false;
        renderChosen();
        input.focus();
      });
      li.append(remove);
      chosen.append(li);
    }
  };
  const suggestions = suggestionList(input, list, status, (article) => {
    optionFor(article).selected = true;
    input.value = '';
    renderChosen();
  });
  let timer = null;
  let asked = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!query) {
      suggestions.close();
      return;
    }
    timer = setTimeout(async () => {
      const request = ++asked;
      try {
        const data = await getJson(`/api/editor/articles?q=${encodeURIComponent(query)}`);
        if (request === asked) suggestions.show(data.items ?? [], articleOption);
      } catch {
        suggestions.close();
      }
    }, SUGGEST_DELAY_MS);
  });
  // Enter in the search picks a suggestion; it never sends the answer half-written.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.preventDefault();
  });
  renderChosen();
}

document.querySelectorAll('[data-editor]').forEach(setUpEditor);
[...document.querySelectorAll('form')]
  .filter((form) => form.querySelector('[data-editor]'))
  .forEach(setUpDrafts);
document.querySelectorAll('select[data-cite-picker]').forEach(setUpCitationPicker);
