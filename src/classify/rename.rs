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

use std::collections::{HashMap, HashSet};

use super::align::Substitution;
use super::changes::{Detail, Note};
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
pub fn verify(
    old: &ParsedSource,
    new: &ParsedSource,
    substitutions: &[Substitution],
) -> (Vec<Verdict>, Vec<Note>) {
    if substitutions.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let tables = (NameTable::build(old), NameTable::build(new));
    let mut groups: HashMap<(&NameKey, &NameKey), Vec<usize>> = HashMap::new();
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
    let checker = Checker {
        old,
        new,
        tables: &tables,
        renamed_to: &renamed_to,
    };
    let mut verdicts: Vec<Verdict> = substitutions
        .iter()
        .map(|s| {
            let in_annotation = old.tokens[s.old_token].role == Role::Annotation
                && new.tokens[s.new_token].role == Role::Annotation;
            if in_annotation {
                Verdict::Annotation
            } else {
                Verdict::Substantive
            }
        })
        .collect();
    let mut notes = Vec::new();
    let mut ordered: Vec<_> = groups.into_iter().collect();
    ordered.sort_by_key(|(_, members)| members[0]);
    for ((old_key, new_key), members) in ordered {
        let group: Vec<&Substitution> = members.iter().map(|&i| &substitutions[i]).collect();
        if let Some(note) = checker.rename_note(old_key, new_key, &group) {
            notes.push(note);
            for member in members {
                verdicts[member] = Verdict::Rename(notes.len() - 1);
            }
        }
    }
    (verdicts, notes)
}

struct Checker<'a> {
    old: &'a ParsedSource,
    new: &'a ParsedSource,
    tables: &'a (NameTable, NameTable),
    /// Old identifier token → the name it was replaced with.
    renamed_to: &'a HashMap<usize, &'a str>,
}

impl Checker<'_> {
    /// The note of a consistent rename, or `None` if the group is not one.
    fn rename_note(
        &self,
        old_key: &NameKey,
        new_key: &NameKey,
        group: &[&Substitution],
    ) -> Option<Note> {
        let (from, to) = names_of(old_key, new_key)?;
        let old_members: HashSet<usize> = group.iter().map(|s| s.old_token).collect();
        let new_members: HashSet<usize> = group.iter().map(|s| s.new_token).collect();
        let old_occurrences = self.tables.0.occurrences(old_key);
        let complete = old_occurrences.iter().all(|t| old_members.contains(t));
        let no_clash = self
            .tables
            .1
            .occurrences(new_key)
            .iter()
            .all(|t| new_members.contains(t));
        let same_depth = group
            .iter()
            .all(|s| self.old.tokens[s.old_token].depth == self.new.tokens[s.new_token].depth);
        let defined_here = self.defined_here(old_key, old_occurrences, from, to);
        if !(complete
            && no_clash
            && same_depth
            && defined_here
            && self.keywords_follow(old_occurrences, from, to))
        {
            return None;
        }
        let kind = self.kind(old_key, old_occurrences);
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
    fn defined_here(&self, key: &NameKey, occurrences: &[usize], from: &str, to: &str) -> bool {
        if let NameKey::Keyword(_) = key {
            return self.renamed_to.iter().any(|(&token, &new_name)| {
                new_name == to
                    && position(self.old, token) == Some(NamePosition::Parameter)
                    && self.old.token_text(&self.old.tokens[token]) == from
            });
        }
        let imported = occurrences
            .iter()
            .any(|&t| position(self.old, t) == Some(NamePosition::Imported));
        !imported
            && occurrences.iter().any(|&t| {
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

    /// A renamed parameter can be passed by keyword: every `from=` keyword
    /// argument in the file must become `to=`.
    fn keywords_follow(&self, occurrences: &[usize], from: &str, to: &str) -> bool {
        let is_parameter = occurrences
            .iter()
            .any(|&t| position(self.old, t) == Some(NamePosition::Parameter));
        if !is_parameter {
            return true;
        }
        let keywords = self
            .tables
            .0
            .occurrences(&NameKey::Keyword(from.to_owned()));
        keywords.iter().all(|t| self.renamed_to.get(t) == Some(&to))
    }

    fn kind(&self, key: &NameKey, occurrences: &[usize]) -> &'static str {
        let positions: Vec<NamePosition> = occurrences
            .iter()
            .filter_map(|&t| position(self.old, t))
            .collect();
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
    fn scope_name(&self, key: &NameKey, occurrences: &[usize], kind: &str) -> String {
        let dotted = match key {
            NameKey::Scoped { scope, .. } => scope.trim_start_matches('/').replace('/', "."),
            _ => {
                let first = occurrences
                    .first()
                    .map(|&t| &self.old.scopes[self.old.tokens[t].scope as usize]);
                let qualified = first.map_or("", |scope| scope.qualified_name.as_str());
                let class = match kind {
                    "method" | "attribute" => qualified
                        .rsplit_once('.')
                        .map_or(qualified, |(class, _)| class),
                    _ => qualified,
                };
                class.to_owned()
            }
        };
        if dotted.is_empty() {
            "module".to_owned()
        } else {
            dotted
        }
    }
}

/// The two names of a group, if the keys can be a rename of one another.
fn names_of<'k>(old_key: &'k NameKey, new_key: &'k NameKey) -> Option<(&'k str, &'k str)> {
    match (old_key, new_key) {
        (
            NameKey::Scoped {
                scope: a,
                name: from,
            },
            NameKey::Scoped { scope: b, name: to },
        ) if a == b => Some((from, to)),
        (NameKey::Attribute(from), NameKey::Attribute(to))
        | (NameKey::Keyword(from), NameKey::Keyword(to)) => Some((from, to)),
        _ => None,
    }
}

fn position(source: &ParsedSource, token: usize) -> Option<NamePosition> {
    source.tokens[token].site.map(|site| site.position)
}
