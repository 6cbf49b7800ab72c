//! Statements found by a line scanner, so that a small change in a big file
//! parses only the statements it touches.
//!
//! A chunk is a whole statement: a top-level one, or one of the body of a
//! top-level class (a method, say). A chunk starts at a line that begins a
//! statement at its level's indentation, outside any bracket, string or line
//! continuation; not a comment, not the `else`/`elif`/`except`/`finally` of a
//! compound statement, not the definition under a decorator. Any selection
//! of top-level chunks, in order, is valid Python, and so is a class header
//! followed by some of its body chunks.

use std::ops::Range;

/// The statements of a file, as first rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunks {
    /// First row of every top-level statement.
    top: Vec<usize>,
    /// The top-level classes whose bodies are split into statements too.
    classes: Vec<ClassChunk>,
    line_count: usize,
}

/// The rows chosen for parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub rows: Vec<Range<usize>>,
    /// The rows of the top-level statements chosen whole: every body inside
    /// them is complete.
    pub whole: Vec<Range<usize>>,
}

impl Selection {
    pub fn covers(&self, row: usize) -> bool {
        self.rows.iter().any(|range| range.contains(&row))
    }

    /// Whether `rows` lie inside one top-level statement chosen whole.
    pub fn holds_whole(&self, rows: &Range<usize>) -> bool {
        self.whole
            .iter()
            .any(|range| range.start <= rows.start && rows.end <= range.end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ClassChunk {
    /// Index into `top`.
    index: usize,
    /// First row of every statement of the body.
    body: Vec<usize>,
}

impl Chunks {
    pub fn scan(text: &str) -> Chunks {
        let lines: Vec<&str> = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .collect();
        let mut scanner = Scanner::default();
        let boundaries: Vec<bool> = lines
            .iter()
            .map(|line| {
                let boundary = scanner.at_statement_boundary();
                scanner.scan_line(line);
                boundary
            })
            .collect();
        let top = starts_at(&lines, &boundaries, 0..lines.len(), 0);
        let classes = top
            .iter()
            .enumerate()
            .filter_map(|(index, &start)| {
                let end = top.get(index + 1).copied().unwrap_or(lines.len());
                class_body(&lines, &boundaries, start..end).map(|body| ClassChunk { index, body })
            })
            .collect();
        Chunks {
            top,
            classes,
            line_count: lines.len(),
        }
    }

    /// The rows of the chunks that hold any of `rows`, always with the file's
    /// first statement (a module docstring stays one), and for a class body
    /// with the class header and the body's first statement (its docstring).
    /// The top-level statements holding `whole_rows` are taken whole.
    pub fn select(&self, rows: &[Range<usize>], whole_rows: &[usize]) -> Selection {
        let mut chosen: Vec<Range<usize>> = vec![self.top_chunk(0)];
        let mut whole = chosen.clone();
        for &row in whole_rows {
            whole.push(self.top_chunk(self.top_index(row)));
        }
        for range in rows {
            let mut row = range.start;
            // Every chunk the range crosses, one chunk at a time.
            loop {
                let holding = self.chunks_holding(row);
                let end = holding.last().map_or(row + 1, |chunk| chunk.end);
                if let [statement] = &holding[..] {
                    whole.push(statement.clone());
                }
                chosen.extend(holding);
                if end >= range.end || end <= row {
                    break;
                }
                row = end;
            }
        }
        chosen.extend(whole.iter().cloned());
        Selection {
            rows: merge(chosen),
            whole: merge(whole),
        }
    }

    fn top_index(&self, row: usize) -> usize {
        self.top.partition_point(|&start| start <= row).saturating_sub(1)
    }

    fn top_chunk(&self, index: usize) -> Range<usize> {
        let start = if index == 0 {
            0
        } else {
            self.top.get(index).copied().unwrap_or(self.line_count)
        };
        start..self.top.get(index + 1).copied().unwrap_or(self.line_count)
    }

    /// The chunk that holds a row: a top-level statement, or inside a split
    /// class its header, its first body statement and the statement itself.
    fn chunks_holding(&self, row: usize) -> Vec<Range<usize>> {
        let index = self.top_index(row);
        let whole = self.top_chunk(index);
        let Some(class) = self.classes.iter().find(|class| class.index == index) else {
            return vec![whole];
        };
        let header = whole.start..class.body[0];
        if row < class.body[0] {
            return vec![whole];
        }
        let body_chunk = |k: usize| class.body[k]..class.body.get(k + 1).copied().unwrap_or(whole.end);
        let k = class.body.partition_point(|&start| start <= row).saturating_sub(1);
        vec![header, body_chunk(0), body_chunk(k)]
    }
}

/// The rows where statements begin at `indent` within `rows`.
fn starts_at(lines: &[&str], boundaries: &[bool], rows: Range<usize>, indent: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut after_decorator = false;
    for row in rows {
        if !boundaries[row] {
            continue;
        }
        let line = lines[row];
        let rest = line.trim_start_matches([' ', '\t']);
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let at_level = line.len() - rest.len() == indent;
        if !at_level {
            continue;
        }
        if !after_decorator && !continues_compound(rest) {
            starts.push(row);
        }
        after_decorator = rest.starts_with('@');
    }
    starts
}

/// The body statements of a top-level class chunk, if it is a class with a
/// body of more than one statement.
fn class_body(lines: &[&str], boundaries: &[bool], chunk: Range<usize>) -> Option<Vec<usize>> {
    let header = chunk.clone().find(|&row| !lines[row].starts_with('@'))?;
    if !lines[header].starts_with("class ") {
        return None;
    }
    let first_body = (header + 1..chunk.end).find(|&row| {
        let rest = lines[row].trim_start_matches([' ', '\t']);
        boundaries[row] && !rest.is_empty() && !rest.starts_with('#') && rest.len() < lines[row].len()
    })?;
    let indent = lines[first_body].len() - lines[first_body].trim_start_matches([' ', '\t']).len();
    let body = starts_at(lines, boundaries, first_body..chunk.end, indent);
    (body.len() > 1 && body[0] == first_body).then_some(body)
}

/// `else:`, `elif x:`, `except E:`, `finally:` continue the statement above.
fn continues_compound(line: &str) -> bool {
    let word: String = line.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    matches!(word.as_str(), "else" | "elif" | "except" | "finally")
}

/// The name on a `def`/`class` line, at any indentation.
pub fn defined_name(line: &[u8]) -> Option<&[u8]> {
    let rest = line.trim_ascii_start();
    let rest = rest.strip_prefix(b"async ").unwrap_or(rest);
    let rest = rest.strip_prefix(b"def ").or_else(|| rest.strip_prefix(b"class "))?;
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))?;
    Some(&rest[..end]).filter(|name| !name.is_empty())
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|range| !range.is_empty());
    ranges.sort_by_key(|range| range.start);
    let mut out: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
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

    /// Scans bytes: every character that matters here is ASCII, and no byte
    /// of a multi-byte UTF-8 character is.
    fn scan_line(&mut self, line: &str) {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if let Some((quote, triple)) = self.string {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == quote as u8 && (!triple || bytes[i..].starts_with(&[c, c, c])) {
                    self.string = None;
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                i += 1;
                continue;
            }
            match c {
                b'#' => break,
                b'\'' | b'"' => {
                    let triple = bytes[i..].starts_with(&[c, c, c]);
                    self.string = Some((c as char, triple));
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        let continues = line.ends_with('\\');
        // A single-quoted string ends with its line unless the line continues.
        if let Some((_, false)) = self.string
            && !continues
        {
            self.string = None;
        }
        self.continued = continues && self.string.is_none();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "import os\n\n@decorator\ndef f(a,\nb):\n    '''doc\nx = 1\n'''\n    return a\nif x:\n    pass\nelse:\n    pass\n# note\ny = [\n1]\nz = 1 + \\\n2\n";

    #[test]
    fn statements_start_at_column_zero_outside_brackets_and_strings() {
        assert_eq!(Chunks::scan(TEXT).top, [0, 2, 9, 14, 16]);
    }

    #[test]
    fn chunks_cover_the_touched_statements_and_the_first() {
        let chunks = Chunks::scan(TEXT);
        let touched = |rows: Range<usize>| chunks.select(std::slice::from_ref(&rows), &[]).rows;
        assert_eq!(touched(10..11), vec![0..2, 9..14]);
        assert_eq!(touched(1..3), vec![0..9]);
        assert_eq!(touched(17..18), vec![0..2, 16..19]);
    }

    #[test]
    fn windows_line_endings_split_the_same_way() {
        assert_eq!(Chunks::scan(&TEXT.replace('\n', "\r\n")).top, Chunks::scan(TEXT).top);
    }

    #[test]
    fn a_class_body_is_split_into_its_statements() {
        let text = "x = 1\nclass A(B):\n    '''Doc.'''\n\n    def a(self):\n        return 1\n\n    @property\n    def b(self):\n        return 2\n\n    def c(self):\n        return 3\ny = 2\n";
        let chunks = Chunks::scan(text);
        assert_eq!(chunks.classes[0].body, [2, 4, 7, 11]);
        let touched = |rows: Range<usize>| chunks.select(std::slice::from_ref(&rows), &[]).rows;
        assert_eq!(
            touched(9..10),
            vec![0..4, 7..11],
            "header, docstring and the touched method"
        );
        assert_eq!(touched(1..2), vec![0..13], "a header change takes the whole class");
        assert_eq!(touched(3..8), vec![0..11], "every statement between the ends");
    }
}
