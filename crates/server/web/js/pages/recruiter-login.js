// #/recruiter/login: recruiter sign-in (admins, recruiters and viewers).

import { post } from '../api.js';
import { field, h } from '../dom.js';
import { handleSubmit, showError } from '../errors.js';
import { navigate } from '../router.js';
import { signInRecruiter } from '../session.js';

export default async function render({ query }) {
  const email = h('input', { id: 'recruiter-email', name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'recruiter-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { id: 'recruiter-login-submit', type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card narrow', novalidate: true },
    field('Work email', email, { fieldName: 'email' }),
    field('Password', password, { fieldName: 'password' }),
    submit);

  handleSubmit(form, submit, async () => {
    const address = email.value.trim();
    const auth = await post('recruiter/auth/login', { email: address, password: password.value }, { auth: null });
    signInRecruiter(auth, address);
    navigate(query.next && query.next.startsWith('/recruiter/') ? query.next : '/recruiter/interviews');
  }, (error) => {
    showError(error, { form });
    password.select();
  });

  return h('section', { 'data-page': 'recruiter-login' },
    h('h1', {}, 'Recruiter sign-in'),
    form,
    h('p', { class: 'muted' }, 'Candidate? ', h('a', { href: '#/login' }, 'Sign in here')));
}
