use chrono::{Duration, TimeZone};

use super::*;

const QUESTION: &str = "How does the virtual DOM decide which parts of the page to update?";

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000, 0).unwrap() + Duration::seconds(seconds)
}

fn turn(number: i32, answer: &str, seconds: i64, typed: bool) -> AnsweredQuestion {
    AnsweredQuestion {
        question_sequence: number * 2 - 1,
        question: QUESTION.to_owned(),
        asked_at: at(0),
        answer_sequence: number * 2,
        answer: answer.to_owned(),
        answered_at: at(seconds),
        typed,
    }
}

fn kinds(flags: &[IntegrityFlag]) -> Vec<(IntegrityFlagKind, Severity)> {
    flags
        .iter()
        .map(|flag| (flag.kind, flag.severity))
        .collect()
}

fn words_answer(words: usize) -> String {
    (0..words)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_plausibly_typed_answer_raises_nothing() {
    // 120 characters in 30 s: 4 a second
    let answer = "x".repeat(120);
    assert!(integrity_flags(&[turn(1, &answer, 30, true)], &[]).is_empty());
}

#[test]
fn typing_faster_than_people_type_is_flagged_by_how_fast() {
    let answer = "y".repeat(200);
    // 200 characters in 10 s = 20 a second: medium; in 5 s = 40 a second: high
    let flags = integrity_flags(
        &[
            turn(1, &answer, 10, true),
            turn(2, &answer.replace('y', "z"), 5, true),
        ],
        &[],
    );
    assert_eq!(
        kinds(&flags),
        [
            (IntegrityFlagKind::FastTyping, Severity::Medium),
            (IntegrityFlagKind::FastTyping, Severity::High),
        ]
    );
    assert_eq!(flags[0].messages, [1, 2]);
    assert_eq!(flags[1].messages, [3, 4]);
}

#[test]
fn spoken_answers_are_not_judged_by_typing_speed() {
    let answer = "y".repeat(200);
    assert!(integrity_flags(&[turn(1, &answer, 5, false)], &[]).is_empty());
}

#[test]
fn a_long_answer_before_the_question_could_be_read_is_flagged() {
    // the question has 13 words: 3.25 s to read
    let flags = integrity_flags(&[turn(1, &words_answer(30), 2, false)], &[]);
    assert_eq!(
        kinds(&flags),
        [(IntegrityFlagKind::InstantAnswer, Severity::Medium)]
    );
    let later = integrity_flags(&[turn(1, &words_answer(30), 4, false)], &[]);
    assert!(later.is_empty());
}

#[test]
fn long_silences_are_low_severity() {
    let flags = integrity_flags(&[turn(1, "I would memoise it", 301, false)], &[]);
    assert_eq!(
        kinds(&flags),
        [(IntegrityFlagKind::LongSilence, Severity::Low)]
    );
    assert!(integrity_flags(&[turn(1, "I would memoise it", 300, false)], &[]).is_empty());
}

#[test]
fn repeating_the_question_or_an_earlier_answer_is_flagged() {
    let echo = "how does the virtual dom decide which parts of the page to update";
    let flags = integrity_flags(&[turn(1, echo, 40, false)], &[]);
    assert_eq!(
        kinds(&flags),
        [(IntegrityFlagKind::RepeatedQuestion, Severity::Medium)]
    );

    let answer = "it diffs the new tree against the previous one and patches only changed nodes";
    let flags = integrity_flags(
        &[turn(1, answer, 40, false), turn(2, answer, 40, false)],
        &[],
    );
    assert_eq!(
        kinds(&flags),
        [(IntegrityFlagKind::DuplicateAnswer, Severity::Medium)]
    );
    assert_eq!(flags[0].messages, [2, 4]);
}

#[test]
fn browser_events_are_summed_per_kind_and_graded() {
    let event = |kind, count| ClientEvent {
        kind,
        occurred_at: at(5),
        count,
    };
    let flags = integrity_flags(
        &[],
        &[
            event(ClientEventKind::TabHidden, 2),
            event(ClientEventKind::TabHidden, 1),
            event(ClientEventKind::FocusLost, 1),
            event(ClientEventKind::Paste, 4),
            event(ClientEventKind::FullscreenExit, 1),
        ],
    );
    assert_eq!(
        kinds(&flags),
        [
            (IntegrityFlagKind::TabHidden, Severity::Medium),
            (IntegrityFlagKind::FocusLost, Severity::Low),
            (IntegrityFlagKind::Paste, Severity::High),
            (IntegrityFlagKind::FullscreenExit, Severity::Low),
        ]
    );
    assert!(flags[0].evidence.contains("3 times"));
}

#[test]
fn the_score_falls_with_each_flag_and_stays_within_bounds() {
    assert_eq!(integrity_score(&[]), 100);
    let flag = |severity, confidence| IntegrityFlag {
        kind: IntegrityFlagKind::Paste,
        severity,
        evidence: String::new(),
        messages: Vec::new(),
        confidence,
    };
    // 100 - 30 * 0.9 - 15 * 0.6 = 64
    assert_eq!(
        integrity_score(&[flag(Severity::High, 0.9), flag(Severity::Medium, 0.6)]),
        64
    );
    assert_eq!(integrity_score(&vec![flag(Severity::High, 1.0); 10]), 0);
}
