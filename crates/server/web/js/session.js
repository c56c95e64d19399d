// Who is signed in, kept in sessionStorage (per tab, gone when the tab closes): a candidate and a
// recruiter are separate audiences with separate tokens. Also what the client remembers about
// each interview it started (mode, total questions) for the pages that follow.

const KEYS = {
  candidate: 'interview.candidate',
  recruiter: 'interview.recruiter',
};

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function write(key, value) {
  if (value === null || value === undefined) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

/** The candidate's session: {token, candidate_id, email, expires_at}, or null. */
export function candidate() {
  const session = read(KEYS.candidate);
  return session && !expired(session) ? session : null;
}

/** The recruiter's session: {token, recruiter_id, organization_id, role, email}, or null. */
export function recruiter() {
  const session = read(KEYS.recruiter);
  return session && !expired(session) ? session : null;
}

function expired(session) {
  return session.expires_at && Date.parse(session.expires_at) <= Date.now();
}

export function signInCandidate(auth) {
  write(KEYS.candidate, {
    token: auth.token,
    candidate_id: auth.candidate_id,
    email: auth.email,
    expires_at: auth.expires_at,
  });
}

export function signInRecruiter(auth, email) {
  write(KEYS.recruiter, {
    token: auth.token,
    recruiter_id: auth.recruiter_id,
    organization_id: auth.organization_id,
    role: auth.role,
    email,
    expires_at: auth.expires_at,
  });
}

/** Updates the recruiter's role as /recruiter/auth/me reports it now. */
export function updateRecruiterRole(role) {
  const session = read(KEYS.recruiter);
  if (session) write(KEYS.recruiter, { ...session, role });
}

export function signOut(audience) {
  write(KEYS[audience], null);
}

/** The bearer token of an audience ('candidate' or 'recruiter'), or null. */
export function token(audience) {
  return (audience === 'recruiter' ? recruiter() : candidate())?.token ?? null;
}

/** Facts about an interview this tab started or opened: {mode, total_questions, …}. */
export function interviewInfo(id) {
  return read(`interview.${id}`) || {};
}

export function rememberInterview(id, facts) {
  write(`interview.${id}`, { ...interviewInfo(id), ...facts });
}
