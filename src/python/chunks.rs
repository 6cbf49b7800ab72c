//! Top-level statements found by a line scanner, so that a small change in a
//! big file parses only the statements it touches.
//!
//! A chunk starts at a line that begins a top-level statement: column 0,
//! outside any bracket, string or line continuation, not a comment, not the
//! `else`/`elif`/`except`/`finally` of a compound statement, not the
//! definition under a decorator. Chunks are whole statements, so any
//! selection of them, in order, is valid Python.

use std::ops::Range;

/// The first row of every top-level statement, in order.
pub fn statement_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut scanner = Scanner::default();
    let mut after_decorator = false;
    for (row, line) in text.split('\n').enumerate() {
        if scanner.at_statement_boundary() {
            let first = line.chars().next();
            let begins = first.is_some_and(|c| !c.is_whitespace() && c != '#') && !continues_compound(line);
            if begins && !after_decorator {
                starts.push(row);
            }
            if begins {
                after_decorator = line.starts_with('@');
            }
        }
        scanner.scan_line(line);
    }
    starts
}

/// `else:`, `elif x:`, `except E:`, `finally:` continue the statement above.
fn continues_compound(line: &str) -> bool {
    let word: String = line.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    matches!(word.as_str(), "else" | "elif" | "except" | "finally")
}

/// The rows of the chunks that hold any of `rows`, with the file's first
/// statement always included (so a module docstring is still known as one).
pub fn chunk_rows(starts: &[usize], line_count: usize, rows: &[Range<usize>]) -> Vec<Range<usize>> {
    let chunk_of = |row: usize| starts.partition_point(|&start| start <= row).saturating_sub(1);
    let bounds = |index: usize| {
        let start = if index == 0 { 0 } else { starts[index] };
        start..starts.get(index + 1).copied().unwrap_or(line_count)
    };
    let mut chosen: Vec<usize> = vec![0];
    for range in rows {
        let (first, last) = (
            chunk_of(range.start),
            chunk_of(range.end.saturating_sub(1).max(range.start)),
        );
        chosen.extend(first..=last);
    }
    chosen.sort_unstable();
    chosen.dedup();
    let mut out: Vec<Range<usize>> = Vec::new();
    for index in chosen.into_iter().filter(|&i| i < starts.len().max(1)) {
        let range = bounds(index);
        match out.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => out.push(range),
        }
    }
    out
}

/// Tracks brackets, strings and line continuations across lines.
#[derive(Default)]
struct Scanner {
    depth: usize,
    /// The quote that closes the open string, and whether it is triple.
    string: Option<(char, bool)>,
    continued: bool,
}

impl Scanner {
    fn at_statement_boundary(&self) -> bool {
        self.depth == 0 && self.string.is_none() && !self.continued
    }

    fn scan_line(&mut self, line: &str) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        self.continued = false;
        while i < chars.len() {
            let c = chars[i];
            if let Some((quote, triple)) = self.string {
                if c == '\\' {
                    i += 2;
                    continue;
                }
                if c == quote && (!triple || chars[i..].starts_with(&[quote, quote, quote])) {
                    self.string = None;
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                i += 1;
                continue;
            }
            match c {
                '#' => break,
                '\'' | '"' => {
                    let triple = chars[i..].starts_with(&[c, c, c]);
                    self.string = Some((c, triple));
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                '(' | '[' | '{' => self.depth += 1,
                ')' | ']' | '}' => self.depth = self.depth.saturating_sub(1),
                '\\' if i + 1 == chars.len() => self.continued = true,
                _ => {}
            }
            i += 1;
        }
        // A single-quoted string ends with its line unless the line continues.
        if let Some((_, false)) = self.string
            && !line.ends_with('\\')
        {
            self.string = None;
        }
        if line.ends_with('\\') && self.string.is_none() {
            self.continued = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_start_at_column_zero_outside_brackets_and_strings() {
        let text = "import os\n\n@decorator\ndef f(a,\nb):\n    '''doc\nx = 1\n'''\n    return a\nif x:\n    pass\nelse:\n    pass\n# note\ny = [\n1]\nz = 1 + \\\n2\n";
        assert_eq!(statement_starts(text), [0, 2, 9, 14, 16]);
    }

    #[test]
    fn chunks_cover_the_touched_statements_and_the_first() {
        let starts = [0, 2, 9, 14, 16];
        let touched = |rows: std::ops::Range<usize>| chunk_rows(&starts, 18, std::slice::from_ref(&rows));
        assert_eq!(touched(10..11), vec![0..2, 9..14]);
        assert_eq!(touched(1..3), vec![0..9]);
        assert_eq!(touched(17..18), vec![0..2, 16..18]);
    }
}
