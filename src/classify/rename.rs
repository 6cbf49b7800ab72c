//! Renames: identifier substitutions that are consistent over the scope that
//! binds the name.
//!
//! The token alignment proposes substitutions (one identifier replaced by
//! another). They are grouped by what the old and new names refer to, and a
//! group is a rename only if it is complete and one-to-one: every occurrence
//! of the old name bound there is replaced, and every occurrence of the new
//! name bound there is a replacement (so it did not exist before and captures
//! nothing). Renaming a parameter also needs every `name=` keyword argument in
//! the file renamed. Anything less is a behaviour change.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use super::align::{Findings, Substitution};
use super::changes::{Detail, Note};
use super::context::Context;
use super::parsing::Mentions;
use super::spelling::{named_by_a_decorator, read_by_name, reads_attributes_as_a_namespace, spelled_besides_code};
use super::visibility::{self, Visibility};
use crate::python::grammar;
use crate::python::names::{NameKey, NamePosition, NameTable};
use crate::python::{ParsedSource, Role};

/// What a substitution turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Part of a consistent rename, described by the note at this index.
    Rename(usize),
    /// A type name changed inside an annotation.
    Annotation,
    Substantive,
}

/// Judges every substitution; returns one verdict per substitution and the
/// notes the renames refer to.
pub fn verify(old: &ParsedSource, new: &ParsedSource, findings: &Findings, context: &Context) -> Outcome {
    let substitutions = &findings.substitutions;
    let mut outcome = Outcome::default();
    if substitutions.is_empty() {
        return outcome;
    }
    let tables = (NameTable::build(old), NameTable::build(new));
    let mut groups: HashMap<(&NameKey<'_>, &NameKey<'_>), Vec<usize>> = HashMap::new();
    for (index, substitution) in substitutions.iter().enumerate() {
        let key = (
            tables.0.key(substitution.old_token),
            tables.1.key(substitution.new_token),
        );
        groups.entry(key).or_default().push(index);
    }
    let renamed_to: HashMap<usize, &str> = substitutions
        .iter()
        .map(|s| (s.old_token, new.token_text(&new.tokens[s.new_token])))
        .collect();
    let is_definition = |token: usize| {
        matches!(
            position(old, token),
            Some(NamePosition::FunctionName | NamePosition::ClassName)
        )
    };
    let renamed_definitions: HashSet<(&str, &str)> = substitutions
        .iter()
        .filter(|s| is_definition(s.old_token))
        .map(|s| (old.token_text(&old.tokens[s.old_token]), renamed_to[&s.old_token]))
        .collect();
    let checker = Checker {
        old,
        new,
        tables: &tables,
        renamed_to: &renamed_to,
        renamed_definitions: &renamed_definitions,
        removed: findings.removed.iter().copied().collect(),
        added: findings.added.iter().copied().collect(),
        context,
        waiting_on_imports: Cell::new(false),
        renamed_parameters: RefCell::new(Vec::new()),
        private_names: RefCell::new(Vec::new()),
        reach_unknown: Cell::new(false),
    };
    outcome.verdicts = substitutions
        .iter()
        .map(|s| {
            let in_annotation =
                old.tokens[s.old_token].role == Role::Annotation && new.tokens[s.new_token].role == Role::Annotation;
            if in_annotation {
                Verdict::Annotation
            } else {
                Verdict::Substantive
            }
        })
        .collect();
    let mut ordered: Vec<_> = groups.into_iter().collect();
    // Keyword arguments last: they follow the verdict on their parameter.
    ordered.sort_by_key(|((old_key, _), members)| (matches!(old_key, NameKey::Keyword(_)), members[0]));
    // A name local to one function that the parse holds whole (and not a
    // parameter, which callers can name) is judged on the rows parsed; any
    // other on every occurrence in the file: a partial parse is enough only
    // if neither name appears in the rows it skipped.
    let in_one_parsed_function = |source: &ParsedSource, table: &NameTable<'_>, key: &NameKey<'_>| {
        let occurrences = table.occurrences(key);
        matches!(key, NameKey::Scoped { scope, .. } if !scope.is_empty())
            && !occurrences
                .iter()
                .any(|&token| position(source, token) == Some(NamePosition::Parameter))
            && !occurrences
                .iter()
                .any(|&token| source.in_split_function(source.tokens[token].first_row as usize))
    };
    for ((old_key, new_key), members) in &ordered {
        let first = &substitutions[members[0]];
        let names = (
            old.token_text(&old.tokens[first.old_token]),
            new.token_text(&new.tokens[first.new_token]),
        );
        let public = visibility::of(old, old_key, tables.0.occurrences(old_key), names.0) == Visibility::Public;
        let seen_elsewhere = old.mentions_outside_parsed(names.0) || new.mentions_outside_parsed(names.1);
        let needs_every_occurrence =
            !in_one_parsed_function(old, &tables.0, old_key) || !in_one_parsed_function(new, &tables.1, new_key);
        if !public && needs_every_occurrence && seen_elsewhere {
            outcome
                .unparsed_mentions
                .names
                .extend([names.0.to_owned(), names.1.to_owned()]);
        }
    }
    for ((old_key, new_key), members) in ordered {
        let group: Vec<&Substitution> = members.iter().map(|&i| &substitutions[i]).collect();
        let Some(note) = checker.rename_note(old_key, new_key, &group) else {
            continue;
        };
        if let (
            Detail::Rename {
                from,
                to,
                kind: "function" | "class" | "variable",
                ..
            },
            NameKey::Scoped { scope, .. },
        ) = (&note.detail, old_key)
            && scope.is_empty()
        {
            outcome.module_renames.push((from.clone(), to.clone()));
        }
        let from = match &note.detail {
            Detail::Rename { from, .. } => from.clone(),
            Detail::Reorder { .. } => continue,
        };
        outcome.notes.push(note);
        let note = outcome.notes.len() - 1;
        for member in members {
            outcome.verdicts[member] = Verdict::Rename(note);
        }
        // Every spelling of the new name, new code's included: separating the
        // rename out puts the old name back in each.
        outcome
            .renamed_spans
            .extend(tables.1.occurrences(new_key).iter().map(|&token| {
                let token = &new.tokens[token];
                RenamedSpan {
                    bytes: token.start_byte as usize..token.end_byte as usize,
                    row: token.first_row as usize,
                    old_name: from.clone(),
                    note,
                }
            }));
    }
    outcome.waiting_on_imports = checker.waiting_on_imports.get();
    outcome.private_names = checker.private_names.into_inner();
    outcome.reach_unknown = checker.reach_unknown.get();
    outcome
}

/// The verdicts, and what other files may need to know.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One verdict per substitution.
    pub verdicts: Vec<Verdict>,
    /// The notes that rename verdicts refer to.
    pub notes: Vec<Note>,
    /// Module-level names this file renamed consistently: `(from, to)`.
    pub module_renames: Vec<(String, String)>,
    /// Whether a rename failed only because the name is imported: it may
    /// hold once the defining module's rename is known.
    pub waiting_on_imports: bool,
    /// The names of substitutions reachable outside one function
    /// (module-level, attributes, keywords) that appear in rows a partial
    /// parse skipped: judging them needs the statements that mention them.
    pub unparsed_mentions: Mentions,
    /// The old names of private module- and class-level renames: each stays
    /// a rename only if no other file of the repository spells it.
    pub private_names: Vec<String>,
    /// Whether a rename was refused because a class's base was not parsed.
    pub reach_unknown: bool,
    /// Where the new side spells each renamed name.
    pub renamed_spans: Vec<RenamedSpan>,
}

/// A new-side spelling of a renamed name: separating the rename out puts
/// `old_name` back in these bytes (offsets into the parsed text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamedSpan {
    pub bytes: std::ops::Range<usize>,
    pub row: usize,
    pub old_name: String,
    /// The note of the rename, among the file's notes.
    pub note: usize,
}

struct Checker<'a> {
    old: &'a ParsedSource,
    new: &'a ParsedSource,
    tables: &'a (NameTable<'a>, NameTable<'a>),
    /// Old identifier token → the name it was replaced with.
    renamed_to: &'a HashMap<usize, &'a str>,
    /// Definitions (functions, classes) renamed, `(from, to)`: the scopes
    /// inside them are the same scopes under another name.
    renamed_definitions: &'a HashSet<(&'a str, &'a str)>,
    /// Tokens of removed code (old side) and of new code (new side).
    removed: HashSet<usize>,
    added: HashSet<usize>,
    context: &'a Context,
    waiting_on_imports: Cell<bool>,
    /// Parameters renamed so far, `(from, to)`: keyword arguments follow them.
    renamed_parameters: RefCell<Vec<(String, String)>>,
    private_names: RefCell<Vec<String>>,
    reach_unknown: Cell<bool>,
}

impl Checker<'_> {
    /// The note of a consistent rename, or `None` if the group is not one.
    fn rename_note(&self, old_key: &NameKey<'_>, new_key: &NameKey<'_>, group: &[&Substitution]) -> Option<Note> {
        let (from, to) = names_of(old_key, new_key, self.renamed_definitions)?;
        let old_members: HashSet<usize> = group.iter().map(|s| s.old_token).collect();
        let new_members: HashSet<usize> = group.iter().map(|s| s.new_token).collect();
        let old_occurrences = self.tables.0.occurrences(old_key);
        // Every use of the old name follows (or went with removed code), the
        // new name stood nowhere before (new code may use it too), and no use
        // of the old name is left.
        let complete = old_occurrences
            .iter()
            .all(|t| old_members.contains(t) || self.removed.contains(t));
        let no_clash = self
            .tables
            .1
            .occurrences(new_key)
            .iter()
            .all(|t| new_members.contains(t) || self.added.contains(t))
            && self.tables.1.occurrences(old_key).is_empty();
        let same_depth = group
            .iter()
            .all(|s| self.old.tokens[s.old_token].depth == self.new.tokens[s.new_token].depth);
        let defined_here = self.defined_here(old_key, old_occurrences, from, to);
        if !(complete && no_clash && same_depth && defined_here && self.keywords_follow(old_occurrences, from, to)) {
            return None;
        }
        if read_by_name(self.old, &self.tables.0, old_key, old_occurrences)
            || read_by_name(self.new, &self.tables.1, new_key, &new_members)
        {
            return None;
        }
        let kind = self.kind(old_key, old_occurrences);
        if !self.unseen_outside(old_key, old_occurrences, from) {
            return None;
        }
        if kind == "parameter" {
            self.renamed_parameters
                .borrow_mut()
                .push((from.to_owned(), to.to_owned()));
        }
        let scope = self.scope_name(old_key, old_occurrences, kind);
        let count = old_occurrences.len();
        let uses = if count == 1 {
            "1 use".to_owned()
        } else {
            format!("{count} uses")
        };
        Some(Note {
            message: format!("renamed `{from}` to `{to}` in `{scope}` ({uses})"),
            detail: Detail::Rename {
                from: from.to_owned(),
                to: to.to_owned(),
                scope,
                kind,
                count,
            },
        })
    }

    /// Only a name this file defines can be renamed here: replacing a builtin,
    /// an import's original name or another object's attribute changes what the
    /// code refers to. A keyword argument follows a parameter renamed here.
    fn defined_here(&self, key: &NameKey<'_>, occurrences: &[usize], from: &str, to: &str) -> bool {
        if let NameKey::Keyword(_) = key {
            return self
                .renamed_parameters
                .borrow()
                .iter()
                .any(|(parameter, renamed)| parameter == from && renamed == to);
        }
        let imports: Vec<usize> = occurrences
            .iter()
            .copied()
            .filter(|&t| position(self.old, t) == Some(NamePosition::Imported))
            .collect();
        if !imports.is_empty() {
            let renamed_at_source = imports.iter().all(|&t| self.renamed_where_defined(t, from, to));
            // Only a private name's rename can be noise where it is defined,
            // so only it is worth waiting for.
            if !renamed_at_source && visibility::is_private(from) {
                self.waiting_on_imports.set(true);
            }
            return renamed_at_source;
        }
        occurrences.iter().any(|&t| {
            matches!(
                position(self.old, t),
                Some(
                    NamePosition::Binding
                        | NamePosition::Parameter
                        | NamePosition::FunctionName
                        | NamePosition::ClassName
                        | NamePosition::AttributeBinding
                )
            )
        })
    }

    /// Whether the module that `from m import name` reads renamed `from` to
    /// `to` in the same diff.
    fn renamed_where_defined(&self, token: usize, from: &str, to: &str) -> bool {
        let Some(module) = imported_module(self.old, token, &self.context.path) else {
            return false;
        };
        self.context
            .renamed_elsewhere
            .iter()
            .any(|r| r.from == from && r.to == to && module_matches(&r.module, &module))
    }

    /// Whether no code outside the diff can notice the rename (SPEC, "Never
    /// noise"): see [`visibility`]. A private module- or class-level name is
    /// also reached without an identifier when this file spells it as a
    /// string (`__all__ = ["_parse"]`, `getattr(self, "_handler")`) or
    /// another file of the repository spells it: the pipeline looks there.
    fn unseen_outside(&self, key: &NameKey<'_>, occurrences: &[usize], from: &str) -> bool {
        match visibility::of(self.old, key, occurrences, from) {
            Visibility::Local => !occurrences
                .first()
                .is_some_and(|&token| named_by_a_decorator(self.old, token, from)),
            Visibility::Public => false,
            Visibility::Unknown => {
                self.reach_unknown.set(true);
                false
            }
            Visibility::Private => {
                let reached_as = visibility::spelled_as(self.old, key, occurrences, from);
                let spelled = self.old.text.contains(&format!("\"{reached_as}\""))
                    || self.old.text.contains(&format!("'{reached_as}'"))
                    || (reached_as == from && spelled_besides_code(self.old, self.new, from))
                    || (matches!(key, NameKey::Attribute(_)) && reads_attributes_as_a_namespace(self.old));
                let elsewhere = self.context.spelled_elsewhere.iter().any(|name| name == reached_as);
                if !spelled && !elsewhere {
                    self.private_names.borrow_mut().push(reached_as.to_owned());
                }
                !spelled && !elsewhere
            }
        }
    }

    /// A renamed parameter can be passed by keyword: every `from=` keyword
    /// argument in the file must become `to=`.
    fn keywords_follow(&self, occurrences: &[usize], from: &str, to: &str) -> bool {
        let is_parameter = occurrences
            .iter()
            .any(|&t| position(self.old, t) == Some(NamePosition::Parameter));
        if !is_parameter {
            return true;
        }
        let keywords = self.tables.0.occurrences(&NameKey::Keyword(from));
        keywords.iter().all(|t| self.renamed_to.get(t) == Some(&to))
    }

    fn kind(&self, key: &NameKey<'_>, occurrences: &[usize]) -> &'static str {
        let positions: Vec<NamePosition> = occurrences.iter().filter_map(|&t| position(self.old, t)).collect();
        if positions.contains(&NamePosition::ClassName) {
            "class"
        } else if positions.contains(&NamePosition::FunctionName) {
            if matches!(key, NameKey::Attribute(_)) {
                "method"
            } else {
                "function"
            }
        } else if positions.contains(&NamePosition::Parameter) {
            "parameter"
        } else if matches!(key, NameKey::Attribute(_)) {
            "attribute"
        } else {
            "variable"
        }
    }

    /// The scope that binds the name, as a dotted path (`ReportView.get`).
    fn scope_name(&self, key: &NameKey<'_>, occurrences: &[usize], kind: &str) -> String {
        let dotted = match key {
            NameKey::Scoped { scope, .. } => scope.trim_start_matches('/').replace('/', "."),
            _ => {
                let first = occurrences
                    .first()
                    .map(|&t| &self.old.scopes[self.old.tokens[t].scope as usize]);
                let qualified = first.map_or("", |scope| scope.qualified_name.as_str());
                let class = match kind {
                    "method" | "attribute" => qualified.rsplit_once('.').map_or(qualified, |(class, _)| class),
                    _ => qualified,
                };
                class.to_owned()
            }
        };
        if dotted.is_empty() { "module".to_owned() } else { dotted }
    }
}

/// The two names of a group, if the keys can be a rename of one another:
/// names of the same scope (a scope inside a renamed definition is the same
/// scope under the definition's new name), or attributes, or keywords.
fn names_of<'k>(
    old_key: &'k NameKey,
    new_key: &'k NameKey,
    renamed_definitions: &HashSet<(&str, &str)>,
) -> Option<(&'k str, &'k str)> {
    let same_scope = |a: &str, b: &str| {
        a.split('/').count() == b.split('/').count()
            && a.split('/')
                .zip(b.split('/'))
                .all(|(x, y)| x == y || renamed_definitions.contains(&(x, y)))
    };
    match (old_key, new_key) {
        (NameKey::Scoped { scope: a, name: from }, NameKey::Scoped { scope: b, name: to }) if same_scope(a, b) => {
            Some((from, to))
        }
        (NameKey::Attribute(from), NameKey::Attribute(to)) | (NameKey::Keyword(from), NameKey::Keyword(to)) => {
            Some((from, to))
        }
        _ => None,
    }
}

/// The dotted module a `from ... import name` token imports from, with a
/// relative import resolved against the importing file's package.
fn imported_module(source: &ParsedSource, token: usize, importer_path: &str) -> Option<String> {
    let token = &source.tokens[token];
    let node = source
        .tree
        .root_node()
        .descendant_for_byte_range(token.start_byte as usize, token.end_byte as usize)?;
    let mut statement = node;
    while grammar::kind(statement) != "import_from_statement" {
        statement = statement.parent()?;
    }
    let spelled = crate::python::tokens::node_text(&source.text, grammar::field_child(statement, "module_name")?);
    let dots = spelled.len() - spelled.trim_start_matches('.').len();
    if dots == 0 {
        return Some(spelled.to_owned());
    }
    let mut package: Vec<&str> = importer_path.split('/').collect();
    package.pop();
    for _ in 1..dots {
        package.pop()?;
    }
    let rest = spelled.trim_start_matches('.');
    package.extend(rest.split('.').filter(|part| !part.is_empty()));
    Some(package.join("."))
}

/// Whether a file's module path (from its repository path, so it may carry a
/// source folder in front, like `src.app.models`) is the module imported as
/// `imported` (`app.models`).
fn module_matches(file_module: &str, imported: &str) -> bool {
    file_module == imported || file_module.ends_with(&format!(".{imported}"))
}

fn position(source: &ParsedSource, token: usize) -> Option<NamePosition> {
    source.tokens[token].site.map(|site| site.position)
}
