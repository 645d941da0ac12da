// Progressive enhancement for forms: after a failed submit, focus moves to the
// error summary so keyboard and screen-reader users hear what to fix.
const summary = document.getElementById('form-errors');
if (summary) summary.focus();

// A confirmation before irreversible actions (deactivate, delete); without
// JavaScript the action simply happens, as every form works without scripts.
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
