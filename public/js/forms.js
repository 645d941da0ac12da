// Progressive enhancement for forms: after a failed submit, focus moves to the
// error summary so keyboard and screen-reader users hear what to fix.
const summary = document.getElementById('form-errors');
if (summary) {
  for (const link of summary.querySelectorAll('a[href^="#field-"]')) {
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) continue;
    // "Name shown to colleagues: Use at least 2 characters." says which field, not only what.
    const label = labelOf(target);
    if (label && !link.textContent.startsWith(label)) link.prepend(`${label}: `);
    // Following the link moves the focus into the field, not just the scroll position.
    link.addEventListener('click', (event) => {
      const control = target.matches('fieldset') ? target.querySelector('input, select, textarea') : target;
      if (!control) return;
      event.preventDefault();
      control.focus();
      (target.closest('.field') ?? target).scrollIntoView({ block: 'center' });
    });
  }
  summary.focus();
}

/** The visible label of a control, or the legend of a group. */
function labelOf(element) {
  const text = element.matches('fieldset')
    ? element.querySelector('legend')?.textContent
    : element.labels?.[0]?.textContent;
  return text?.replace(/\s+/g, ' ').trim() ?? '';
}

// A confirmation before irreversible actions (deactivate, delete); without
// JavaScript the action simply happens, as every form works without scripts.
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
