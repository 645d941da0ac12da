// Disclosure menus (<details data-menu>, like the account menu in the header)
// open and close with a click or Enter without JavaScript; here they also close
// on Escape (focus back on their button), on a click elsewhere, and when focus
// leaves them.
const menus = [...document.querySelectorAll('details[data-menu]')];

for (const menu of menus) {
  const summary = menu.querySelector('summary');
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      summary?.focus();
    }
  });
  menu.addEventListener('focusout', (event) => {
    if (menu.open && event.relatedTarget instanceof Node && !menu.contains(event.relatedTarget)) {
      menu.open = false;
    }
  });
}

if (menus.length > 0) {
  document.addEventListener('click', (event) => {
    for (const menu of menus) {
      if (menu.open && event.target instanceof Node && !menu.contains(event.target)) menu.open = false;
    }
  });
}

// On a phone the sections fold behind a "Menu" button (without JavaScript they
// stay on a row that scrolls sideways). Escape closes them, focus back on the button.
const toggle = document.querySelector('.nav-toggle');
const nav = document.getElementById('main-nav');
if (toggle instanceof HTMLButtonElement && nav) {
  document.documentElement.classList.add('has-nav-toggle');
  toggle.hidden = false;
  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    nav.toggleAttribute('data-open', open);
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.hasAttribute('data-open')) {
      setOpen(false);
      toggle.focus();
    }
  });
}
