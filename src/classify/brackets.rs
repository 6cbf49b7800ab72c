//! Lines of brackets go with the code they close (SPEC, "Never noise").
//!
//! A line holding only closing brackets has no token of its own that could
//! differ, or only a token that kept its place: it is `substantive` when the
//! statement it closes changed substantively (new, edited, moved into
//! another block). A line whose only difference is a layout parenthesis
//! (`if (` of a condition black wrapped) is `substantive` when the
//! parenthesized group holds a substantive change: it belongs to a rewritten
//! expression.

use tree_sitter::Node;

use super::marks::{Mark, SideMarks};
use crate::label::Label;
use crate::python::{ParsedSource, grammar, tokens};

/// Marks the changed rows of one side that close, or open, changed code.
pub fn mark_bracket_rows(source: &ParsedSource, rows: impl Iterator<Item = usize>, marks: &mut SideMarks) {
    let root = source.tree.root_node();
    let substantive =
        |marks: &SideMarks, row: usize| marks.get(row).is_some_and(|mark| mark.label == Label::Substantive);
    let mut upgraded = Vec::new();
    for row in rows {
        if marks.get(row).is_some_and(|mark| mark.label != Label::Formatting) {
            continue;
        }
        let Some(line) = Line::of(source, row) else {
            continue;
        };
        let closes_changed_statement = only_closing_brackets(line.code())
            && line
                .last_closing_bracket()
                .and_then(|byte| statement_around(root, byte))
                .is_some_and(|rows| {
                    rows.filter(|&other| other != row)
                        .any(|other| substantive(marks, other))
                });
        let opens_changed_group = || {
            line.layout_groups(root).any(|rows| {
                rows.filter(|&other| other != row)
                    .any(|other| substantive(marks, other))
            })
        };
        if closes_changed_statement || opens_changed_group() {
            upgraded.push(row);
        }
    }
    for row in upgraded {
        marks.add(row, Mark::plain(Label::Substantive));
    }
}

/// One line of the parsed text: its bytes up to an end-of-line comment (a
/// line of brackets holds no string, so its first `#` starts a comment) and
/// where it starts in the text.
struct Line<'t> {
    bytes: &'t [u8],
    start: usize,
}

impl<'t> Line<'t> {
    fn of(source: &'t ParsedSource, row: usize) -> Option<Line<'t>> {
        let start = *source.line_starts.get(row)?;
        let end = source.line_starts.get(row + 1).copied().unwrap_or(source.text.len());
        let whole = source.text.as_bytes().get(start..end)?;
        let bytes = &whole[..memchr::memchr(b'#', whole).unwrap_or(whole.len())];
        Some(Line { bytes, start })
    }

    fn code(&self) -> &'t [u8] {
        self.bytes.trim_ascii()
    }

    /// The text offset of the line's last closing bracket.
    fn last_closing_bracket(&self) -> Option<usize> {
        let at = self.bytes.iter().rposition(|b| matches!(b, b')' | b']' | b'}'))?;
        Some(self.start + at)
    }

    /// The rows of each parenthesized group whose parentheses are layout
    /// (they produce no token) and stand on this line.
    fn layout_groups<'n>(&self, root: Node<'n>) -> impl Iterator<Item = std::ops::Range<usize>> + use<'n, 't> {
        let start = self.start;
        self.bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b'(' | b')'))
            .filter_map(move |(at, _)| {
                let bracket = root.descendant_for_byte_range(start + at, start + at + 1)?;
                let group = bracket.parent()?;
                let layout = matches!(grammar::kind(bracket), "(" | ")") && tokens::is_layout_group(group);
                layout.then(|| group.start_position().row..group.end_position().row + 1)
            })
    }
}

/// `)`, `]`, `}`, possibly with commas, a colon or a semicolon: nothing that
/// could differ but the brackets.
fn only_closing_brackets(code: &[u8]) -> bool {
    code.iter().any(|b| matches!(b, b')' | b']' | b'}'))
        && code
            .iter()
            .all(|b| matches!(b, b')' | b']' | b'}' | b',' | b':' | b';' | b' ' | b'\t'))
}

/// The rows of the statement holding `byte` (a compound statement's header
/// only: its `def`, `if` or `with` line up to the colon, not its body).
fn statement_around(root: Node<'_>, byte: usize) -> Option<std::ops::Range<usize>> {
    let mut node = root.descendant_for_byte_range(byte, byte + 1)?;
    while let Some(parent) = node.parent() {
        if matches!(grammar::kind(parent), "module" | "block") {
            break;
        }
        node = parent;
    }
    if matches!(grammar::kind(node), "module" | "block") {
        return None;
    }
    let start = node.start_position().row;
    let mut cursor = node.walk();
    let body = node
        .children(&mut cursor)
        .find(|child| grammar::kind(*child) == "block");
    let end = match body {
        Some(body) if body.start_position().row > start => body.start_position().row,
        Some(body) => body.start_position().row + 1,
        None => node.end_position().row + 1,
    };
    Some(start..end)
}
