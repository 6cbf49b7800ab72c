//! Python source → a stream of normalised tokens that carries the tree's structure.
//!
//! Each token's key is equal on both sides exactly when the token means the
//! same thing: it hashes the token's role, its normalised text (string and
//! number values, not spellings) and its block depth, so a statement moved
//! into or out of a block never compares equal even though its text did not
//! change. Pure layout (trailing commas in brackets, redundant parentheses,
//! `;`, `\` line joins) produces no token at all.

use std::hash::{BuildHasher, Hash};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use tree_sitter::{Node, Tree, TreeCursor};

use super::bindings::Bindings;
use super::chunks::{Selection, defined_name};
use super::grammar::{self, is};
use super::literals::{StringPrefix, normalize_concatenation, normalize_docstring, normalize_number, normalize_string};
use super::names::{ClassHeader, LexicalKind, LexicalScope, NamePosition, NameSite, name_position};

/// What a token is, for deciding which label a difference in it earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Keywords, operators, literals: any difference is substantive.
    Code,
    /// An identifier outside annotations: a difference may be a rename.
    Name,
    /// A token inside a type annotation (or the `:`/`->` that introduces it).
    Annotation,
    /// The docstring of a module, class or function, as one token.
    Docstring,
    /// A comment.
    Comment,
}

/// One token of a parsed file. Rows are 0-based and inclusive.
#[derive(Debug, Clone)]
pub struct Token {
    pub key: u64,
    /// The key with an identifier's name left out: two identifiers in the
    /// same place share it, so a renamed name still aligns with its old self
    /// next to a changed token.
    pub shape: u64,
    pub role: Role,
    pub first_row: u32,
    pub last_row: u32,
    pub start_byte: u32,
    pub end_byte: u32,
    /// Index into [`ParsedSource::scopes`] of the innermost definition holding the token.
    pub scope: u32,
    /// Number of enclosing blocks.
    pub depth: u32,
    /// Where an identifier stands, for scope analysis; `None` for other tokens.
    pub site: Option<NameSite>,
}

impl Token {
    pub fn rows(&self) -> std::ops::RangeInclusive<usize> {
        self.first_row as usize..=self.last_row as usize
    }
}

/// A named definition (or the module), for messages and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Dotted path from the module, e.g. `ReportView.get`; empty for the module.
    pub qualified_name: String,
    pub kind: ScopeKind,
    /// The token of the definition's name (`None` for the module).
    pub name_token: Option<u32>,
    /// Whether the definition has a docstring.
    pub documented: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    Method,
}

/// One side of a Python file, parsed and tokenised.
pub struct ParsedSource {
    /// The text as parsed (a UTF-8 byte-order mark removed).
    pub text: String,
    pub tree: Tree,
    /// Code tokens (everything but comments), in source order.
    pub tokens: Vec<Token>,
    /// Comment tokens, in source order.
    pub comments: Vec<Token>,
    /// Scope 0 is the module.
    pub scopes: Vec<Scope>,
    /// Python's lexical scopes (module, classes, functions, lambdas,
    /// comprehensions); index 0 is the module.
    pub lexical_scopes: Vec<LexicalScope>,
    pub parse_errors: bool,
    /// The rows of the tree's syntax errors: each `ERROR` node, and the
    /// construct around each missing token (an unterminated string, a call
    /// left open). Nothing there can be trusted to mean what it did.
    pub error_rows: Vec<std::ops::Range<usize>>,
    /// The rows parsed, when only some were.
    pub selection: Option<Selection>,
    /// Where each line of `text` starts.
    pub line_starts: Vec<usize>,
    /// Token ranges of the import statements, in order.
    pub imports: Vec<std::ops::Range<usize>>,
    /// The names of imports that may be used only in annotations, spelled in
    /// statements a partial parse left out, each with the rows of its import
    /// (see [`ParsedSource::mark_annotation_only_imports`]).
    pub uncertain_imports: Vec<(String, std::ops::Range<usize>)>,
    /// The bytes of the f-string fields that print their own spelling
    /// (`{total=}`), in order.
    pub self_documenting: Vec<std::ops::Range<usize>>,
    /// The names the parsed annotations read when their definitions run
    /// (see [`Bindings`]): the module needs them bound.
    pub evaluated_annotation_names: HashSet<String>,
    /// Whether the module defers its annotations (see [`defers_annotations`]).
    pub defers_annotations: bool,
}

impl ParsedSource {
    /// What the import statements touching `rows` bring in, as sorted
    /// `module:name:alias` entries, or `None` when no import touches them or
    /// other code shares those rows (then they are not only imports).
    pub fn imports_on_rows(&self, rows: &[std::ops::Range<usize>]) -> Option<Vec<String>> {
        let touches = |token: &Token| rows.iter().any(|range| token.rows().any(|row| range.contains(&row)));
        let statements: Vec<&std::ops::Range<usize>> = self
            .imports
            .iter()
            .filter(|range| self.tokens[(*range).clone()].iter().any(touches))
            .collect();
        if statements.is_empty() {
            return None;
        }
        let in_statement = |index: usize| statements.iter().any(|range| range.contains(&index));
        let only_imports = self
            .tokens
            .iter()
            .enumerate()
            .all(|(index, token)| !touches(token) || in_statement(index));
        if !only_imports {
            return None;
        }
        let mut entries: Vec<String> = statements
            .into_iter()
            .flat_map(|range| self.import_entries(range.clone()))
            .collect();
        entries.sort_unstable();
        Some(entries)
    }

    /// `from m import a as b, c` → `m:a:b`, `m:c:c`; `import x.y` → `:x.y:x`.
    fn import_entries(&self, range: std::ops::Range<usize>) -> Vec<String> {
        let words: Vec<&str> = self.tokens[range].iter().map(|t| self.token_text(t)).collect();
        let (module, names) = match words.iter().position(|w| *w == "import") {
            Some(at) if words.first() == Some(&"from") => (words[1..at].concat(), &words[at + 1..]),
            Some(at) => (String::new(), &words[at + 1..]),
            None => return Vec::new(),
        };
        names
            .split(|w| *w == ",")
            .filter(|group| !group.is_empty())
            .map(|group| {
                let (name, alias) = match group.iter().position(|w| *w == "as") {
                    Some(at) => (group[..at].concat(), group[at + 1..].concat()),
                    None => {
                        let name = group.concat();
                        let bound = name.split('.').next().unwrap_or_default().to_owned();
                        (name, if module.is_empty() { bound } else { group.concat() })
                    }
                };
                format!("{module}:{name}:{alias}")
            })
            .collect()
    }

    /// Whether `word` appears as a whole identifier in the rows that were not
    /// parsed (text, strings and comments included: a superset of its uses).
    pub fn mentions_outside_parsed(&self, word: &str) -> bool {
        self.unparsed_text()
            .any(|text| word_positions(text.as_bytes(), word.as_bytes()).next().is_some())
    }

    /// Whether `word` appears, in the rows that were not parsed, where it
    /// can only be code: nothing before it on its line could open an
    /// annotation, a string or a comment (no `:`, `->`, quote or `#`). A
    /// name used in a multi-line annotation may be taken for code.
    pub fn used_as_code_outside_parsed(&self, word: &str) -> bool {
        self.unparsed_text().any(|text| {
            word_positions(text.as_bytes(), word.as_bytes()).any(|at| {
                let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
                !text[line_start..at].contains([':', '>', '"', '\'', '#'])
            })
        })
    }

    /// Whether a statement outside the parsed rows defines `name` at the top
    /// level (a class defined twice, say).
    pub fn defines_outside_parsed(&self, name: &str) -> bool {
        self.unparsed_text()
            .flat_map(|text| text.split('\n'))
            .any(|line| !line.starts_with([' ', '\t']) && defined_name(line.as_bytes()) == Some(name.as_bytes()))
    }

    /// Whether every line of `rows` that is not blank was parsed.
    pub fn parsed_rows(&self, rows: &std::ops::Range<usize>) -> bool {
        let Some(selection) = &self.selection else {
            return true;
        };
        rows.clone().all(|row| {
            // The selection's ranges are sorted and disjoint.
            let after = selection.rows.partition_point(|range| range.end <= row);
            let parsed = selection.rows.get(after).is_some_and(|range| range.start <= row);
            parsed || self.line(row).trim().is_empty()
        })
    }

    /// The text of line `row`, its line break included; empty past the end.
    pub fn line(&self, row: usize) -> &str {
        let start = self.line_starts.get(row).copied().unwrap_or(self.text.len());
        let end = self.line_starts.get(row + 1).copied().unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// Whether `row` lies in a function of which only some statements were
    /// parsed (its local names may be spelled in the rows left out).
    pub fn in_split_function(&self, row: usize) -> bool {
        self.selection
            .as_ref()
            .is_some_and(|selection| selection.in_split_function(row))
    }

    /// Whether only some statements were parsed (names elsewhere are unknown).
    pub fn partial(&self) -> bool {
        self.selection.is_some()
    }

    /// Whether every statement of the body `container` (a dotted class path,
    /// `""` for the module) that holds `rows` was parsed, as itself or a stub.
    pub fn holds_body(&self, container: &str, rows: &std::ops::Range<usize>) -> bool {
        self.selection
            .as_ref()
            .is_none_or(|selection| selection.holds_body(container, rows))
    }

    /// The text of each stretch of rows that was not parsed, whole lines
    /// (none after a whole parse).
    fn unparsed_text(&self) -> impl Iterator<Item = &str> {
        let parsed = self.selection.as_ref().map(|selection| selection.rows.as_slice());
        let byte = |row: usize| self.line_starts.get(row).copied().unwrap_or(self.text.len());
        let gaps = parsed.into_iter().flat_map(|rows| {
            let starts = std::iter::once(0).chain(rows.iter().map(|range| range.end));
            starts.zip(rows.iter().map(|range| range.start).chain(std::iter::once(usize::MAX)))
        });
        gaps.map(move |(start, end)| &self.text[byte(start)..byte(end).max(byte(start))])
            .filter(|text| !text.is_empty())
    }
}

impl ParsedSource {
    pub fn token_text(&self, token: &Token) -> &str {
        &self.text[token.start_byte as usize..token.end_byte as usize]
    }
}

/// Where `word` appears in `text` as a whole identifier (in code, strings
/// or comments alike), as byte offsets.
pub fn word_positions<'t>(text: &'t [u8], word: &'t [u8]) -> impl Iterator<Item = usize> + 't {
    memchr::memmem::find_iter(text, word).filter(move |&at| is_whole_word(text, at, word.len()))
}

/// Whether the `len` bytes at `at` in `text` are not part of a longer identifier.
pub fn is_whole_word(text: &[u8], at: usize, len: usize) -> bool {
    let is_identifier_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let before = text[..at].last().copied();
    let after = text.get(at + len).copied();
    !before.is_some_and(is_identifier_byte) && !after.is_some_and(is_identifier_byte)
}

/// Token keys are compared, never stored: a fast hash of good quality, with
/// a fixed seed so that both sides of a diff agree.
const KEYS: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x6469_6666_7363_6f72);

fn key_of(value: impl Hash) -> u64 {
    KEYS.hash_one(value)
}

/// Parses Python source. Returns `None` only if tree-sitter gives up entirely.
pub fn parse(text: &str) -> Option<ParsedSource> {
    parse_rows(text, None)
}

/// Parses only some rows of a file (whole top-level statements, see
/// [`super::chunks`]), or all of it; positions stay those of the whole file.
pub fn parse_rows(text: &str, selection: Option<&Selection>) -> Option<ParsedSource> {
    parse_with(text, selection, None, None)
}

/// Parses the new version of a file reusing the old version's tree, so that
/// tree-sitter re-parses only around the edits. `edits` are whole-line
/// replacements `(old rows, new rows)`, in order; `selection` the new
/// version's rows to parse, when the old version was parsed partially too.
pub fn reparse(
    old: &ParsedSource,
    new_text: &str,
    selection: Option<&Selection>,
    edits: &[(std::ops::Range<usize>, std::ops::Range<usize>)],
) -> Option<ParsedSource> {
    if old.partial() != selection.is_some() || new_text.starts_with('\u{feff}') {
        return parse_rows(new_text, selection);
    }
    let new_starts = line_starts(new_text);
    let old_lines = LineIndex {
        text: &old.text,
        starts: &old.line_starts,
    };
    let new_lines = LineIndex {
        text: new_text,
        starts: &new_starts,
    };
    let mut tree = old.tree.clone();
    // Later edits first, so that each one's old positions are still valid.
    for (old_rows, new_rows) in edits.iter().rev() {
        let (start_byte, start_position) = old_lines.at(old_rows.start);
        let (old_end_byte, old_end_position) = old_lines.at(old_rows.end);
        let (new_start, _) = new_lines.at(new_rows.start);
        let (new_end, end_in_new) = new_lines.at(new_rows.end);
        let rows_added = end_in_new.row - new_lines.at(new_rows.start).1.row;
        let new_end_position = tree_sitter::Point {
            row: start_position.row + rows_added,
            column: if rows_added == 0 {
                start_position.column + end_in_new.column
            } else {
                end_in_new.column
            },
        };
        tree.edit(&tree_sitter::InputEdit {
            start_byte,
            old_end_byte,
            new_end_byte: start_byte + (new_end - new_start),
            start_position,
            old_end_position,
            new_end_position,
        });
    }
    if let Some(selection) = selection {
        mark_newly_included(&mut tree, &included_ranges(new_text, &new_starts, &selection.rows));
    }
    parse_with(new_text, selection, Some(&tree), Some(new_starts))
}

/// Marks changed, for each range the tree did not include, the gap before
/// it. Tree-sitter keeps any node that does not overlap a range whose
/// inclusion changed, but a node that ended where the old ranges did (a
/// class whose body went on after a gap) may not end there any more: unmarked,
/// the statement after the gap was parsed outside its class.
fn mark_newly_included(tree: &mut Tree, ranges: &[tree_sitter::Range]) {
    let included = tree.included_ranges();
    for range in ranges {
        let inside = |old: &tree_sitter::Range| old.start_byte <= range.start_byte && range.start_byte < old.end_byte;
        if included.iter().any(inside) {
            continue;
        }
        if let Some(before) = included.iter().rfind(|old| old.end_byte <= range.start_byte) {
            // Same text: the edit only tells the parser to look again.
            tree.edit(&tree_sitter::InputEdit {
                start_byte: before.end_byte,
                old_end_byte: range.start_byte,
                new_end_byte: range.start_byte,
                start_position: before.end_point,
                old_end_position: range.start_point,
                new_end_position: range.start_point,
            });
        }
    }
}

/// Whether the module defers its annotations (`from __future__ import
/// annotations`): then none is evaluated when its definition runs.
fn defers_annotations(text: &str) -> bool {
    let future = "from __future__ import";
    crate::lines::lines_containing(text, future).any(|line| line.starts_with(future) && line.contains("annotations"))
}

/// Where each line of a text starts.
fn line_starts(text: &str) -> Vec<usize> {
    // Python lines average some 35 bytes: one allocation, mostly.
    let mut starts = Vec::with_capacity(text.len() / 24 + 1);
    starts.extend(crate::lines::line_starts(text));
    starts
}

/// Byte offsets and points of line starts.
struct LineIndex<'t> {
    text: &'t str,
    starts: &'t [usize],
}

impl LineIndex<'_> {
    /// The byte and point where `row` starts; past the last line, the end of the text.
    fn at(&self, row: usize) -> (usize, tree_sitter::Point) {
        match self.starts.get(row) {
            Some(&byte) if byte < self.text.len() || row == 0 => (byte, tree_sitter::Point { row, column: 0 }),
            _ => {
                let last = self.starts.len() - 1;
                let column = self.text.len() - self.starts[last];
                (self.text.len(), tree_sitter::Point { row: last, column })
            }
        }
    }
}

/// Parses `text` (the rows of `selection`, or all of it), reusing `old_tree`
/// if given; `starts` are the text's line starts, when already known.
fn parse_with(
    text: &str,
    selection: Option<&Selection>,
    old_tree: Option<&Tree>,
    starts: Option<Vec<usize>>,
) -> Option<ParsedSource> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let starts = starts.unwrap_or_else(|| line_starts(text));
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled Python grammar matches the tree-sitter version");
    if let Some(selection) = selection {
        let mut ranges = included_ranges(text, &starts, &selection.rows);
        if ranges.is_empty() {
            // No range at all would mean the whole text: one empty range
            // parses nothing (a file whose content did not change).
            let origin = tree_sitter::Point { row: 0, column: 0 };
            ranges.push(tree_sitter::Range {
                start_byte: 0,
                end_byte: 0,
                start_point: origin,
                end_point: origin,
            });
        }
        parser.set_included_ranges(&ranges).ok()?;
    }
    let tree = parser.parse(text, old_tree)?;
    let mut builder = Builder::new(text);
    builder.walk(tree.walk());
    let Builder {
        tokens,
        comments,
        scopes,
        lexical_scopes,
        imports,
        self_documenting,
        evaluated_annotation_names,
        defers_annotations,
        ..
    } = builder;
    let error_rows = error_rows(tree.root_node(), text);
    let mut source = ParsedSource {
        selection: selection.cloned(),
        line_starts: starts,
        parse_errors: !error_rows.is_empty(),
        error_rows,
        text: text.to_owned(),
        tree,
        tokens,
        comments,
        scopes,
        lexical_scopes,
        imports,
        uncertain_imports: Vec::new(),
        self_documenting,
        evaluated_annotation_names,
        defers_annotations,
    };
    source.mark_annotation_only_imports();
    Some(source)
}

/// The rows of a tree's syntax errors (see [`ParsedSource::error_rows`]),
/// found by descending only into nodes that hold one, and the rows whose
/// mix of tabs and spaces Python rejects (tree-sitter does not).
fn error_rows(root: Node<'_>, text: &str) -> Vec<std::ops::Range<usize>> {
    let mut rows: Vec<std::ops::Range<usize>> = super::indentation::tab_errors(text)
        .into_iter()
        .map(|row| row..row + 1)
        .collect();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if !node.has_error() {
            continue;
        }
        let broken = if node.is_error() {
            Some(node)
        } else if node.is_missing() {
            // The construct the missing token should have closed, unless
            // that is a whole body (then the token's own row).
            node.parent()
                .filter(|parent| !matches!(grammar::kind(*parent), "module" | "block"))
                .or(Some(node))
        } else {
            None
        };
        match broken {
            Some(broken) => rows.push(broken.start_position().row..broken.end_position().row + 1),
            None => {
                let mut cursor = node.walk();
                pending.extend(node.children(&mut cursor));
            }
        }
    }
    rows.sort_by_key(|range| range.start);
    rows
}

/// The byte ranges (with their points) of whole rows.
fn included_ranges(text: &str, line_starts: &[usize], rows: &[std::ops::Range<usize>]) -> Vec<tree_sitter::Range> {
    // Row `last_row` starts at the end of the text.
    let last_row = line_starts.len() - usize::from(line_starts.last() == Some(&text.len()));
    let start = |row: usize| line_starts.get(row).copied().unwrap_or(text.len());
    let point = |row: usize| {
        let row = row.min(last_row);
        let byte = start(row);
        // The end of a file without a final newline is inside the last line.
        let (row, column) = if row > 0 && byte == text.len() && !text.ends_with('\n') {
            (row - 1, byte - start(row - 1))
        } else {
            (row, 0)
        };
        (byte, tree_sitter::Point { row, column })
    };
    rows.iter()
        .map(|range| {
            let ((start_byte, start_point), (end_byte, end_point)) = (point(range.start), point(range.end));
            tree_sitter::Range {
                start_byte,
                end_byte,
                start_point,
                end_point,
            }
        })
        .filter(|range| range.start_byte < range.end_byte)
        .collect()
}

impl ParsedSource {
    /// An import whose names are used only in annotations (`from typing
    /// import Optional` added with type hints) belongs to the annotations:
    /// its tokens take the annotation role. An import with any use in code
    /// stays code. When only some statements were parsed, an import none of
    /// whose names is seen in code there, but one of whose names is spelled
    /// in the statements left out, stays code and its names are listed in
    /// `uncertain_imports`: only the statements that mention them can tell.
    fn mark_annotation_only_imports(&mut self) {
        if self.imports.is_empty() {
            return;
        }
        let text = &self.text;
        let name_of = |token: &Token| &text[token.start_byte as usize..token.end_byte as usize];
        let in_import = |index: usize| self.imports.iter().any(|range| range.contains(&index));
        let mut in_code = HashSet::new();
        let mut in_annotations = HashSet::new();
        for (index, token) in self.tokens.iter().enumerate() {
            if token.site.is_none() || in_import(index) {
                continue;
            }
            match token.role {
                Role::Annotation => in_annotations.insert(name_of(token)),
                _ => in_code.insert(name_of(token)),
            };
        }
        let mut annotation_only = Vec::new();
        let mut uncertain = Vec::new();
        for range in &self.imports {
            let bound: Vec<&str> = self.tokens[range.clone()]
                .iter()
                .filter(|t| {
                    t.site
                        .is_some_and(|s| matches!(s.position, NamePosition::Imported | NamePosition::Binding))
                })
                .map(name_of)
                .collect();
            let used_as_code = |name: &&str| in_code.contains(name) || self.used_as_code_outside_parsed(name);
            if bound.is_empty() || bound.iter().any(used_as_code) {
                continue;
            }
            let unseen: Vec<&str> = bound
                .iter()
                .copied()
                .filter(|name| self.mentions_outside_parsed(name))
                .collect();
            // A name used nowhere keeps the import code, whatever the rest shows.
            if bound
                .iter()
                .any(|name| !in_annotations.contains(name) && !unseen.contains(name))
            {
                continue;
            }
            if !unseen.is_empty() {
                let rows =
                    self.tokens[range.start].first_row as usize..self.tokens[range.end - 1].last_row as usize + 1;
                uncertain.extend(unseen.into_iter().map(|name| (name.to_owned(), rows.clone())));
            } else if bound.iter().all(|name| in_annotations.contains(name)) {
                annotation_only.push(range.clone());
            }
        }
        for range in annotation_only {
            for token in &mut self.tokens[range] {
                token.key = key_of((token.key, Role::Annotation));
                token.shape = key_of((token.shape, Role::Annotation));
                token.role = Role::Annotation;
            }
        }
        self.uncertain_imports = uncertain;
    }
}

/// An ancestor of the node being visited, and what entering it pushed (to
/// undo when leaving it).
#[derive(Default)]
pub(crate) struct Frame<'tree> {
    pub(crate) node: Option<Node<'tree>>,
    pub(crate) kind: &'tree str,
    pub(crate) field: Option<&'tree str>,
    /// Where the node's children stand in the tree: a hash of the kinds of
    /// the node and its ancestors, layout wrappers left out.
    place: u64,
    block: bool,
    lexical: bool,
    import: bool,
    annotation: bool,
    /// An annotation Python evaluates when the definition runs.
    evaluated: bool,
    scope: bool,
    raw_string: bool,
}

struct Builder<'a, 'tree> {
    text: &'a str,
    tokens: Vec<Token>,
    comments: Vec<Token>,
    scopes: Vec<Scope>,
    scope_stack: Vec<u32>,
    lexical_scopes: Vec<LexicalScope>,
    lexical_stack: Vec<u32>,
    frames: Vec<Frame<'tree>>,
    /// The last comma emitted directly in a list (token index, list node id),
    /// until the list shows whether it was trailing.
    open_comma: Option<(usize, usize)>,
    /// Token ranges of the import statements, and the starts of those being walked.
    imports: Vec<std::ops::Range<usize>>,
    import_starts: Vec<usize>,
    depth: u32,
    annotation: u32,
    raw_strings: Vec<bool>,
    /// How many named scopes of each name each lexical scope holds so far.
    named_children: HashMap<(u32, String), u32>,
    self_documenting: Vec<std::ops::Range<usize>>,
    evaluated_annotation_names: HashSet<String>,
    /// Whether the file reads annotations when it runs (`get_type_hints`).
    reads_annotations: bool,
    /// Whether the file defers its annotations (`from __future__ import
    /// annotations`): then none is evaluated.
    defers_annotations: bool,
    /// How deep the walk is in annotations evaluated when their definition runs.
    evaluated_annotation: u32,
    /// Where the module binds each name, read once an evaluated annotation
    /// needs it.
    bindings: std::cell::OnceCell<Bindings>,
}

impl<'a, 'tree> Builder<'a, 'tree> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            tokens: Vec::new(),
            comments: Vec::new(),
            scopes: vec![Scope {
                qualified_name: String::new(),
                kind: ScopeKind::Module,
                name_token: None,
                documented: false,
            }],
            scope_stack: vec![0],
            lexical_scopes: vec![LexicalScope::module()],
            lexical_stack: vec![0],
            frames: Vec::new(),
            open_comma: None,
            imports: Vec::new(),
            import_starts: Vec::new(),
            depth: 0,
            annotation: 0,
            raw_strings: Vec::new(),
            named_children: HashMap::new(),
            self_documenting: Vec::new(),
            evaluated_annotation_names: HashSet::new(),
            reads_annotations: grammar::ANNOTATION_READERS.iter().any(|reader| text.contains(reader)),
            defers_annotations: defers_annotations(text),
            evaluated_annotation: 0,
            bindings: std::cell::OnceCell::new(),
        }
    }

    /// Depth-first walk without recursion, so deeply nested code cannot
    /// overflow the stack.
    fn walk(&mut self, mut cursor: TreeCursor<'tree>) {
        loop {
            let descend = self.enter(cursor.node(), grammar::field_name(&cursor));
            if descend && cursor.goto_first_child() {
                continue;
            }
            self.leave();
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                self.leave();
            }
        }
    }

    /// Emits what `node` contributes and says whether to visit its children.
    fn enter(&mut self, node: Node<'tree>, field: Option<&'tree str>) -> bool {
        let kind = grammar::kind(node);
        let mut frame = Frame {
            node: Some(node),
            kind,
            field,
            place: self.place_of(node, kind),
            ..Frame::default()
        };
        let descend = self.visit(node, field, &mut frame);
        self.frames.push(frame);
        descend
    }

    fn leave(&mut self) {
        let frame = self.frames.pop().unwrap_or_default();
        if frame.block {
            self.depth -= 1;
        }
        if frame.annotation {
            self.annotation -= 1;
        }
        if frame.evaluated {
            self.evaluated_annotation -= 1;
        }
        if frame.scope {
            self.scope_stack.pop();
        }
        if frame.lexical {
            self.lexical_stack.pop();
        }
        if frame.import
            && let Some(start) = self.import_starts.pop()
        {
            self.imports.push(start..self.tokens.len());
        }
        if frame.raw_string {
            self.raw_strings.pop();
        }
        if matches!(frame.kind, "pattern_list" | "expression_list")
            && let Some(list) = frame.node
        {
            self.drop_trailing_comma(list);
        }
    }

    fn visit(&mut self, node: Node<'tree>, field: Option<&'tree str>, frame: &mut Frame<'tree>) -> bool {
        let kind = grammar::kind(node);
        if let Some(lexical_kind) = LexicalKind::of(kind) {
            self.push_lexical(node, lexical_kind);
            frame.lexical = true;
        } else if self.evaluated_around(field) {
            self.lexical_stack.push(self.enclosing_lexical());
            frame.lexical = true;
        }
        if matches!(kind, "import_statement" | "import_from_statement") {
            self.import_starts.push(self.tokens.len());
            frame.import = true;
        }
        if node.is_missing() || is(kind, grammar::LAYOUT_TOKENS) {
            return false;
        }
        if kind == "comment" {
            self.emit_comment(node);
            return false;
        }
        let owner = self.frames.last().map_or("", |parent| parent.kind);
        if is_annotation_field(owner, field) && !self.annotations_read_at_runtime(owner) {
            self.annotation += 1;
            frame.annotation = true;
            if self.annotation_evaluated(owner) {
                self.evaluated_annotation += 1;
                frame.evaluated = true;
            }
        }
        match kind {
            "block" => {
                self.depth += 1;
                frame.block = true;
                true
            }
            "function_definition" | "class_definition" | "decorated_definition" => {
                let decorated = self
                    .ancestors()
                    .parent()
                    .is_some_and(|p| grammar::kind(p) == "decorated_definition");
                if kind == "decorated_definition" || !decorated {
                    self.push_scope(node);
                    frame.scope = true;
                }
                true
            }
            "string" | "concatenated_string" if is_docstring(self.text, node, self.ancestors()) => {
                let parts = string_parts(self.text, node);
                let value = normalize_docstring(&parts);
                self.emit(node, Role::Docstring, &value);
                let scope = *self.scope_stack.last().unwrap_or(&0) as usize;
                self.scopes[scope].documented = true;
                false
            }
            "concatenated_string" => match normalize_concatenation(&string_parts(self.text, node)) {
                Some(value) => {
                    self.emit_code(node, &value);
                    let mut cursor = node.walk();
                    for comment in node.children(&mut cursor).filter(|c| grammar::kind(*c) == "comment") {
                        self.emit_comment(comment);
                    }
                    false
                }
                None => true,
            },
            "string" if has_interpolation(node) => {
                let prefix = node.child(0).map(|start| node_text(self.text, start));
                self.raw_strings.push(StringPrefix::parse(prefix.unwrap_or("")).raw);
                frame.raw_string = true;
                true
            }
            "string" => {
                let value = normalize_string(node_text(self.text, node));
                self.emit_code(node, &value);
                false
            }
            _ if is(kind, grammar::ATOMS) || node.child_count() == 0 => {
                self.leaf(node, field);
                false
            }
            _ => true,
        }
    }

    /// Spacing inside a comment (`#note` → `# note`) is layout, and where the
    /// parser hangs a comment in the tree is too: only its block depth counts.
    fn emit_comment(&mut self, node: Node<'_>) {
        let words: String = node_text(self.text, node).split_whitespace().collect();
        let mut token = self.token(node, Role::Comment, &words);
        token.key = key_of((Role::Comment, self.depth, &words));
        token.shape = token.key;
        self.comments.push(token);
    }

    fn leaf(&mut self, node: Node<'tree>, field: Option<&str>) {
        let parent = self.ancestors().parent();
        if matches!(grammar::kind(node), ")" | "]" | "}")
            && let Some(container) = parent
        {
            self.drop_trailing_comma(container);
        }
        if is_layout_punctuation(node, self.ancestors()) {
            return;
        }
        let text = node_text(self.text, node);
        match grammar::kind(node) {
            "," if parent.is_some_and(|p| {
                is(grammar::kind(p), grammar::TRAILING_COMMA_CONTAINERS) || is(grammar::kind(p), grammar::TUPLES)
            }) =>
            {
                self.emit_code(node, text);
                self.open_comma = parent.map(|p| (self.tokens.len() - 1, p.id()));
            }
            "identifier" => {
                let first_in_parent = self
                    .ancestors()
                    .parent()
                    .is_some_and(|parent| parent.child(0).is_some_and(|first| first.id() == node.id()));
                let position = name_position(&self.frames, field, first_in_parent);
                if self.evaluated_annotation > 0 && position == NamePosition::Reference {
                    self.evaluated_annotation_names.insert(text.to_owned());
                }
                let role = if self.annotation > 0 && !self.fails_when_evaluated(node, position) {
                    Role::Annotation
                } else {
                    Role::Name
                };
                self.emit(node, role, &("id", text));
                let walrus = field == Some("name")
                    && self
                        .ancestors()
                        .parent()
                        .is_some_and(|p| grammar::kind(p) == "named_expression");
                let lexical = match position {
                    // A definition's name binds in the scope around the definition.
                    NamePosition::FunctionName | NamePosition::ClassName => self.enclosing_lexical(),
                    // `:=` in a comprehension binds in the scope around it.
                    NamePosition::Binding if walrus => self.outside_comprehensions(),
                    _ => *self.lexical_stack.last().unwrap_or(&0),
                };
                if let Some(token) = self.tokens.last_mut() {
                    token.site = Some(NameSite { position, lexical });
                    token.shape = key_of((role, self.frames.last().map_or(0, |frame| frame.place), ("id", "")));
                }
                if matches!(position, NamePosition::FunctionName | NamePosition::ClassName) {
                    let index = self.tokens.len() as u32 - 1;
                    let scope = *self.scope_stack.last().unwrap_or(&0) as usize;
                    self.scopes[scope].name_token.get_or_insert(index);
                }
            }
            "integer" | "float" => self.emit_code(node, &normalize_number(text)),
            "string_start" => {
                let prefix = StringPrefix::parse(text.trim_end_matches(['\'', '"']));
                self.emit_code(node, &format!("fstart:{}", prefix.value_kind()));
            }
            "string_end" => self.emit_code(node, "fend"),
            "string_content" => {
                let raw = self.raw_strings.last().copied().unwrap_or(false);
                let prefix = StringPrefix {
                    raw,
                    ..StringPrefix::default()
                };
                let value = super::literals::decode_body(text, prefix);
                self.emit_code(node, &format!("fpart:{value}"));
            }
            "=" if let Some(field) = parent.filter(|p| grammar::kind(*p) == "interpolation") => {
                // `f"{total = }"` prints its own spelling, spaces included.
                let spelled_end = node.next_sibling().map_or(field.end_byte(), |next| next.start_byte());
                let spelled = format!("f={}", &self.text[field.start_byte() + 1..spelled_end]);
                self.emit_code(node, &spelled);
                self.self_documenting.push(field.start_byte()..field.end_byte());
            }
            _ if introduces_annotation(node, self.ancestors()) => self.emit(node, Role::Annotation, text),
            _ => self.emit_code(node, text),
        }
    }

    /// A comma that ends its list (`f(a, b,)`, `a, b, = x`) is layout, except
    /// the one that makes a one-element tuple. It was emitted when seen; it
    /// is taken back when the list turns out to end right after it.
    fn drop_trailing_comma(&mut self, container: Node<'_>) {
        let Some((index, owner)) = self.open_comma.take() else {
            return;
        };
        let one_element_tuple = is(grammar::kind(container), grammar::TUPLES) && code_children(container) < 2;
        if owner == container.id() && index + 1 == self.tokens.len() && !one_element_tuple {
            self.tokens.pop();
        }
    }

    fn ancestors(&self) -> Ancestors<'_, 'tree> {
        Ancestors(&self.frames)
    }

    /// Where the children of the node being visited stand: the kinds of the
    /// node and its ancestors, so a token that moved to another grouping
    /// (`(a + b) * c` → `a + b * c`) differs while layout does not. Layout
    /// wrappers (redundant parentheses, a decorator's definition, a type on a
    /// parameter) add nothing, and tuples are tuples however written.
    fn place_of(&self, node: Node<'tree>, kind: &str) -> u64 {
        let parent = self.frames.last();
        let around = parent.map_or(0, |frame| frame.place);
        let redundant_parentheses = kind == "parenthesized_expression"
            && parent
                .and_then(|frame| frame.node)
                .is_some_and(|parent| parentheses_are_redundant(node, parent));
        if redundant_parentheses || is(kind, grammar::TRANSPARENT_NODES) {
            around
        } else {
            key_of((around, grammar::structure_kind(kind)))
        }
    }

    /// Where the tokens emitted now stand (see [`Builder::place_of`]).
    fn place(&self) -> u64 {
        self.frames.last().map_or(0, |frame| frame.place)
    }

    fn emit_code(&mut self, node: Node<'_>, normalized: &str) {
        let role = if self.annotation > 0 {
            Role::Annotation
        } else {
            Role::Code
        };
        self.emit(node, role, normalized);
    }

    /// Emits a token whose key hashes `normalized` (a string, or parts of
    /// one, so that no string need be built for it).
    fn emit(&mut self, node: Node<'_>, role: Role, normalized: &(impl Hash + ?Sized)) {
        let token = self.token(node, role, normalized);
        self.tokens.push(token);
    }

    fn token(&self, node: Node<'_>, role: Role, normalized: &(impl Hash + ?Sized)) -> Token {
        let (start, end) = (node.start_position(), node.end_position());
        let last_row = if end.column == 0 && end.row > start.row {
            end.row - 1
        } else {
            end.row
        };
        let key = key_of((role, self.place(), normalized));
        Token {
            key,
            shape: key,
            role,
            first_row: start.row as u32,
            last_row: last_row as u32,
            start_byte: node.start_byte() as u32,
            end_byte: node.end_byte() as u32,
            scope: *self.scope_stack.last().unwrap_or(&0),
            depth: self.depth,
            site: None,
        }
    }

    fn push_lexical(&mut self, node: Node<'_>, kind: LexicalKind) {
        let parent = *self.lexical_stack.last().unwrap_or(&0);
        let label = match grammar::field_child(node, "name") {
            Some(name) if matches!(kind, LexicalKind::Class | LexicalKind::Function) => {
                // A second definition of the same name in one scope (a sync
                // and an async wrapper) is another scope: `name#1`.
                let name = node_text(self.text, name);
                let seen = self.named_children.entry((parent, name.to_owned())).or_insert(0);
                *seen += 1;
                match *seen {
                    1 => name.to_owned(),
                    n => format!("{name}#{}", n - 1),
                }
            }
            _ => {
                let ordinal = self.lexical_scopes[parent as usize].anonymous_children;
                self.lexical_scopes[parent as usize].anonymous_children += 1;
                format!("<{}#{ordinal}>", grammar::kind(node))
            }
        };
        let path = format!("{}/{label}", self.lexical_scopes[parent as usize].path);
        let class = (kind == LexicalKind::Class).then(|| self.class_header(node));
        let decorated = self
            .frames
            .last()
            .filter(|parent| parent.kind == "decorated_definition")
            .and_then(|parent| parent.node)
            .is_some_and(|definition| {
                kind == LexicalKind::Class
                    || self
                        .decorator_names(definition)
                        .any(|name| !grammar::PLAIN_DECORATORS.contains(&name))
            });
        self.lexical_scopes.push(LexicalScope {
            kind,
            parent: Some(parent),
            path,
            anonymous_children: 0,
            class,
            decorated,
        });
        self.lexical_stack.push(self.lexical_scopes.len() as u32 - 1);
    }

    /// A class's bases, and whether anything in its header comes from
    /// code that is not a plain name (`metaclass=`, `mod.Base`).
    fn class_header(&self, class: Node<'_>) -> ClassHeader {
        let mut header = ClassHeader {
            bases: Vec::new(),
            opaque: false,
        };
        if let Some(arguments) = grammar::field_child(class, "superclasses") {
            let mut cursor = arguments.walk();
            for base in arguments.named_children(&mut cursor) {
                match grammar::kind(base) {
                    "comment" => {}
                    "identifier" => {
                        let name = node_text(self.text, base);
                        if name != "object" {
                            header.bases.push(name.to_owned());
                        }
                    }
                    _ => header.opaque = true,
                }
            }
        }
        header
    }

    /// Whether the annotation of an `owner` being visited is read when the
    /// program runs, so it is code: an assignment's in the body of a class
    /// with a base or a decorator (`@dataclass` turns `x: str = ""` into a
    /// field; so do `NamedTuple`, `TypedDict`, pydantic and attrs).
    ///
    /// A function's parameter and return annotations are code when a
    /// decorator that reads them wraps it (`@f.register`, `@app.get(...)`),
    /// and every annotation is when the file reads them (`get_type_hints`).
    fn annotations_read_at_runtime(&self, owner: &str) -> bool {
        if self.reads_annotations {
            return true;
        }
        if owner != "assignment" {
            return self.function_decorated_by_an_annotation_reader();
        }
        let innermost = &self.lexical_scopes[*self.lexical_stack.last().unwrap_or(&0) as usize];
        innermost
            .class
            .as_ref()
            .is_some_and(|header| innermost.decorated || header.opaque || !header.bases.is_empty())
    }

    /// Whether the annotation of an `owner` being visited is evaluated when
    /// its definition runs: a signature's, or a variable's in a module or
    /// class body (not in a function's), unless the file defers them.
    fn annotation_evaluated(&self, owner: &str) -> bool {
        if self.defers_annotations {
            return false;
        }
        if owner != "assignment" {
            return true;
        }
        let innermost = &self.lexical_scopes[*self.lexical_stack.last().unwrap_or(&0) as usize];
        matches!(innermost.kind, LexicalKind::Module | LexicalKind::Class)
    }

    /// Whether a name read in an evaluated annotation may be unbound when it
    /// is evaluated (`-> Optional[str]` with no `Optional` imported before):
    /// then the annotation can stop the module from loading, and the name is
    /// code, not annotation.
    fn fails_when_evaluated(&self, identifier: Node<'_>, position: NamePosition) -> bool {
        if self.evaluated_annotation == 0 || position != NamePosition::Reference {
            return false;
        }
        let bindings = self.bindings.get_or_init(|| Bindings::scan(self.text));
        !bindings.bound_before(node_text(self.text, identifier), identifier.start_position().row)
    }

    fn function_decorated_by_an_annotation_reader(&self) -> bool {
        let Some(function) = self
            .frames
            .iter()
            .rposition(|frame| frame.kind == "function_definition")
        else {
            return false;
        };
        let Some(decorated) = function
            .checked_sub(1)
            .and_then(|index| self.frames[index].node)
            .filter(|node| grammar::kind(*node) == "decorated_definition")
        else {
            return false;
        };
        self.decorator_names(decorated)
            .any(|name| grammar::ANNOTATION_READING_DECORATORS.contains(&name))
    }

    /// The last name of each decorator of a decorated definition:
    /// `@app.route("/")` → `route`.
    fn decorator_names(&self, decorated: Node<'tree>) -> impl Iterator<Item = &'a str> {
        let mut cursor = decorated.walk();
        let decorators: Vec<Node<'tree>> = decorated
            .named_children(&mut cursor)
            .filter(|child| grammar::kind(*child) == "decorator")
            .collect();
        let text = self.text;
        decorators.into_iter().map(move |decorator| {
            let spelled = node_text(text, decorator).trim_start_matches('@');
            let callee = spelled.split('(').next().unwrap_or_default().trim();
            callee.rsplit('.').next().unwrap_or_default()
        })
    }

    /// Whether the node entered as `field` of the node being visited is
    /// evaluated in the scope around the innermost one: a parameter's
    /// default and annotation, a return annotation (when the `def` or
    /// `lambda` runs), a comprehension's first iterable (before it starts).
    fn evaluated_around(&self, field: Option<&str>) -> bool {
        let Some(parent) = self.frames.last() else {
            return false;
        };
        match (field, parent.kind) {
            (Some("value"), "default_parameter" | "typed_default_parameter") => true,
            (Some("type"), "typed_parameter" | "typed_default_parameter") => true,
            (Some("return_type"), "function_definition") => true,
            (Some("right"), "for_in_clause") => parent.node.is_some_and(|clause| {
                let comprehension = clause.parent();
                let mut cursor = clause.walk();
                let first = comprehension.and_then(|c| {
                    c.children(&mut cursor)
                        .find(|child| grammar::kind(*child) == "for_in_clause")
                });
                first.is_some_and(|first| first.id() == clause.id())
            }),
            _ => false,
        }
    }

    /// The innermost lexical scope that is no comprehension.
    fn outside_comprehensions(&self) -> u32 {
        let mut scope = *self.lexical_stack.last().unwrap_or(&0);
        while self.lexical_scopes[scope as usize].kind == LexicalKind::Comprehension {
            scope = self.lexical_scopes[scope as usize].parent.unwrap_or(0);
        }
        scope
    }

    /// The lexical scope around the innermost one.
    fn enclosing_lexical(&self) -> u32 {
        let innermost = *self.lexical_stack.last().unwrap_or(&0);
        self.lexical_scopes[innermost as usize].parent.unwrap_or(0)
    }

    fn push_scope(&mut self, node: Node<'_>) {
        let definition = match grammar::kind(node) {
            "decorated_definition" => grammar::field_child(node, "definition").unwrap_or(node),
            _ => node,
        };
        let name = grammar::field_child(definition, "name").map_or("?", |name| node_text(self.text, name));
        let parent = *self.scope_stack.last().unwrap_or(&0);
        let parent_scope = &self.scopes[parent as usize];
        let kind = match (grammar::kind(definition), parent_scope.kind) {
            ("class_definition", _) => ScopeKind::Class,
            (_, ScopeKind::Class) => ScopeKind::Method,
            _ => ScopeKind::Function,
        };
        let qualified_name = if parent_scope.qualified_name.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", parent_scope.qualified_name)
        };
        self.scopes.push(Scope {
            qualified_name,
            kind,
            name_token: None,
            documented: false,
        });
        self.scope_stack.push(self.scopes.len() as u32 - 1);
    }
}

pub fn node_text<'t>(text: &'t str, node: Node<'_>) -> &'t str {
    text.get(node.byte_range()).unwrap_or("")
}

fn is_annotation_field(owner_kind: &str, field: Option<&str>) -> bool {
    field.is_some_and(|field| grammar::ANNOTATION_OWNERS.contains(&(owner_kind, field)))
}

/// The ancestors of the node being visited, innermost last, read from the
/// walk's own stack: tree-sitter's `Node::parent` searches down from the
/// root, which costs a scan of every sibling on the way.
#[derive(Clone, Copy)]
struct Ancestors<'a, 'tree>(&'a [Frame<'tree>]);

impl<'tree> Ancestors<'_, 'tree> {
    /// The `n`th ancestor: 0 is the parent.
    fn nth(&self, n: usize) -> Option<Node<'tree>> {
        self.0.len().checked_sub(n + 1).and_then(|i| self.0[i].node)
    }

    fn parent(&self) -> Option<Node<'tree>> {
        self.nth(0)
    }
}

/// The `:` of `x: int` and the `->` of a return annotation belong to the annotation.
fn introduces_annotation(node: Node<'_>, ancestors: Ancestors<'_, '_>) -> bool {
    let Some(parent) = ancestors.parent() else {
        return false;
    };
    match (grammar::kind(node), grammar::kind(parent)) {
        ("->", "function_definition") => true,
        (":", "typed_parameter" | "typed_default_parameter") => true,
        (":", "assignment") => grammar::field_child(parent, "type").is_some(),
        _ => false,
    }
}

fn has_interpolation(string: Node<'_>) -> bool {
    let mut cursor = string.walk();
    string
        .children(&mut cursor)
        .any(|child| grammar::kind(child) == "interpolation")
}

fn string_parts<'t>(text: &'t str, node: Node<'_>) -> Vec<&'t str> {
    if grammar::kind(node) == "string" {
        return vec![node_text(text, node)];
    }
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| grammar::kind(*child) == "string")
        .map(|child| node_text(text, child))
        .collect()
}

/// A docstring is a string statement that comes first in a module, class or
/// function body; a string statement anywhere else is code.
fn is_docstring(text: &str, string: Node<'_>, ancestors: Ancestors<'_, '_>) -> bool {
    let (Some(statement), Some(body)) = (ancestors.nth(0), ancestors.nth(1)) else {
        return false;
    };
    if grammar::kind(statement) != "expression_statement" || statement.named_child_count() != 1 {
        return false;
    }
    let owns_docstring = match grammar::kind(body) {
        "module" => true,
        "block" => ancestors
            .nth(2)
            .is_some_and(|owner| is(grammar::kind(owner), grammar::DOCSTRING_OWNERS)),
        _ => false,
    };
    owns_docstring
        && first_statement(body).is_some_and(|first| first.id() == statement.id())
        && !(grammar::kind(string) == "string" && has_interpolation(string))
        && !is_not_a_plain_str(text, string)
}

/// Whether a string (or any part of a concatenated one) is no plain `str`
/// literal (bytes, an f-string, a template): Python keeps none of those as a
/// docstring (`__doc__` is None).
fn is_not_a_plain_str(text: &str, string: Node<'_>) -> bool {
    let mut cursor = string.walk();
    let parts: Vec<Node<'_>> = match grammar::kind(string) {
        "concatenated_string" => string.named_children(&mut cursor).collect(),
        _ => vec![string],
    };
    parts.into_iter().any(|part| {
        part.child(0)
            .filter(|start| grammar::kind(*start) == "string_start")
            .is_some_and(|start| {
                let prefix = node_text(text, start).trim_end_matches(['\'', '"']);
                StringPrefix::parse(prefix).value_kind() != "s"
            })
    })
}

fn first_statement(body: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .find(|child| grammar::kind(*child) != "comment")
}

/// Punctuation that only lays code out: a trailing comma inside brackets,
/// the parentheses of a multi-line import, redundant parentheses.
fn is_layout_punctuation(node: Node<'_>, ancestors: Ancestors<'_, '_>) -> bool {
    let Some(parent) = ancestors.parent() else {
        return false;
    };
    let grandparent = ancestors.nth(1);
    match grammar::kind(node) {
        "(" | ")" => match grammar::kind(parent) {
            "import_from_statement" => true,
            "parenthesized_expression" => grandparent.is_some_and(|g| parentheses_are_redundant(parent, g)),
            "tuple" | "tuple_pattern" => grandparent.is_some_and(|g| tuple_parentheses_are_redundant(parent, g)),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a parenthesized expression's or a tuple's parentheses are layout
/// (they produce no token).
pub fn is_layout_group(group: Node<'_>) -> bool {
    let Some(parent) = group.parent() else {
        return false;
    };
    match grammar::kind(group) {
        "parenthesized_expression" => parentheses_are_redundant(group, parent),
        "tuple" | "tuple_pattern" => tuple_parentheses_are_redundant(group, parent),
        _ => false,
    }
}

fn parentheses_are_redundant(parenthesized: Node<'_>, parent: Node<'_>) -> bool {
    let mut cursor = parenthesized.walk();
    let Some(inner) = parenthesized
        .named_children(&mut cursor)
        .find(|child| grammar::kind(*child) != "comment")
    else {
        return false;
    };
    if grammar::kind(inner) == "named_expression" {
        return is(grammar::kind(parent), grammar::BARE_WALRUS_PARENTS);
    }
    if is(grammar::kind(inner), grammar::PAREN_REQUIRED_INSIDE) {
        return false;
    }
    is(grammar::kind(parent), grammar::REDUNDANT_PAREN_PARENTS)
        || binds_tighter_than_parent(parenthesized, inner, parent)
}

/// Whether `inner`, written in parentheses as an operand of `parent`, would
/// parse the same without them.
fn binds_tighter_than_parent(parenthesized: Node<'_>, inner: Node<'_>, parent: Node<'_>) -> bool {
    let is_here = |node: Option<Node<'_>>| node.is_some_and(|node| node.id() == parenthesized.id());
    let primary_field = match grammar::kind(parent) {
        "call" => Some("function"),
        "attribute" => Some("object"),
        "subscript" => Some("value"),
        _ => None,
    };
    if let Some(field) = primary_field {
        // `(a.b).c` is `a.b.c`; `(1).real` keeps them (a number has no level).
        return is_here(grammar::field_child(parent, field)) && level(inner).is_some_and(|l| l >= PRIMARY);
    }
    let (Some(inner_level), Some(parent_level)) = (level(inner), level(parent)) else {
        return false;
    };
    if inner_level != parent_level {
        return inner_level > parent_level;
    }
    let first_operand = is_here(parent.named_child(0));
    let last_operand = is_here(parent.named_child(parent.named_child_count().saturating_sub(1) as u32));
    match grammar::kind(parent) {
        // Left-associative: `(a - b) - c` is `a - b - c`, `a - (b - c)` is not.
        "binary_operator" if operator_of(parent) != Some("**") => first_operand,
        "boolean_operator" => first_operand,
        // Right-associative: `a ** (b ** c)`, `a if c else (b if d else e)`.
        "binary_operator" | "conditional_expression" => last_operand,
        _ => false,
    }
}

/// The level of primaries (names, calls, attributes, subscripts, displays).
const PRIMARY: u8 = 16;

fn level(node: Node<'_>) -> Option<u8> {
    grammar::precedence(grammar::kind(node), operator_of(node))
}

fn operator_of<'t>(node: Node<'t>) -> Option<&'t str> {
    grammar::field_child(node, "operator").map(|operator| grammar::kind(operator))
}

/// `for (a, b) in x` is `for a, b in x`, and `return (a, b)` is `return a, b`:
/// where a bare tuple is allowed, its parentheses are layout. An empty tuple
/// needs them.
fn tuple_parentheses_are_redundant(tuple: Node<'_>, parent: Node<'_>) -> bool {
    is(grammar::kind(parent), grammar::BARE_TUPLE_PARENTS) && code_children(tuple) > 0
}

fn code_children(node: Node<'_>) -> usize {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| grammar::kind(*child) != "comment")
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str) -> Vec<u64> {
        parse(source).unwrap().tokens.iter().map(|t| t.key).collect()
    }

    fn roles(source: &str) -> Vec<(String, Role)> {
        let parsed = parse(source).unwrap();
        parsed
            .tokens
            .iter()
            .map(|t| (parsed.token_text(t).to_owned(), t.role))
            .collect()
    }

    #[test]
    fn an_empty_selection_parses_nothing() {
        let nothing = Selection::default();
        let parsed = parse_rows("def f():\n    return 1\n", Some(&nothing)).unwrap();
        assert_eq!(parsed.tree.root_node().child_count(), 0);
        assert!(parsed.tokens.iter().all(|token| token.start_byte == token.end_byte));
        assert!(parsed.partial());
    }

    #[test]
    fn layout_does_not_change_keys() {
        assert_eq!(keys("f(a, b)\n"), keys("f(\n    a,\n    b,\n)\n"));
        assert_eq!(keys("x = 'a'\n"), keys("x = \"a\"\n"));
        assert_eq!(keys("x = (a + b)\n"), keys("x = a + b\n"));
        assert_eq!(keys("from m import (a, b,)\n"), keys("from m import a, b\n"));
        assert_eq!(keys("a = 1; b = 2\n"), keys("a = 1\nb = 2\n"));
        assert_eq!(keys("x = 1 + \\\n    2\n"), keys("x = 1 + 2\n"));
        assert_eq!(keys("for (a, b) in x:\n    pass\n"), keys("for a, b in x:\n    pass\n"));
        assert_eq!(keys("return (a, b)\n"), keys("return a, b\n"));
        assert_eq!(keys("x = -((-1) ** n)\n"), keys("x = -(-1) ** n\n"));
        assert_eq!(
            keys("x = a if c else (b if d else e)\n"),
            keys("x = a if c else b if d else e\n")
        );
        assert_eq!(keys("x = (a * b) + c\n"), keys("x = a * b + c\n"));
        assert_eq!(keys("x = (a - b) - c\n"), keys("x = a - b - c\n"));
        assert_eq!(keys("if (n := f()):\n    pass\n"), keys("if n := f():\n    pass\n"));
        assert_eq!(keys("a, b, = x\n"), keys("a, b = x\n"));
        assert_eq!(keys("x = (a.b).c\n"), keys("x = a.b.c\n"));
    }

    #[test]
    fn meaning_changes_keys() {
        assert_ne!(keys("x = (1)\n"), keys("x = (1,)\n"));
        assert_ne!(keys("x = (a + b) * c\n"), keys("x = a + b * c\n"));
        assert_ne!(keys("x = '\\n'\n"), keys("x = r'\\n'\n"));
        assert_ne!(keys("x = f'{a}'\n"), keys("x = f'{b}'\n"));
        assert_ne!(keys("x[1,]\n"), keys("x[1]\n"));
        assert_ne!(keys("f((a, b))\n"), keys("f(a, b)\n"));
        assert_ne!(keys("x = a - (b - c)\n"), keys("x = a - b - c\n"));
        assert_ne!(
            keys("x = (a if b else c) if d else e\n"),
            keys("x = a if b else c if d else e\n")
        );
        assert_ne!(keys("x = (a < b) < c\n"), keys("x = a < b < c\n"));
        assert_ne!(keys("x = (-1) ** n\n"), keys("x = -1 ** n\n"));
        assert_ne!(keys("a, = x\n"), keys("a = x\n"));
        assert_ne!(keys("x = (y := 1)\n"), keys("x = y := 1\n"));
        assert_ne!(keys("x = ()\n"), keys("x = \n"));
    }

    #[test]
    fn a_token_that_moved_to_another_grouping_differs() {
        let key_of = |source: &str, text: &str| {
            let parsed = parse(source).unwrap();
            let token = parsed.tokens.iter().find(|t| parsed.token_text(t) == text).unwrap();
            token.key
        };
        assert_ne!(key_of("x = (a + b) * c\n", "a"), key_of("x = a + b * c\n", "a"));
        assert_ne!(key_of("f(g(a), b)\n", "b"), key_of("f(g(a, b))\n", "b"));
        assert_eq!(key_of("x = (a + b)\n", "a"), key_of("x = a + b\n", "a"));
        assert_eq!(
            key_of("if (a and b):\n    pass\n", "a"),
            key_of("if a and b:\n    pass\n", "a")
        );
        assert_eq!(
            key_of("def f(a):\n    pass\n", "a"),
            key_of("def f(a: int):\n    pass\n", "a")
        );
        assert_eq!(key_of("return (a, b)\n", "a"), key_of("return a, b\n", "a"));
        assert_eq!(
            key_of("def f():\n    pass\n", "f"),
            key_of("@d\ndef f():\n    pass\n", "f")
        );
    }

    #[test]
    fn indentation_into_a_block_changes_keys() {
        assert_ne!(keys("if a:\n    x()\ny()\n"), keys("if a:\n    x()\n    y()\n"));
        assert_eq!(keys("if a: x()\n"), keys("if a:\n    x()\n"));
    }

    #[test]
    fn annotations_are_marked() {
        let tokens = roles("def f(x: int) -> str:\n    y: List[int] = x\n");
        let annotated: Vec<&str> = tokens
            .iter()
            .filter(|(_, role)| *role == Role::Annotation)
            .map(|(text, _)| text.as_str())
            .collect();
        assert_eq!(annotated, [":", "int", "->", "str", ":", "List", "[", "int", "]"]);
    }

    #[test]
    fn only_the_first_string_of_a_body_is_a_docstring() {
        let source = "'''Module.'''\ndef f():\n    'Doc.'\n    'not a docstring'\n    x = 'no'\n";
        let docstrings: Vec<String> = roles(source)
            .into_iter()
            .filter(|(_, role)| *role == Role::Docstring)
            .map(|(text, _)| text)
            .collect();
        assert_eq!(docstrings, ["'''Module.'''", "'Doc.'"]);
    }

    #[test]
    fn spacing_inside_a_comment_is_layout_but_words_are_not() {
        let comment_key = |source: &str| parse(source).unwrap().comments[0].key;
        assert_eq!(comment_key("x = 1  #note\n"), comment_key("x = 1  # note\n"));
        assert_ne!(comment_key("# note\n"), comment_key("# notes\n"));
    }

    #[test]
    fn comments_are_kept_apart() {
        let parsed = parse("x = 1  # one\n# two\n").unwrap();
        assert_eq!(parsed.comments.len(), 2);
        assert!(parsed.tokens.iter().all(|t| t.role != Role::Comment));
    }

    #[test]
    fn scopes_name_methods_and_functions() {
        let parsed = parse("class A:\n    @d\n    def get(self):\n        pass\ndef f():\n    pass\n").unwrap();
        let names: Vec<(&str, ScopeKind)> = parsed
            .scopes
            .iter()
            .map(|s| (s.qualified_name.as_str(), s.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("", ScopeKind::Module),
                ("A", ScopeKind::Class),
                ("A.get", ScopeKind::Method),
                ("f", ScopeKind::Function)
            ]
        );
    }

    #[test]
    fn mentions_and_definitions_outside_the_parsed_rows_are_found() {
        let text = "def f():\n    return size\n\n\ndef g():\n    return sizes\n\n\nclass size:\n    pass\n";
        let selection = Selection {
            rows: std::iter::once(0..4).collect(),
            ..Selection::default()
        };
        let parsed = parse_rows(text, Some(&selection)).unwrap();
        assert!(!parsed.mentions_outside_parsed("f"), "only in the parsed rows");
        assert!(parsed.mentions_outside_parsed("sizes"));
        assert!(
            !parsed.mentions_outside_parsed("siz"),
            "a part of a name is not the name"
        );
        assert!(parsed.defines_outside_parsed("size"));
        assert!(!parsed.defines_outside_parsed("f"));
        assert!(
            !parse(text).unwrap().mentions_outside_parsed("size"),
            "a whole parse leaves nothing out"
        );
    }

    #[test]
    fn a_reparse_gives_the_tokens_of_a_fresh_parse() {
        let old = "def f(a):\n    return a\n\n\nclass C:\n    x = 1\n    y = 2\n";
        let cases = [
            (
                "def f(a, b):\n    return a\n\n\nclass C:\n    x = 1\n    y = 2\n",
                vec![(0..1, 0..1)],
            ),
            ("def f(a):\n    return a\n\n\nclass C:\n    x = 1\n", vec![(6..7, 6..6)]),
            (
                "import os\ndef f(a):\n    return a\n\n\nclass C:\n    x = 1\n    y = 2\n    z = 3",
                vec![(0..0, 0..1), (7..7, 8..9)],
            ),
        ];
        let parsed = parse(old).unwrap();
        for (new, edits) in cases {
            let fresh = parse(new).unwrap();
            let reused = reparse(&parsed, new, None, &edits).unwrap();
            let view = |p: &ParsedSource| {
                p.tokens
                    .iter()
                    .map(|t| (t.key, t.first_row, t.last_row, t.start_byte))
                    .collect::<Vec<_>>()
            };
            assert_eq!(view(&fresh), view(&reused), "{new:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let source = format!("x = {}1{}\n", "(".repeat(2000), ")".repeat(2000));
        assert!(parse(&source).is_some());
    }

    #[test]
    fn syntax_errors_cover_the_construct_they_break() {
        let source = "def f():\n    return g(1,\n\n\nx = 1\n";
        let rows = parse(source).unwrap().error_rows;
        assert!(rows.iter().any(|range| range.contains(&1)), "{rows:?}");
        assert!(parse("x = 1\n").unwrap().error_rows.is_empty());
        let unterminated = parse("def f():\n    '''Doc.\\'''\n    return 1\n").unwrap();
        assert!(unterminated.error_rows.iter().any(|range| range.contains(&1)));
    }

    #[test]
    fn broken_code_is_flagged_but_tokenised() {
        let parsed = parse("def f(:\n    return 1\n").unwrap();
        assert!(parsed.parse_errors);
        assert!(!parsed.tokens.is_empty());
    }
}
