//! Spellings of the same value: string, number and docstring normalisation.
//!
//! Two literals get the same normal form only when Python gives them the same
//! value, so `'a'` and `"a"` match but `'\n'` and `r'\n'` do not, and
//! `b'a'` never matches `'a'`.

/// A string literal's prefix, decoded: what kind of value it makes and how
/// its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StringPrefix {
    pub raw: bool,
    pub bytes: bool,
    pub formatted: bool,
    pub template: bool,
}

impl StringPrefix {
    pub fn parse(prefix: &str) -> StringPrefix {
        let has = |letter: char| prefix.chars().any(|c| c.eq_ignore_ascii_case(&letter));
        StringPrefix {
            raw: has('r'),
            bytes: has('b'),
            formatted: has('f'),
            template: has('t'),
        }
    }

    /// The part of the prefix that changes the kind of value (`u` and the
    /// raw flag only change how the body is spelled).
    pub fn value_kind(self) -> &'static str {
        match (self.bytes, self.formatted, self.template) {
            (true, _, _) => "b",
            (_, _, true) => "t",
            (_, true, _) => "f",
            _ => "s",
        }
    }
}

/// Splits a whole string literal into its prefix and body (without quotes).
/// Returns `None` for text that is not a complete literal.
pub fn split_string_literal(text: &str) -> Option<(StringPrefix, &str)> {
    let quote_at = text.find(['\'', '"'])?;
    let (prefix, rest) = text.split_at(quote_at);
    let quote_char = rest.as_bytes()[0] as char;
    let triple: String = std::iter::repeat_n(quote_char, 3).collect();
    let quote = if rest.starts_with(&triple) && rest.len() >= 6 {
        triple.as_str()
    } else {
        &rest[..1]
    };
    let body = rest.strip_prefix(quote)?.strip_suffix(quote)?;
    Some((StringPrefix::parse(prefix), body))
}

/// The value of a string literal without interpolations, as a normal form
/// that is equal exactly when the values are equal.
pub fn normalize_string(text: &str) -> String {
    match split_string_literal(text) {
        Some((prefix, body)) => {
            let value = decode_body(body, prefix);
            let value = if prefix.formatted || prefix.template {
                value.replace("{{", "{").replace("}}", "}")
            } else {
                value
            };
            format!("{}:{}", prefix.value_kind(), value)
        }
        None => format!("?:{text}"),
    }
}

/// The value of implicitly concatenated literals (`'a ' 'b'`), in the normal
/// form of [`normalize_string`]: joining or splitting them with the same
/// value is layout. `None` when a part interpolates (its value is not
/// known) or the parts do not make one kind of value.
pub fn normalize_concatenation(parts: &[&str]) -> Option<String> {
    let mut kind = None;
    let mut value = String::new();
    for part in parts {
        let (prefix, body) = split_string_literal(part)?;
        if prefix.formatted || prefix.template || kind.is_some_and(|kind| kind != prefix.value_kind()) {
            return None;
        }
        kind = Some(prefix.value_kind());
        value.push_str(&decode_body(body, prefix));
    }
    Some(format!("{}:{value}", kind?))
}

/// Decodes the escapes of a string body, as Python reads it.
pub fn decode_body(body: &str, prefix: StringPrefix) -> String {
    if prefix.raw || !body.contains('\\') {
        return escape_marks(body.to_owned());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_char(&mut out, c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            out.push('\\');
            break;
        };
        match escaped {
            '\n' => {}
            '\\' | '\'' | '"' => out.push(escaped),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut value = escaped.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                push_code_point(&mut out, value, &format!("\\{escaped}"));
            }
            'x' => push_hex(&mut out, &mut chars, 2, 'x'),
            'u' if !prefix.bytes => push_hex(&mut out, &mut chars, 4, 'u'),
            'U' if !prefix.bytes => push_hex(&mut out, &mut chars, 8, 'U'),
            'N' if !prefix.bytes && chars.peek() == Some(&'{') => push_named(&mut out, &mut chars),
            other => {
                // Unknown escapes keep their backslash, as in Python.
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// The mark [`push_named`] puts around a character's name.
const NAME_MARK: char = '\u{FFFF}';

/// Doubles every [`NAME_MARK`] a string holds itself, so that no string
/// reads like a named character.
fn escape_marks(value: String) -> String {
    if value.contains(NAME_MARK) {
        value.replace(NAME_MARK, "\u{FFFF}\u{FFFF}")
    } else {
        value
    }
}

/// A named character, `\N{BULLET}`. Without Unicode's name table the name
/// stands for its character, between noncharacters that no source spells,
/// so that it differs from the text `\\N{BULLET}` and from any other name.
fn push_named(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    out.push(NAME_MARK);
    out.extend(chars.by_ref().take_while(|&c| c != '}'));
    out.push(NAME_MARK);
}

fn push_hex(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, digits: usize, letter: char) {
    let mut spelled = String::new();
    for _ in 0..digits {
        match chars.peek() {
            Some(d) if d.is_ascii_hexdigit() => {
                spelled.push(*d);
                chars.next();
            }
            _ => break,
        }
    }
    let value = u32::from_str_radix(&spelled, 16)
        .ok()
        .filter(|_| spelled.len() == digits);
    match value {
        Some(value) => push_code_point(out, value, &format!("\\{letter}{spelled}")),
        None => {
            out.push('\\');
            out.push(letter);
            out.push_str(&spelled);
        }
    }
}

fn push_code_point(out: &mut String, value: u32, spelled: &str) {
    match char::from_u32(value) {
        Some(c) => push_char(out, c),
        None => out.push_str(spelled),
    }
}

/// A character of the value; a [`NAME_MARK`] is doubled (see [`escape_marks`]).
fn push_char(out: &mut String, c: char) {
    out.push(c);
    if c == NAME_MARK {
        out.push(c);
    }
}

/// A docstring's value as documentation: the string's value cleaned like
/// `inspect.cleandoc` (common indentation and trailing spaces removed), so
/// re-indenting a docstring is layout but re-wording it is not.
pub fn normalize_docstring(literals: &[&str]) -> String {
    let value: String = literals
        .iter()
        .map(|text| match split_string_literal(text) {
            Some((prefix, body)) => decode_body(body, prefix),
            None => (*text).to_owned(),
        })
        .collect();
    cleandoc(&value)
}

fn cleandoc(value: &str) -> String {
    let lines: Vec<&str> = value.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut cleaned: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let line = if i == 0 {
                line.trim_start()
            } else {
                line.get(indent..).unwrap_or("")
            };
            line.trim_end()
        })
        .collect();
    while cleaned.first().is_some_and(|line| line.is_empty()) {
        cleaned.remove(0);
    }
    while cleaned.last().is_some_and(|line| line.is_empty()) {
        cleaned.pop();
    }
    cleaned.join("\n")
}

/// A number literal's value, so `1_000`, `0x3E8` and `1000` match.
pub fn normalize_number(text: &str) -> String {
    if let Some(digits) = decimal_digits(text) {
        return format!("int:{digits}");
    }
    let spelled = text.replace('_', "").to_ascii_lowercase();
    let radix = match spelled.get(..2) {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let integer = match radix {
        Some(radix) => u128::from_str_radix(&spelled[2..], radix).ok(),
        None => None,
    };
    if let Some(value) = integer {
        return format!("int:{value}");
    }
    if let Some(digits) = decimal_digits(&spelled) {
        return format!("int:{digits}");
    }
    let is_float = !spelled.ends_with('j') && !spelled.ends_with('l') && radix.is_none();
    match spelled.parse::<f64>() {
        Ok(value) if is_float => format!("float:{:x}", value.to_bits()),
        _ => format!("num:{spelled}"),
    }
}

/// A decimal integer's value, of any size: its digits without leading zeros.
fn decimal_digits(spelled: &str) -> Option<&str> {
    if spelled.is_empty() || !spelled.bytes().all(|b| b.is_ascii_digit()) || is_legacy_octal(spelled) {
        return None;
    }
    Some(match spelled.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    })
}

/// `0777` is a Python 2 octal literal (a syntax error in Python 3): keep its spelling.
fn is_legacy_octal(spelled: &str) -> bool {
    spelled.len() > 1 && spelled.starts_with('0') && spelled.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_literals_have_the_value_of_the_joined_literal() {
        assert_eq!(
            normalize_concatenation(&["'Base commands do not know '", "\"how to parse arguments.\""]),
            Some(normalize_string("'Base commands do not know how to parse arguments.'"))
        );
        assert_eq!(
            normalize_concatenation(&["r'\\d'", "'\\n'"]),
            Some(normalize_string("'\\\\d\\n'"))
        );
        assert_eq!(normalize_concatenation(&["'a'", "f'{b}'"]), None);
        assert_eq!(normalize_concatenation(&["b'a'", "'b'"]), None);
    }

    #[test]
    fn quote_style_does_not_change_the_value() {
        assert_eq!(normalize_string("'a'"), normalize_string("\"a\""));
        assert_eq!(normalize_string("'a'"), normalize_string("'''a'''"));
        assert_eq!(normalize_string("u'a'"), normalize_string("'a'"));
        assert_eq!(normalize_string("'\\''"), normalize_string("\"'\""));
    }

    #[test]
    fn raw_prefix_changes_the_value_of_escapes() {
        assert_ne!(normalize_string("'\\n'"), normalize_string("r'\\n'"));
        assert_eq!(normalize_string("'a'"), normalize_string("r'a'"));
    }

    #[test]
    fn bytes_and_text_never_match() {
        assert_ne!(normalize_string("b'a'"), normalize_string("'a'"));
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(normalize_string("'\\x41'"), normalize_string("'A'"));
        assert_eq!(normalize_string("'\\u00e9'"), normalize_string("'é'"));
        assert_eq!(normalize_string("'\\101'"), normalize_string("'A'"));
        assert_eq!(normalize_string("'\\d'"), normalize_string("r'\\d'"));
    }

    #[test]
    fn a_named_character_is_not_its_spelling() {
        // `'\\N{BULLET}'` is the text `\N{BULLET}`; `'\N{BULLET}'` is `•`.
        assert_ne!(normalize_string("'\\\\N{BULLET}'"), normalize_string("'\\N{BULLET}'"));
        assert_ne!(normalize_string("r'\\N{BULLET}'"), normalize_string("'\\N{BULLET}'"));
        assert_ne!(normalize_string("'\\N{BULLET}'"), normalize_string("'\\N{DAGGER}'"));
        // A string holding the mark itself never reads as a name.
        assert_ne!(
            normalize_string("'\u{FFFF}{BULLET\u{FFFF}'"),
            normalize_string("'\\N{BULLET}'")
        );
        assert_ne!(
            normalize_string("'\\uffff{BULLET\\uffff'"),
            normalize_string("'\\N{BULLET}'")
        );
        assert_eq!(normalize_string("'\\N{BULLET}'"), normalize_string("\"\\N{BULLET}\""));
        // In bytes `\N` is no escape: both spell the same bytes.
        assert_eq!(normalize_string("b'\\N{BULLET}'"), normalize_string("b'\\\\N{BULLET}'"));
    }

    #[test]
    fn empty_and_triple_quoted_edge_cases() {
        assert_eq!(normalize_string("''"), normalize_string("\"\""));
        assert_eq!(normalize_string("''''''"), normalize_string("''"));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(normalize_number("1_000"), normalize_number("1000"));
        assert_eq!(normalize_number("0x3E8"), normalize_number("1000"));
        assert_eq!(normalize_number("1.0"), normalize_number("1."));
        assert_eq!(normalize_number("1E3"), normalize_number("1e3"));
        assert_ne!(normalize_number("1"), normalize_number("1.0"));
        assert_ne!(normalize_number("1"), normalize_number("2"));
        assert_ne!(normalize_number("010"), normalize_number("10"));
        assert_ne!(normalize_number("1j"), normalize_number("1"));
        // Too big for any machine integer, and equal as floats.
        let big = format!("1{}", "0".repeat(45));
        assert_ne!(
            normalize_number(&big),
            normalize_number(&format!("1{}1", "0".repeat(44)))
        );
        assert_eq!(
            normalize_number(&big),
            normalize_number(&format!("1_{}", "0".repeat(45)))
        );
        assert_eq!(normalize_number("00"), normalize_number("0"));
    }

    #[test]
    fn docstrings_compare_as_cleaned_text() {
        let wrapped = ["\"\"\"Return x.\n\n        More.\n        \"\"\""];
        let flat = ["\"\"\"Return x.\n\n    More.\n    \"\"\""];
        assert_eq!(normalize_docstring(&wrapped), normalize_docstring(&flat));
        assert_ne!(
            normalize_docstring(&["'Return x.'"]),
            normalize_docstring(&["'Return y.'"])
        );
    }
}
