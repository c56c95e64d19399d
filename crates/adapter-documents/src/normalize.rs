//! Whitespace normalisation of extracted text.

/// Normalises extracted text: every run of spaces, tabs and other non-breaking whitespace
/// becomes one space, lines are trimmed, line breaks stay (`\r\n` and `\r` become `\n`, at most
/// one blank line in a row), control and zero-width characters and soft hyphens are dropped,
/// typographic ligatures (`ﬁ`, `ﬂ`, ...) are spelled out. The result has no leading or
/// trailing whitespace and at most `max_chars` characters.
pub fn normalize_whitespace(raw: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_chars.saturating_mul(4)));
    let mut count = 0usize;
    let mut pending_space = false;
    let mut pending_breaks = 0usize;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    pending_breaks += 1;
                }
            }
            '\n' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => pending_breaks += 1,
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            c if c.is_whitespace() => pending_space = true,
            c if c.is_control() => {}
            c => {
                let text = ligature(c);
                let separator = if count == 0 {
                    ""
                } else if pending_breaks >= 2 {
                    "\n\n"
                } else if pending_breaks == 1 {
                    "\n"
                } else if pending_space {
                    " "
                } else {
                    ""
                };
                let needed =
                    separator.chars().count() + text.map_or(1, |spelled| spelled.chars().count());
                if count + needed > max_chars {
                    break;
                }
                out.push_str(separator);
                match text {
                    Some(spelled) => out.push_str(spelled),
                    None => out.push(c),
                }
                count += needed;
                pending_space = false;
                pending_breaks = 0;
            }
        }
    }
    out
}

fn ligature(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{fb00}' => "ff",
        '\u{fb01}' => "fi",
        '\u{fb02}' => "fl",
        '\u{fb03}' => "ffi",
        '\u{fb04}' => "ffl",
        '\u{fb05}' | '\u{fb06}' => "st",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_whitespace;

    #[test]
    fn collapses_spaces_and_keeps_line_breaks() {
        let raw = "  Ada\t  Example  \r\n\r\n\r\n\n Senior\u{a0}Engineer \rPython ";
        assert_eq!(
            normalize_whitespace(raw, 1000),
            "Ada Example\n\nSenior Engineer\nPython"
        );
    }

    #[test]
    fn drops_invisible_characters_and_spells_out_ligatures() {
        let raw = "\u{feff}Work\u{fb02}ow e\u{fb03}cient \u{0}co\u{ad}operation\u{200b}";
        assert_eq!(
            normalize_whitespace(raw, 1000),
            "Workflow efficient cooperation"
        );
    }

    #[test]
    fn bounds_the_output_in_characters() {
        let raw = "é".repeat(50);
        assert_eq!(normalize_whitespace(&raw, 10).chars().count(), 10);
        assert_eq!(normalize_whitespace("ab cd", 3), "ab");
        assert_eq!(normalize_whitespace(" \n\t ", 10), "");
    }
}
