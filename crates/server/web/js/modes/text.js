// Typed answers: a textarea and a send button; Ctrl+Enter (⌘+Enter) sends.

import { field, h } from '../dom.js';
import { clearError, showError } from '../errors.js';
import { answerer } from './answer.js';

/** The text answer form; `send` is an answerer(ui). */
export function textForm(ui, send) {
  const text = h('textarea', { id: 'answer-text', name: 'message_text', rows: '6', maxlength: '10000', required: true });
  const submit = h('button', { id: 'answer-submit', type: 'submit' }, 'Send answer');
  const form = h('form', { class: 'answer-form', novalidate: true },
    field('Your answer', text, { fieldName: 'message_text', hint: 'Press Ctrl+Enter (⌘+Enter on a Mac) to send.' }),
    submit);

  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  text.addEventListener('paste', () => ui.event('paste'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearError(form);
    submit.disabled = true;
    try {
      await ui.busy(() => send({ text: text.value }), 'Sending your answer…');
      text.value = '';
      if (!ui.finished) text.focus();
    } catch (error) {
      showError(error, { form });
    } finally {
      submit.disabled = ui.finished;
    }
  });
  return form;
}

export default function mount(ui) {
  const form = textForm(ui, answerer(ui));
  return {
    element: h('div', { class: 'controls', 'data-mode': 'text' }, form),
    focus: () => form.querySelector('textarea').focus(),
    stop() {},
  };
}
