//! Indentation Python refuses: tabs and spaces mixed so that the meaning of
//! the indentation depends on the tab size (`TabError`).
//!
//! tree-sitter reads a tab as one level wherever it stands, so a line
//! re-indented with a tab among lines indented with spaces parses cleanly,
//! though Python will not compile the file. This module applies Python's own
//! check (its tokenizer compares each line's indentation with tabs as 8
//! columns and as 1, and both must order the lines alike).

use super::chunks::logical_lines;

/// The rows whose indentation Python rejects as inconsistent use of tabs.
pub fn tab_errors(text: &str) -> Vec<usize> {
    if !indents_with_a_tab(text) {
        return Vec::new();
    }
    // Indentation levels open so far, as (columns with tabs of 8, columns with tabs of 1).
    let mut open = vec![(0usize, 0usize)];
    let mut errors = Vec::new();
    for (row, line) in logical_lines(text) {
        let (column, alternative) = columns(line);
        let &(top, alternative_top) = open.last().unwrap_or(&(0, 0));
        let consistent = if column == top {
            alternative == alternative_top
        } else if column > top {
            let deeper = alternative > alternative_top;
            open.push((column, alternative));
            deeper
        } else {
            while open.len() > 1 && column < open.last().map_or(0, |level| level.0) {
                open.pop();
            }
            open.last()
                .is_some_and(|&(_, alternative_top)| alternative == alternative_top)
        };
        if !consistent {
            errors.push(row);
        }
    }
    errors
}

/// Whether any line's indentation holds a tab (a tab elsewhere, in a string
/// or between tokens, is no indentation).
fn indents_with_a_tab(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\t', bytes).any(|at| {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |newline| newline + 1);
        bytes[line_start..at]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
    })
}

/// A line's indentation in columns with tabs to multiples of 8, and with
/// tabs counted as one column.
fn columns(line: &str) -> (usize, usize) {
    let (mut column, mut alternative) = (0, 0);
    for byte in line.bytes() {
        match byte {
            b' ' => (column, alternative) = (column + 1, alternative + 1),
            b'\t' => (column, alternative) = ((column / 8 + 1) * 8, alternative + 1),
            b'\x0c' => (column, alternative) = (0, 0),
            _ => break,
        }
    }
    (column, alternative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tab_among_spaces_is_an_error_where_the_tab_size_decides() {
        let mixed = "def f(x):\n        if x:\n\t    return 1\n        return 2\n";
        assert_eq!(tab_errors(mixed), [2]);
        let tabs = "def f(x):\n\tif x:\n\t\treturn 1\n\treturn 2\n";
        assert!(tab_errors(tabs).is_empty());
        let spaces = "def f(x):\n    return x\n";
        assert!(tab_errors(spaces).is_empty());
        let continuation = "x = f(1,\n\t2)\ny = 3\n";
        assert!(
            tab_errors(continuation).is_empty(),
            "a continuation line is no logical line"
        );
    }
}
