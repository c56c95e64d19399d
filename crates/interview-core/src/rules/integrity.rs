//! Integrity signals, computed from what is stored: how fast each answer came after its
//! question, what it repeated, and the events the candidate's browser reported.
//!
//! They are signals for a recruiter to look at, never verdicts: each flag says what was seen,
//! on which messages, and how sure the rule is.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::named_enum;

/// Sustained typing above this many characters a second is not typing (fast typists manage 8–12).
const FAST_TYPING_CPS: f64 = 15.0;
/// Above this it is certainly pasted or dictated.
const PASTE_CPS: f64 = 30.0;
/// Typed answers shorter than this are too short to judge typing speed.
const MIN_TYPED_CHARS: usize = 60;
/// Reading speed of a question, in words a second (about 240 words a minute).
const READING_WORDS_PER_SECOND: f64 = 4.0;
/// An answer with at least this many words is "complex": it cannot come before the question
/// was read.
const COMPLEX_ANSWER_WORDS: usize = 25;
/// A gap this long between a question and its answer is a long silence.
const LONG_SILENCE_SECONDS: f64 = 300.0;
/// Word overlap (Jaccard) above which an answer only repeats the question.
const REPEATS_QUESTION: f64 = 0.7;
/// Word overlap above which two answers are the same answer.
const DUPLICATE_ANSWER: f64 = 0.85;
/// Answers shorter than this many words are not compared with each other.
const MIN_COMPARED_WORDS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

named_enum!(Severity, "severity", {
    Low => "low",
    Medium => "medium",
    High => "high",
});

impl Severity {
    /// Points off the integrity score for a flag of this severity at full confidence.
    const fn penalty(self) -> f64 {
        match self {
            Self::Low => 5.0,
            Self::Medium => 15.0,
            Self::High => 30.0,
        }
    }
}

/// What a browser may report during an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientEventKind {
    TabHidden,
    FocusLost,
    Paste,
    FullscreenExit,
}

named_enum!(ClientEventKind, "client event", {
    TabHidden => "tab_hidden",
    FocusLost => "focus_lost",
    Paste => "paste",
    FullscreenExit => "fullscreen_exit",
});

/// One reported event (or `count` of them, batched by the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEvent {
    pub kind: ClientEventKind,
    pub occurred_at: DateTime<Utc>,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityFlagKind {
    /// A typed answer arrived faster than anyone types.
    FastTyping,
    /// A long answer arrived before the question could have been read.
    InstantAnswer,
    LongSilence,
    /// The answer mostly repeats the question.
    RepeatedQuestion,
    /// Two answers are nearly the same text.
    DuplicateAnswer,
    TabHidden,
    FocusLost,
    Paste,
    FullscreenExit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrityFlag {
    #[serde(rename = "type")]
    pub kind: IntegrityFlagKind,
    pub severity: Severity,
    /// What was observed, in words.
    pub evidence: String,
    /// The sequence numbers of the messages it rests on (empty for browser events).
    pub messages: Vec<i32>,
    /// `0..=1`.
    pub confidence: f64,
}

/// One question and the answer to it, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsweredQuestion {
    pub question_sequence: i32,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer_sequence: i32,
    pub answer: String,
    pub answered_at: DateTime<Utc>,
    /// Typed rather than spoken.
    pub typed: bool,
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Shared words over all words of both texts.
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

fn timing_flags(turn: &AnsweredQuestion, flags: &mut Vec<IntegrityFlag>) {
    let seconds = (turn.answered_at - turn.asked_at).num_milliseconds().max(0) as f64 / 1000.0;
    let messages = vec![turn.question_sequence, turn.answer_sequence];
    let characters = turn.answer.chars().count();
    if turn.typed && characters >= MIN_TYPED_CHARS {
        let rate = characters as f64 / seconds.max(0.001);
        if rate > FAST_TYPING_CPS {
            let (severity, confidence) = if rate > PASTE_CPS {
                (Severity::High, 0.9)
            } else {
                (Severity::Medium, 0.6)
            };
            flags.push(IntegrityFlag {
                kind: IntegrityFlagKind::FastTyping,
                severity,
                evidence: format!(
                    "{characters} characters typed {seconds:.1} s after the question ({rate:.0} a second)"
                ),
                messages: messages.clone(),
                confidence,
            });
        }
    }
    let reading = word_count(&turn.question) as f64 / READING_WORDS_PER_SECOND;
    let answer_words = word_count(&turn.answer);
    if answer_words >= COMPLEX_ANSWER_WORDS && seconds < reading {
        flags.push(IntegrityFlag {
            kind: IntegrityFlagKind::InstantAnswer,
            severity: Severity::Medium,
            evidence: format!(
                "a {answer_words}-word answer {seconds:.1} s after a question that takes {reading:.1} s to read"
            ),
            messages: messages.clone(),
            confidence: 0.7,
        });
    }
    if seconds > LONG_SILENCE_SECONDS {
        flags.push(IntegrityFlag {
            kind: IntegrityFlagKind::LongSilence,
            severity: Severity::Low,
            evidence: format!("{seconds:.0} s between the question and its answer"),
            messages,
            confidence: 0.5,
        });
    }
}

fn repetition_flags(turns: &[AnsweredQuestion], flags: &mut Vec<IntegrityFlag>) {
    let answers: Vec<BTreeSet<String>> = turns.iter().map(|turn| words(&turn.answer)).collect();
    for (turn, answer) in turns.iter().zip(&answers) {
        if answer.len() >= 5 && overlap(answer, &words(&turn.question)) >= REPEATS_QUESTION {
            flags.push(IntegrityFlag {
                kind: IntegrityFlagKind::RepeatedQuestion,
                severity: Severity::Medium,
                evidence: "the answer mostly repeats the question's words".to_owned(),
                messages: vec![turn.question_sequence, turn.answer_sequence],
                confidence: 0.8,
            });
        }
    }
    for (i, first) in answers.iter().enumerate() {
        for (j, second) in answers.iter().enumerate().skip(i + 1) {
            if first.len() >= MIN_COMPARED_WORDS
                && second.len() >= MIN_COMPARED_WORDS
                && overlap(first, second) >= DUPLICATE_ANSWER
            {
                flags.push(IntegrityFlag {
                    kind: IntegrityFlagKind::DuplicateAnswer,
                    severity: Severity::Medium,
                    evidence: "two answers are nearly the same text".to_owned(),
                    messages: vec![turns[i].answer_sequence, turns[j].answer_sequence],
                    confidence: 0.8,
                });
            }
        }
    }
}

/// Severity of `count` reported events of `kind`, if they are worth a flag.
fn event_severity(kind: ClientEventKind, count: u64) -> Option<(Severity, f64)> {
    let (medium_from, high_from) = match kind {
        ClientEventKind::TabHidden | ClientEventKind::FocusLost => (3, 10),
        ClientEventKind::Paste => (1, 3),
        ClientEventKind::FullscreenExit => (3, u64::MAX),
    };
    match count {
        0 => None,
        count if count >= high_from => Some((Severity::High, 0.8)),
        count if count >= medium_from => Some((Severity::Medium, 0.7)),
        _ => Some((Severity::Low, 0.5)),
    }
}

fn event_flags(events: &[ClientEvent], flags: &mut Vec<IntegrityFlag>) {
    let mut totals: BTreeMap<ClientEventKind, u64> = BTreeMap::new();
    for event in events {
        *totals.entry(event.kind).or_default() += u64::from(event.count);
    }
    for (kind, count) in totals {
        if let Some((severity, confidence)) = event_severity(kind, count) {
            let flag_kind = match kind {
                ClientEventKind::TabHidden => IntegrityFlagKind::TabHidden,
                ClientEventKind::FocusLost => IntegrityFlagKind::FocusLost,
                ClientEventKind::Paste => IntegrityFlagKind::Paste,
                ClientEventKind::FullscreenExit => IntegrityFlagKind::FullscreenExit,
            };
            flags.push(IntegrityFlag {
                kind: flag_kind,
                severity,
                evidence: format!("the browser reported {kind} {count} times"),
                messages: Vec::new(),
                confidence,
            });
        }
    }
}

/// Every integrity flag the record raises, in a stable order.
pub fn integrity_flags(turns: &[AnsweredQuestion], events: &[ClientEvent]) -> Vec<IntegrityFlag> {
    let mut flags = Vec::new();
    for turn in turns {
        timing_flags(turn, &mut flags);
    }
    repetition_flags(turns, &mut flags);
    event_flags(events, &mut flags);
    flags
}

/// `0..=100`: 100 less each flag's penalty weighted by its confidence.
pub fn integrity_score(flags: &[IntegrityFlag]) -> u8 {
    let penalty: f64 = flags
        .iter()
        .map(|flag| flag.severity.penalty() * flag.confidence.clamp(0.0, 1.0))
        .sum();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let score = (100.0 - penalty).clamp(0.0, 100.0).round() as u8;
    score
}

#[cfg(test)]
#[path = "integrity_tests.rs"]
mod tests;
