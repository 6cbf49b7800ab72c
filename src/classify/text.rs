//! Line-level analysis for files that are not parsed: whitespace-only edits
//! are `formatting`, a whole-line comment in a file type whose comments start
//! with `#` is `comment`, everything else `substantive`. Blank rows are left
//! to the blank-line rule (they follow the nearest changed line).

use super::marks::{FileMarks, Mark};
use crate::label::Label;
use crate::lines::{Run, diff_line_slices};

/// How a file type writes a whole-line comment, and where a line that looks
/// like one is content instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentSyntax {
    /// `#` (requirements files, `.gitignore`).
    Hash,
    /// `#` or `;` (INI, `setup.cfg`, `tox.ini`: configparser reads both).
    Ini,
    /// `#`, except inside a block scalar (`run: |`), whose lines are text.
    Yaml,
    /// `#`, except inside a multi-line string (`"""`, `'''`).
    Toml,
    /// `#`, except inside a here-document; a shebang is code.
    Shell,
    /// `#`, except the parser directives at the top (`# syntax=...`).
    Dockerfile,
    /// `#`, except in a recipe (a line that starts with a tab goes to the
    /// shell, and make prints it), a `define` block or a continued line.
    Makefile,
}

/// File types by extension.
const BY_EXTENSION: &[(&str, CommentSyntax)] = &[
    ("toml", CommentSyntax::Toml),
    ("ini", CommentSyntax::Ini),
    ("cfg", CommentSyntax::Ini),
    ("conf", CommentSyntax::Hash),
    ("yaml", CommentSyntax::Yaml),
    ("yml", CommentSyntax::Yaml),
    ("sh", CommentSyntax::Shell),
    ("bash", CommentSyntax::Shell),
    ("zsh", CommentSyntax::Shell),
    ("mk", CommentSyntax::Makefile),
];

/// The same, by whole file name (dotfiles and files without an extension).
const BY_NAME: &[(&str, CommentSyntax)] = &[
    (".coveragerc", CommentSyntax::Ini),
    (".dockerignore", CommentSyntax::Hash),
    (".editorconfig", CommentSyntax::Ini),
    (".flake8", CommentSyntax::Ini),
    (".gitignore", CommentSyntax::Hash),
    (".pylintrc", CommentSyntax::Ini),
    ("Dockerfile", CommentSyntax::Dockerfile),
    ("GNUmakefile", CommentSyntax::Makefile),
    ("Makefile", CommentSyntax::Makefile),
    ("makefile", CommentSyntax::Makefile),
];

/// pip's requirements and constraints files: `requirements.txt`,
/// `requirements-dev.txt`, `requirements/base.in`...
const REQUIREMENTS_PREFIXES: &[&str] = &["requirements", "constraints"];

/// How whole-line comments are written in the file at `path`, if the file
/// type is one whose comments diffscore knows.
pub fn comment_syntax(path: &str) -> Option<CommentSyntax> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, extension)| extension);
    let requirements = REQUIREMENTS_PREFIXES.iter().any(|prefix| {
        (name.starts_with(prefix) && matches!(extension, Some("txt" | "in")))
            || path.split('/').rev().nth(1) == Some(prefix)
    });
    let by_name = BY_NAME.iter().find(|(known, _)| *known == name);
    let by_extension = extension.and_then(|extension| BY_EXTENSION.iter().find(|(known, _)| *known == extension));
    by_name
        .or(by_extension)
        .map(|(_, syntax)| *syntax)
        .or(requirements.then_some(CommentSyntax::Hash))
}

/// Which lines of a file are whole-line comments in its syntax.
pub fn comment_lines(syntax: CommentSyntax, lines: &[&[u8]]) -> Vec<bool> {
    let mut content = ContentTracker::default();
    lines
        .iter()
        .enumerate()
        .map(|(row, line)| {
            let text = line.trim_ascii();
            let inside = content.inside(syntax, line);
            let marker = match syntax {
                CommentSyntax::Ini => text.starts_with(b"#") || text.starts_with(b";"),
                _ => text.starts_with(b"#"),
            };
            let code = match syntax {
                CommentSyntax::Shell => row == 0 && text.starts_with(b"#!"),
                CommentSyntax::Dockerfile => content.in_preamble && is_docker_directive(text),
                CommentSyntax::Makefile => line.first() == Some(&b'\t'),
                _ => false,
            };
            if syntax == CommentSyntax::Dockerfile && !text.is_empty() && !is_docker_directive(text) {
                content.in_preamble = false;
            }
            marker && !inside && !code
        })
        .collect()
}

/// `# syntax=docker/dockerfile:1`, `# escape=` and `# check=` before the
/// first instruction are read by Docker.
fn is_docker_directive(text: &[u8]) -> bool {
    let Some(rest) = text.strip_prefix(b"#") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    [b"syntax=".as_slice(), b"escape=", b"check="]
        .iter()
        .any(|directive| rest.len() >= directive.len() && rest[..directive.len()].eq_ignore_ascii_case(directive))
}

/// Where multi-line content (a YAML block scalar, a TOML multi-line string,
/// a shell here-document) begins and ends, line by line.
#[derive(Debug)]
struct ContentTracker {
    /// YAML: the indentation of the line that opened a block scalar.
    block_indent: Option<usize>,
    /// TOML: the delimiter of the open multi-line string.
    open_string: Option<&'static [u8]>,
    /// Shell: the word that ends the open here-document.
    heredoc: Option<Vec<u8>>,
    /// Dockerfile: no instruction seen yet.
    in_preamble: bool,
    /// Makefile: inside a `define` block.
    in_define: bool,
    /// Makefile: the line before ended with a backslash.
    continued: bool,
}

impl Default for ContentTracker {
    fn default() -> Self {
        ContentTracker {
            block_indent: None,
            open_string: None,
            heredoc: None,
            in_preamble: true,
            in_define: false,
            continued: false,
        }
    }
}

impl ContentTracker {
    /// Whether `line` is content of a multi-line construct opened earlier;
    /// also takes note of what the line opens or closes.
    fn inside(&mut self, syntax: CommentSyntax, line: &[u8]) -> bool {
        let text = line.trim_ascii();
        match syntax {
            CommentSyntax::Yaml => {
                let indent = line.iter().take_while(|b| **b == b' ').count();
                if let Some(block) = self.block_indent {
                    if text.is_empty() || indent > block {
                        return true;
                    }
                    self.block_indent = None;
                }
                if !text.starts_with(b"#") && opens_block_scalar(text) {
                    self.block_indent = Some(indent);
                }
                false
            }
            CommentSyntax::Toml => {
                let was_inside = self.open_string.is_some();
                for delimiter in [b"\"\"\"".as_slice(), b"'''"] {
                    let count = memchr::memmem::find_iter(line, delimiter).count();
                    if count % 2 == 1 && self.open_string.is_none_or(|open| open == delimiter) {
                        self.open_string = match self.open_string {
                            Some(_) => None,
                            None => Some(delimiter),
                        };
                    }
                }
                was_inside
            }
            CommentSyntax::Shell | CommentSyntax::Dockerfile => {
                if let Some(word) = &self.heredoc {
                    if text == word.as_slice() {
                        self.heredoc = None;
                    }
                    return true;
                }
                if !text.starts_with(b"#") {
                    self.heredoc = heredoc_word(text);
                }
                false
            }
            CommentSyntax::Makefile => {
                let inside = self.in_define || self.continued;
                let mut words = text.split(|b| b.is_ascii_whitespace()).filter(|word| !word.is_empty());
                let first = words.next().unwrap_or_default();
                let opens = first == b"define"
                    || (matches!(first, b"override" | b"export" | b"private") && words.next() == Some(b"define"));
                if self.in_define {
                    self.in_define = first != b"endef";
                } else if line.first() != Some(&b'\t') {
                    self.in_define = opens;
                }
                self.continued = line.trim_ascii_end().ends_with(b"\\");
                inside
            }
            CommentSyntax::Hash | CommentSyntax::Ini => false,
        }
    }
}

/// `key: |`, `- >-`, `run: |2`: a value that is a block of text below.
fn opens_block_scalar(text: &[u8]) -> bool {
    let value = match memchr::memmem::find(text, b" #") {
        Some(comment) => text[..comment].trim_ascii_end(),
        None => text,
    };
    let indicator = value
        .iter()
        .rposition(|b| matches!(b, b'|' | b'>'))
        .filter(|&at| at == 0 || matches!(value[at - 1], b' ' | b':' | b'-'));
    indicator.is_some_and(|at| value[at + 1..].iter().all(|b| matches!(b, b'+' | b'-' | b'1'..=b'9')))
}

/// The word that ends a here-document this line opens (`cat <<EOF`,
/// `<<-'END'`), if it opens one.
fn heredoc_word(text: &[u8]) -> Option<Vec<u8>> {
    let at = memchr::memmem::find(text, b"<<")?;
    let rest = &text[at + 2..];
    if rest.first() == Some(&b'<') {
        return None; // `<<<` is a here-string, on one line
    }
    let rest = rest.strip_prefix(b"-").unwrap_or(rest).trim_ascii_start();
    let word: Vec<u8> = rest
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'\'' | b'"'))
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Which whitespace of a line is more than layout in a file that is not
/// parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Significant {
    /// Leading whitespace: structure in YAML, Makefiles, Python, and the
    /// continuation lines of setup.cfg and INI values.
    pub indentation: bool,
    /// Whitespace inside quotes, and after a backslash that ends a line: a
    /// value in JSON, TOML, YAML, shell and configuration files (not in
    /// prose, where an apostrophe is no quote).
    pub quotes: bool,
}

impl Significant {
    pub fn for_path(path: &str) -> Significant {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.').map(|(_, extension)| extension);
        let makefile = matches!(name, "Makefile" | "makefile" | "GNUmakefile");
        let script = matches!(name, "Dockerfile" | "Containerfile") || makefile;
        Significant {
            indentation: makefile || matches!(extension, Some("yml" | "yaml" | "mk" | "py" | "pyi" | "cfg" | "ini")),
            quotes: script
                || matches!(
                    extension,
                    Some(
                        "json"
                            | "toml"
                            | "yml"
                            | "yaml"
                            | "cfg"
                            | "ini"
                            | "sh"
                            | "bash"
                            | "zsh"
                            | "env"
                            | "py"
                            | "pyi"
                            | "mk"
                            | "conf"
                            | "properties"
                            | "cmake"
                    )
                ),
        }
    }

    /// A Python file that did not parse, read line by line.
    pub const PYTHON: Significant = Significant {
        indentation: true,
        quotes: true,
    };
}

/// Marks the rows of each run: a row whose words (and indentation, where
/// it matters) are matched by a row on the other side is layout; a
/// whole-line comment in the file's `syntax` is a comment; the rest is
/// substantive.
pub fn mark_runs(
    runs: &[Run],
    old_lines: &[&[u8]],
    new_lines: &[&[u8]],
    syntax: Option<CommentSyntax>,
    significant: Significant,
    marks: &mut FileMarks,
) {
    let comments = |lines: &[&[u8]]| syntax.map(|syntax| comment_lines(syntax, lines)).unwrap_or_default();
    let (old_comments, new_comments) = (comments(old_lines), comments(new_lines));
    for run in runs {
        let old: Vec<Vec<u8>> = old_lines[run.old.clone()]
            .iter()
            .map(|l| words(l, significant))
            .collect();
        let new: Vec<Vec<u8>> = new_lines[run.new.clone()]
            .iter()
            .map(|l| words(l, significant))
            .collect();
        let mut old_changed = vec![false; old.len()];
        let mut new_changed = vec![false; new.len()];
        for inner in diff_line_slices(&old, &new).runs {
            inner.old.for_each(|i| old_changed[i] = true);
            inner.new.for_each(|i| new_changed[i] = true);
        }
        let label = |comment: bool, changed: bool| match (changed, comment) {
            (false, _) => Label::Formatting,
            (true, true) => Label::Comment,
            (true, false) => Label::Substantive,
        };
        for (i, (text, changed)) in old.iter().zip(old_changed).enumerate() {
            let row = run.old.start + i;
            if !text.is_empty() {
                let comment = old_comments.get(row).copied().unwrap_or(false);
                marks.old.add(row, Mark::plain(label(comment, changed)));
            }
        }
        for (i, (text, changed)) in new.iter().zip(new_changed).enumerate() {
            let row = run.new.start + i;
            if !text.is_empty() {
                let comment = new_comments.get(row).copied().unwrap_or(false);
                marks.new.add(row, Mark::plain(label(comment, changed)));
            }
        }
    }
}

/// A line's words joined by one space: spacing between words is layout,
/// but joining two words (`"$DIR" /tmp` → `"$DIR"/tmp`) is not. What
/// `significant` says stays as it is: the leading whitespace, the text
/// between quotes, whitespace after a backslash that ends the line. Empty
/// for a blank line.
fn words(line: &[u8], significant: Significant) -> Vec<u8> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut out: Vec<u8> = Vec::with_capacity(line.len());
    if significant.indentation && line.iter().any(|b| !b.is_ascii_whitespace()) {
        out.extend(line.iter().take_while(|b| matches!(b, b' ' | b'\t')));
    }
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut gap = false;
    for &byte in line {
        if let Some(open) = quote {
            out.push(byte);
            if byte == open && !escaped {
                quote = None;
            }
            escaped = byte == b'\\' && !escaped;
            continue;
        }
        if byte.is_ascii_whitespace() {
            gap = true;
            continue;
        }
        if gap && out.last().is_some_and(|b| !b.is_ascii_whitespace()) {
            out.push(b' ');
        }
        gap = false;
        out.push(byte);
        if significant.quotes && matches!(byte, b'"' | b'\'') {
            quote = Some(byte);
            escaped = false;
        }
    }
    if significant.quotes && gap && out.last() == Some(&b'\\') {
        out.push(b' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::marks::SideMarks;

    #[test]
    fn joining_two_words_is_not_layout_and_indentation_counts_where_it_matters() {
        let (prose, yaml, makefile) = (
            Significant::for_path("README.md"),
            Significant::for_path(".github/workflows/ci.yml"),
            Significant::for_path("Makefile"),
        );
        assert_eq!(words(b"rm -rf  \"$DIR\"   /tmp\n", prose), b"rm -rf \"$DIR\" /tmp");
        assert_ne!(
            words(b"rm -rf \"$DIR\" /tmp", prose),
            words(b"rm -rf \"$DIR\"/tmp", prose)
        );
        assert_eq!(words(b"  env:\n", prose), words(b"env:\n", prose));
        assert_ne!(words(b"  env:\n", yaml), words(b"env:\n", yaml));
        assert_ne!(words(b"\tcc -o x\n", makefile), words(b"    cc -o x\n", makefile));
        assert_eq!(words(b"   \n", yaml), b"");
        let cfg = Significant::for_path("setup.cfg");
        assert_ne!(
            words(b"    click\n", cfg),
            words(b"click\n", cfg),
            "a continuation line"
        );
    }

    #[test]
    fn whitespace_inside_quotes_is_a_value_where_quotes_delimit_values() {
        let (json, shell, prose) = (
            Significant::for_path("config.json"),
            Significant::for_path("deploy.sh"),
            Significant::for_path("notes.txt"),
        );
        assert_ne!(
            words(b"  \"sep\": \", \",\n", json),
            words(b"  \"sep\": \",\",\n", json)
        );
        assert_eq!(
            words(b"  \"sep\":  \", \",\n", json),
            words(b"  \"sep\": \", \",\n", json)
        );
        assert_ne!(words(b"echo 'a  b'\n", shell), words(b"echo 'a b'\n", shell));
        assert_eq!(
            words(b"echo \"a \\\" b\"   x\n", shell),
            words(b"echo \"a \\\" b\" x\n", shell)
        );
        assert_ne!(
            words(b"make build \\ \n", shell),
            words(b"make build \\\n", shell),
            "a broken continuation"
        );
        assert_eq!(words(b"don't  stop\n", prose), words(b"don't stop\n", prose));
    }

    #[test]
    fn comment_syntax_is_known_by_file_type() {
        for (path, syntax) in [
            ("pyproject.toml", CommentSyntax::Toml),
            ("setup.cfg", CommentSyntax::Ini),
            ("tox.ini", CommentSyntax::Ini),
            (".github/workflows/ci.yml", CommentSyntax::Yaml),
            ("scripts/release.sh", CommentSyntax::Shell),
            ("requirements.txt", CommentSyntax::Hash),
            ("requirements-dev.txt", CommentSyntax::Hash),
            ("requirements/base.txt", CommentSyntax::Hash),
            ("constraints.in", CommentSyntax::Hash),
            (".gitignore", CommentSyntax::Hash),
            ("docker/Dockerfile", CommentSyntax::Dockerfile),
            ("Makefile", CommentSyntax::Makefile),
            ("build/rules.mk", CommentSyntax::Makefile),
        ] {
            assert_eq!(comment_syntax(path), Some(syntax), "{path}");
        }
        for path in ["README.md", "notes.txt", "app.js", "data.json", "Makefile.am"] {
            assert_eq!(comment_syntax(path), None, "{path}");
        }
    }

    fn comments(syntax: CommentSyntax, text: &str) -> Vec<usize> {
        let lines: Vec<&[u8]> = text.lines().map(str::as_bytes).collect();
        let flags = comment_lines(syntax, &lines);
        (0..lines.len()).filter(|&row| flags[row]).map(|row| row + 1).collect()
    }

    #[test]
    fn a_hash_inside_text_blocks_is_content() {
        let yaml = "# top\nbody:\n  value: |\n    ### Django version\n    # not a comment\n  other: 1\n  # comment\n";
        assert_eq!(comments(CommentSyntax::Yaml, yaml), [1, 7]);
        let toml = "# top\n[tool.black]\nextend-exclude = \"\"\"\n# inside\n\"\"\"\n# after\n";
        assert_eq!(comments(CommentSyntax::Toml, toml), [1, 6]);
        let shell = "#!/bin/sh\n# note\ncat <<EOF\n# text\nEOF\n# again\n";
        assert_eq!(comments(CommentSyntax::Shell, shell), [2, 6]);
        let ini = "# one\n; two\nkey = 1 ; three\n";
        assert_eq!(comments(CommentSyntax::Ini, ini), [1, 2]);
        let docker = "# syntax=docker/dockerfile:1\n# note\nFROM python\n# syntax=late\n";
        assert_eq!(comments(CommentSyntax::Dockerfile, docker), [2, 4]);
        // A recipe line goes to the shell (and make prints it); a define
        // block is a value; a continued line is part of the line before.
        let make = "# top\ntest:\n\t# printed\n\tpytest\n  # indented\ndefine HELP\n# text\nendef\nFLAGS = -a \\\n# continued\n# after\n";
        assert_eq!(comments(CommentSyntax::Makefile, make), [1, 5, 11]);
    }

    #[test]
    fn comment_lines_are_comments_and_a_shebang_is_code() {
        let old: Vec<&[u8]> = vec![b"#!/bin/sh\n", b"set -e\n"];
        let new: Vec<&[u8]> = vec![b"#!/bin/bash\n", b"# stop on errors\n", b"\n", b"set  -e\n"];
        let mut marks = FileMarks {
            old: SideMarks::new(2),
            new: SideMarks::new(4),
        };
        let run = Run { old: 0..2, new: 0..4 };
        mark_runs(
            &[run],
            &old,
            &new,
            Some(CommentSyntax::Shell),
            Significant::default(),
            &mut marks,
        );
        let labels: Vec<Option<Label>> = (0..4).map(|r| marks.new.get(r).map(|m| m.label)).collect();
        assert_eq!(
            labels,
            [
                Some(Label::Substantive),
                Some(Label::Comment),
                None,
                Some(Label::Formatting)
            ]
        );
    }
}
