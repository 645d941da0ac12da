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
