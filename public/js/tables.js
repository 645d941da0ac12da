// A table wider than the screen (on a phone) scrolls inside its .table-wrap.
// When it does, the wrapper becomes a named, focusable region so people
// without a pointer can scroll it with the arrow keys; when it fits, it is not
// an extra tab stop.
const wraps = [...document.querySelectorAll('.table-wrap')];

function update() {
  for (const wrap of wraps) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute('tabindex')) {
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      const caption = wrap.querySelector('caption')?.textContent?.trim();
      if (caption) wrap.setAttribute('aria-label', caption);
    } else if (!scrolls && wrap.hasAttribute('tabindex')) {
      wrap.removeAttribute('tabindex');
      wrap.removeAttribute('role');
      wrap.removeAttribute('aria-label');
    }
  }
}

if (wraps.length > 0) {
  update();
  new ResizeObserver(update).observe(document.documentElement);
}
