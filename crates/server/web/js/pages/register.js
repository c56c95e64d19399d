// #/register: create a candidate account (the API's password policy decides; its 422 details
// are shown next to each field).

import { post } from '../api.js';
import { field, h } from '../dom.js';
import { handleSubmit, showError } from '../errors.js';
import { navigate } from '../router.js';
import { signInCandidate } from '../session.js';

export default async function render({ query }) {
  const name = h('input', { id: 'register-name', name: 'full_name', type: 'text', autocomplete: 'name', required: true, autofocus: true });
  const email = h('input', { id: 'register-email', name: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', { id: 'register-password', name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { id: 'register-submit', type: 'submit' }, 'Create account');
  const form = h('form', { class: 'card narrow', novalidate: true },
    field('Full name', name, { fieldName: 'full_name' }),
    field('Email', email, { fieldName: 'email' }),
    field('Password', password, {
      fieldName: 'password',
      hint: 'At least 8 characters. Long passphrases are welcome; very common passwords are refused.',
    }),
    submit);

  handleSubmit(form, submit, async () => {
    const auth = await post('auth/register', {
      full_name: name.value.trim(),
      email: email.value.trim(),
      password: password.value,
    }, { auth: null });
    signInCandidate(auth);
    navigate(query.next || '/start');
  }, (error) => {
    showError(error, { form });
    if (error.code === 'email_taken') email.focus();
  });

  return h('section', { 'data-page': 'register' },
    h('h1', {}, 'Create your candidate account'),
    form,
    h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Sign in')));
}
