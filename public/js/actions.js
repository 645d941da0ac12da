// In-place actions: votes and on/off toggles ("seen this too", save, follow).
// Without JavaScript each is a plain form post that comes back to the same
// place; here the same request is sent asking for JSON, and the page changes
// where it stands: no reload, no lost scroll position.
//
//   <form data-enhance="vote">       buttons carry data-label / data-label-pressed (their aria-label)
//   <form data-enhance="toggle">     the action ends in /<verb> or /un<verb>; the button carries
//                                    data-text-on / data-text-off, optionally data-label-on /
//                                    data-label-off (aria-label) and data-class-on (class while on);
//                                    data-counter="<key>" data-counter-field="<field>": a number of the
//                                    answer shown in [data-rt-counter="<key>"] (see realtime.js)

function setCounters(values) {
  document.dispatchEvent(new CustomEvent('realtime:set-counters', { detail: values }));
}

/** Shows the server's refusal next to the form (cleared on the next try). */
function showError(form, message) {
  let alert = form.nextElementSibling?.matches('.action-error') ? form.nextElementSibling : null;
  if (!message) {
    alert?.remove();
    return;
  }
  if (!alert) {
    alert = document.createElement('p');
    alert.className = 'action-error';
    alert.setAttribute('role', 'alert');
    form.after(alert);
  }
  alert.textContent = message;
}

/** The plain form post, when the script cannot do better (offline, unexpected answer). */
function submitNatively(form, submitter) {
  if (submitter?.name) {
    const field = document.createElement('input');
    field.type = 'hidden';
    field.name = submitter.name;
    field.value = submitter.value;
    form.append(field);
  }
  form.submit();
}

async function send(form, submitter) {
  const response = await fetch(form.action, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(new FormData(form, submitter)),
  });
  const data = await response.json().catch(() => null);
  return { ok: response.ok, data };
}

function updateVote(form, outcome) {
  const type = form.elements.targetType.value;
  const id = form.elements.targetId.value;
  for (const button of form.querySelectorAll('button[name="value"]')) {
    const direction = button.classList.contains('vote-up') ? 1 : -1;
    const pressed = outcome.value === direction;
    button.setAttribute('aria-pressed', String(pressed));
    button.value = pressed ? '0' : String(direction);
    const label = pressed ? button.dataset.labelPressed : button.dataset.label;
    if (label) button.setAttribute('aria-label', label);
  }
  setCounters({ [`${type}:${id}:score`]: outcome.voteScore });
}

function updateToggle(form, data) {
  const button = form.querySelector('button[type="submit"]');
  const on = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(on));
  const text = on ? button.dataset.textOn : button.dataset.textOff;
  if (text) button.textContent = text;
  const label = on ? button.dataset.labelOn : button.dataset.labelOff;
  if (label) button.setAttribute('aria-label', label);
  if (button.dataset.classOn) button.classList.toggle(button.dataset.classOn, on);
  // /posts/1/confirm ⇄ /posts/1/unconfirm
  form.action = form.action.replace(/\/(un)?([a-z]+)$/, (_all, un, verb) => `/${un ? '' : 'un'}${verb}`);
  const field = form.dataset.counterField;
  if (form.dataset.counter && field && typeof data?.[field] === 'number') {
    setCounters({ [form.dataset.counter]: data[field] });
  }
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const kind = form.dataset.enhance;
  if (kind !== 'vote' && kind !== 'toggle') return;
  event.preventDefault();
  if (form.dataset.busy) return;
  form.dataset.busy = '1';
  const submitter = event.submitter;
  try {
    const { ok, data } = await send(form, submitter);
    if (!ok) {
      if (data?.error?.message) showError(form, data.error.message);
      else submitNatively(form, submitter);
      return;
    }
    showError(form, null);
    if (kind === 'vote') updateVote(form, data);
    else updateToggle(form, data);
  } catch {
    submitNatively(form, submitter);
  } finally {
    delete form.dataset.busy;
  }
});
