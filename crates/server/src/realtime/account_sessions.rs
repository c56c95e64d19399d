//! How many interviews one account may hold live connections to on this node at once
//! (`realtime.max_sessions_per_account`): each live interview keeps an upstream session open and
//! costs audio by the second, so one account cannot open dozens. A reconnect to an interview
//! that is already live does not count again (the new connection replaces the old one).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use interview_core::ids::{CandidateId, InterviewId};

/// The live interviews of each account on this node.
#[derive(Debug)]
pub struct AccountSessions {
    max: usize,
    open: Mutex<HashMap<CandidateId, HashMap<InterviewId, usize>>>,
}

/// A connection's place; dropping it gives the place back.
#[derive(Debug)]
pub struct AccountSession {
    sessions: Arc<AccountSessions>,
    account: CandidateId,
    interview: InterviewId,
}

impl AccountSessions {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The most live interviews an account may hold.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A place for `account`'s connection to `interview`, or `None` when the account already
    /// holds the most live interviews it may.
    pub fn try_open(
        self: &Arc<Self>,
        account: CandidateId,
        interview: InterviewId,
    ) -> Option<AccountSession> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let interviews = open.entry(account).or_default();
        if !interviews.contains_key(&interview) && interviews.len() >= self.max {
            if interviews.is_empty() {
                open.remove(&account);
            }
            return None;
        }
        *interviews.entry(interview).or_default() += 1;
        Some(AccountSession {
            sessions: Arc::clone(self),
            account,
            interview,
        })
    }
}

impl Drop for AccountSession {
    fn drop(&mut self) {
        let mut open = self
            .sessions
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(interviews) = open.get_mut(&self.account) else {
            return;
        };
        if let Some(count) = interviews.get_mut(&self.interview) {
            *count -= 1;
            if *count == 0 {
                interviews.remove(&self.interview);
            }
        }
        if interviews.is_empty() {
            open.remove(&self.account);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_holds_at_most_max_live_interviews_and_a_reconnect_is_not_one_more() {
        let sessions = AccountSessions::new(2);
        let ada = CandidateId::new();
        let (first, second, third) = (InterviewId::new(), InterviewId::new(), InterviewId::new());
        let a = sessions.try_open(ada, first).unwrap();
        let b = sessions.try_open(ada, second).unwrap();
        assert!(sessions.try_open(ada, third).is_none());
        // a reconnect to a live interview, while the old connection still winds down
        let again = sessions.try_open(ada, first).unwrap();
        drop(a);
        assert!(sessions.try_open(ada, third).is_none());
        drop(again);
        let c = sessions.try_open(ada, third).unwrap();
        // another account is not affected
        assert!(sessions.try_open(CandidateId::new(), first).is_some());
        drop((b, c));
        assert!(sessions.open.lock().unwrap().is_empty());
    }
}
