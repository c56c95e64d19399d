// #/login: candidate sign-in.

import { post } from '../api.js';
import { field, h } from '../dom.js';
import { handleSubmit, showError } from '../errors.js';
import { navigate } from '../router.js';
import { signInCandidate } from '../session.js';

export default async function render({ query }) {
  const email = h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'email', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { id: 'login-submit', type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card narrow', novalidate: true },
    field('Email', email, { fieldName: 'email' }),
    field('Password', password, { fieldName: 'password' }),
    submit);

  handleSubmit(form, submit, async () => {
    const auth = await post('auth/login', { email: email.value.trim(), password: password.value }, { auth: null });
    signInCandidate(auth);
    navigate(query.next && !query.next.startsWith('/recruiter') ? query.next : '/start');
  }, (error) => {
    showError(error, { form });
    password.select();
  });

  return h('section', { 'data-page': 'login' },
    h('h1', {}, 'Sign in'),
    form,
    h('p', {}, 'New here? ', h('a', { href: '#/register', id: 'register-link' }, 'Create an account')),
    h('p', { class: 'muted' }, 'Recruiter? ', h('a', { href: '#/recruiter/login' }, 'Sign in as a recruiter')));
}
