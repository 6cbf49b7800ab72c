//! Moves: definitions and imports whose place among their siblings changed.
//!
//! Items of the same body are matched across the two sides by identity (kind
//! and name; an import by its tokens). The longest run of matched items that
//! kept their relative order (weighted by size, as the line diff would keep
//! the biggest) stays put; every other matched item moved. A move is only
//! noise when it cannot change behaviour: the name is unique in its body, it
//! does not cross a statement that runs (an assignment, a call), and it does
//! not swap places with an item it depends on at definition time (a base
//! class, a decorator, a default value).
//!
//! In a body where something moved, every item the line diff touched is
//! aligned with its twin, moved or not: when two similar functions swap, the
//! diff pairs the lines of one with the other, and only the twins tell that
//! nothing but their order changed.

use std::collections::HashMap;
use std::ops::Range;

use super::rows::RowSet;
use crate::python::chunks::defined_name;
use crate::python::items::{Container, Item, ItemKind, containers};
use crate::python::names::NamePosition;
use crate::python::tokens::word_positions;
use crate::python::{ParsedSource, grammar};

/// Above this many matched items in one body, moves are not looked for
/// (the order check is quadratic); such lines stay substantive.
const MAX_MATCHED_ITEMS: usize = 2000;

/// An item to align with its twin: where it was and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub old_rows: Range<usize>,
    pub new_rows: Range<usize>,
    pub name: String,
    pub kind: ItemKind,
    /// The dotted path of the class whose body holds it, `""` for the module.
    pub container: String,
    /// An import whose names were only re-sorted: nothing to align.
    pub resorted: bool,
    /// Whether the item moved (else it kept its place, and is aligned with
    /// its twin only because a sibling moved past it).
    pub moved: bool,
}

/// Finds the moved items whose lines the line diff changed.
pub fn find(old: &ParsedSource, new: &ParsedSource, changed_old: &RowSet, changed_new: &RowSet) -> Vec<Move> {
    // A move changes rows on both sides of its body: the class bodies inside
    // statements the diff left alone on either side hold none.
    let new_containers = unique_by_path(containers(new, |rows| changed_new.overlaps(&rows)));
    let mut moves = Vec::new();
    for (path, old_container) in unique_by_path(containers(old, |rows| changed_old.overlaps(&rows))) {
        let Some(new_container) = new_containers.get(&path) else {
            continue;
        };
        let pairs = matched_pairs(&old_container.items, &new_container.items);
        if pairs.len() > MAX_MATCHED_ITEMS {
            continue;
        }
        let kept = longest_kept_order(&pairs, &old_container.items, changed_old);
        let class_texts: Vec<std::cell::OnceCell<String>> =
            old_container.items.iter().map(|_| std::cell::OnceCell::new()).collect();
        let order = Order {
            source: old,
            items: &old_container.items,
            class_texts: &class_texts,
        };
        let safe_move = |index: usize| {
            let (o, n) = pairs[index];
            old_container.items[o].barriers_before == new_container.items[n].barriers_before
                && !swaps_with(index, &pairs, |a, b| order.matters(a, b))
        };
        let moved: Vec<bool> = (0..pairs.len()).map(|i| !kept[i] && safe_move(i)).collect();
        let anything_moved = moved.contains(&true);
        for (index, &(o, n)) in pairs.iter().enumerate() {
            let (old_item, new_item) = (&old_container.items[o], &new_container.items[n]);
            let touched = changed_old.overlaps(&old_item.rows) || changed_new.overlaps(&new_item.rows);
            let resorted = old_item.kind == ItemKind::Import && old_item.content != new_item.content;
            // A kept item is aligned with its twin only where the line diff
            // displaced it (a line of its header removed and added again); an
            // edit inside an item that stayed put is an edit in place.
            let displaced = changed_old.overlaps(&header_rows(old, &old_item.rows))
                && changed_new.overlaps(&header_rows(new, &new_item.rows));
            let twin = (anything_moved || resorted) && (moved[index] || (kept[index] && displaced));
            if touched && twin {
                moves.push(Move {
                    old_rows: old_item.rows.clone(),
                    new_rows: new_item.rows.clone(),
                    name: old_item.name.clone(),
                    kind: old_item.kind,
                    container: path.clone(),
                    resorted,
                    moved: moved[index],
                });
            }
        }
    }
    moves
}

/// The rows of the body of the definition on `rows` (after its decorators
/// and signature); all of `rows` for an import.
pub fn body_rows(source: &ParsedSource, rows: &Range<usize>) -> Range<usize> {
    let names_definition = |token: &&crate::python::Token| {
        token
            .site
            .is_some_and(|site| matches!(site.position, NamePosition::FunctionName | NamePosition::ClassName))
    };
    let body_start = source.tokens[crate::classify::align::tokens_on_rows(&source.tokens, rows)]
        .iter()
        .find(names_definition)
        .and_then(|name| {
            let node = source
                .tree
                .root_node()
                .descendant_for_byte_range(name.start_byte as usize, name.end_byte as usize)?;
            Some(grammar::field_child(node.parent()?, "body")?.start_position().row)
        });
    match body_start {
        Some(start) if rows.contains(&start) => start..rows.end,
        _ => rows.clone(),
    }
}

/// The rows of the definition on `rows` before its body (comments above,
/// decorators, signature); all of `rows` for an import.
fn header_rows(source: &ParsedSource, rows: &Range<usize>) -> Range<usize> {
    match body_rows(source, rows).start {
        start if start > rows.start => rows.start..start,
        _ => rows.clone(),
    }
}

/// Whether anything may have moved: a definition changes places among its
/// siblings only if the line diff changed a line of its header (its `def`,
/// `class` or a decorator line), and an import only if it changed a line of
/// the import.
pub fn may_have_moved(
    sources: (&ParsedSource, &ParsedSource),
    changed: (&RowSet, &RowSet),
    lines: (&[&[u8]], &[&[u8]]),
) -> bool {
    let header = |line: &&[u8]| {
        let code = line.trim_ascii_start();
        code.starts_with(b"@") || defined_name(code).is_some()
    };
    let touched = |source: &ParsedSource, changed: &RowSet, lines: &[&[u8]]| {
        changed.rows().any(|row| lines.get(row).is_some_and(header))
            || source.imports.iter().any(|import| {
                let tokens = &source.tokens[import.clone()];
                tokens.iter().any(|token| token.rows().any(|row| changed.contains(row)))
            })
    };
    touched(sources.0, changed.0, lines.0) || touched(sources.1, changed.1, lines.1)
}

/// Containers by path; a path defined twice (a class in both branches of an
/// `if`), or inside a top-level name defined twice, is ambiguous and left out.
fn unique_by_path(all: Vec<Container>) -> HashMap<String, Container> {
    let top = |path: &str| path.split('.').next().unwrap_or_default().to_owned();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut top_counts: HashMap<String, usize> = HashMap::new();
    for container in &all {
        *counts.entry(container.path.clone()).or_default() += 1;
        if !container.path.contains('.') {
            *top_counts.entry(container.path.clone()).or_default() += 1;
        }
    }
    all.into_iter()
        .filter(|c| counts[&c.path] == 1 && top_counts.get(&top(&c.path)).is_none_or(|&n| n == 1))
        .map(|c| (c.path.clone(), c))
        .collect()
}

/// Pairs (old index, new index) of items of the same identity, in old order:
/// the k-th of an identity on one side with the k-th on the other, when
/// both sides hold as many (a getter and its setter pair in order).
fn matched_pairs(old: &[Item], new: &[Item]) -> Vec<(usize, usize)> {
    let by_identity = |items: &[Item]| {
        let mut indices: HashMap<u64, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            indices.entry(item.identity).or_default().push(index);
        }
        indices
    };
    let (old_indices, new_indices) = (by_identity(old), by_identity(new));
    let mut pairs: Vec<(usize, usize)> = old_indices
        .iter()
        .filter_map(|(identity, olds)| Some((olds, new_indices.get(identity)?)))
        .filter(|(olds, news)| olds.len() == news.len())
        .flat_map(|(olds, news)| olds.iter().copied().zip(news.iter().copied()))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// Whether the item at `index` changed order with an item for which
/// `matters(item, other)` holds (old indices).
fn swaps_with(index: usize, pairs: &[(usize, usize)], matters: impl Fn(usize, usize) -> bool) -> bool {
    let (o, n) = pairs[index];
    pairs
        .iter()
        .any(|&(other_o, other_n)| other_o != o && (o < other_o) != (n < other_n) && matters(o, other_o))
}

/// What ties two items of one body to their order.
struct Order<'a> {
    source: &'a ParsedSource,
    items: &'a [Item],
    /// [`class_definition_text`] of each item, computed when first needed.
    class_texts: &'a [std::cell::OnceCell<String>],
}

impl Order<'_> {
    /// Whether items `a` and `b` (old indices) must keep their order: one
    /// uses what the other binds when it is defined (a base class, a
    /// decorator, `ts = _now()` in a class body), or both bind a name (a
    /// getter and its setter, two imports of one name, a star import and
    /// anything: the later one wins).
    fn matters(&self, a: usize, b: usize) -> bool {
        let (first, second) = (&self.items[a], &self.items[b]);
        let star = |item: &Item| item.defines.iter().any(|name| name == "*");
        let rivals = star(first) || star(second) || first.defines.iter().any(|name| second.defines.contains(name));
        rivals || self.uses(a, &second.defines) || self.uses(b, &first.defines)
    }

    /// Whether item `user` evaluates one of `names` when it is defined.
    fn uses(&self, user: usize, names: &[String]) -> bool {
        let item = &self.items[user];
        if item.uses_at_definition.iter().any(|name| names.contains(name)) {
            return true;
        }
        let mentions = |text: &str| {
            names
                .iter()
                .any(|name| word_positions(text.as_bytes(), name.as_bytes()).next().is_some())
        };
        let class_body_uses = item.kind == ItemKind::Class && {
            let text = self.class_texts[user].get_or_init(|| class_definition_text(self.source, &item.rows));
            mentions(text)
        };
        class_body_uses
            || self
                .runs_at_definition(item)
                .any(|runner| mentions(self.text_of(runner)))
    }

    /// The items of this body whose code runs when `item` is defined: a
    /// decorator defined here (its body runs on the definition), and a base
    /// class defined here that hooks its subclasses (`__init_subclass__`) or
    /// is a metaclass.
    fn runs_at_definition<'s>(&'s self, item: &'s Item) -> impl Iterator<Item = &'s Item> + 's {
        item.uses_at_definition.iter().filter_map(move |name| {
            let runner = self.items.iter().find(|other| other.defines.contains(name))?;
            let runs = match runner.kind {
                ItemKind::Function | ItemKind::Method => true,
                ItemKind::Class => {
                    let text = self.text_of(runner);
                    text.contains("__init_subclass__") || text.contains("(type)") || text.contains("(type,")
                }
                _ => false,
            };
            runs.then_some(runner)
        })
    }

    fn text_of(&self, item: &Item) -> &str {
        let byte = |row: usize| {
            self.source
                .line_starts
                .get(row)
                .copied()
                .unwrap_or(self.source.text.len())
        };
        &self.source.text[byte(item.rows.start)..byte(item.rows.end)]
    }
}

/// The lines of the class on `rows` that run when the class is defined:
/// all of them but the bodies of its methods (their signatures, decorators
/// and defaults run). Read from the text, so a class parsed as a stub is
/// read whole.
fn class_definition_text(source: &ParsedSource, rows: &Range<usize>) -> String {
    let line = |row: usize| source.line(row);
    let indent = |text: &str| text.len() - text.trim_start().len();
    let mut out = String::new();
    // The indentation of the `def` whose body is being skipped, and whether
    // its signature (which runs) is still going on.
    let mut method_indent: Option<usize> = None;
    let mut in_signature = false;
    for row in rows.clone() {
        let text = line(row);
        if text.trim().is_empty() {
            continue;
        }
        let depth = indent(text);
        let in_body = method_indent.is_some_and(|def_depth| depth > def_depth);
        if in_body && !in_signature {
            continue;
        }
        if !in_body {
            let statement = text.trim_start();
            method_indent = (statement.starts_with("def ") || statement.starts_with("async def ")).then_some(depth);
            in_signature = method_indent.is_some();
        }
        if in_signature && text.split('#').next().unwrap_or_default().trim_end().ends_with(':') {
            in_signature = false;
        }
        out.push_str(text);
    }
    out
}

/// The weight of an item the line diff left alone: it stayed where it was,
/// whatever its size (a partial parse knows such an item only by its stub).
const UNTOUCHED: usize = 1 << 40;

/// Which pairs keep their relative order: the heaviest increasing
/// subsequence of new indices. An item weighs its lines that the line diff
/// left unchanged first (so the answer agrees with the diff the reviewer
/// sees), then its size.
fn longest_kept_order(pairs: &[(usize, usize)], old_items: &[Item], changed_old: &RowSet) -> Vec<bool> {
    let weights: Vec<usize> = pairs
        .iter()
        .map(|&(o, _)| {
            let rows = &old_items[o].rows;
            let unchanged = rows.len() - RowSet::from_range(rows.clone()).intersect(changed_old).len();
            match unchanged == rows.len() {
                true => UNTOUCHED,
                false => unchanged * 1_000_000 + rows.len(),
            }
        })
        .collect();
    let mut best = weights.clone();
    let mut previous = vec![None; pairs.len()];
    for i in 0..pairs.len() {
        for j in 0..i {
            if pairs[j].1 < pairs[i].1 && best[j] + weights[i] > best[i] {
                best[i] = best[j] + weights[i];
                previous[i] = Some(j);
            }
        }
    }
    let mut kept = vec![false; pairs.len()];
    let mut current = (0..pairs.len()).max_by_key(|&i| best[i]);
    while let Some(i) = current {
        kept[i] = true;
        current = previous[i];
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::diff_lines;
    use crate::python::parse;

    fn moved(old: &str, new: &str) -> Vec<String> {
        let (old_source, new_source) = (parse(old).unwrap(), parse(new).unwrap());
        let diff = diff_lines(old.as_bytes(), new.as_bytes());
        let (changed_old, changed_new) = crate::classify::rows::changed_rows(&diff.runs);
        find(&old_source, &new_source, &changed_old, &changed_new)
            .into_iter()
            .map(|m| m.name)
            .collect()
    }

    #[test]
    fn swapped_functions_move_the_smaller_one() {
        let old = "def a():\n    return 1\n\n\ndef b():\n    x = 1\n    return x\n";
        let new = "def b():\n    x = 1\n    return x\n\n\ndef a():\n    return 1\n";
        assert_eq!(moved(old, new), ["a"]);
    }

    #[test]
    fn crossing_a_statement_is_not_a_move() {
        let old = "def a():\n    pass\nX = a()\ndef b():\n    pass\n";
        let new = "X = a()\ndef a():\n    pass\ndef b():\n    pass\n";
        assert!(moved(old, new).is_empty());
    }

    #[test]
    fn a_class_moved_before_its_base_is_not_a_move() {
        let old = "class Base:\n    pass\n\nclass Child(Base):\n    pass\n";
        let new = "class Child(Base):\n    pass\n\nclass Base:\n    pass\n";
        assert!(moved(old, new).is_empty());
    }

    #[test]
    fn a_method_moves_past_a_getter_and_its_setter() {
        let old = "class A:\n    @property\n    def x(self):\n        return 1\n\n    def y(self):\n        return 2\n\n    @x.setter\n    def x(self, v):\n        pass\n";
        let new = "class A:\n    def y(self):\n        return 2\n\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, v):\n        pass\n";
        assert_eq!(moved(old, new), ["y"]);
    }

    #[test]
    fn a_getter_and_its_setter_move_together() {
        let y = "    def y(self):\n        a = 1\n        b = 2\n        c = 3\n        d = 4\n        e = 5\n        f = 6\n        g = 7\n        return a + b + c + d + e + f + g\n";
        let x =
            "    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, v):\n        pass\n";
        let old = format!("class A:\n{x}\n{y}");
        let new = format!("class A:\n{y}\n{x}");
        assert_eq!(moved(&old, &new), ["x", "x"]);
    }

    #[test]
    fn imports_of_one_name_and_star_imports_keep_their_order() {
        let old = "from json import loads\nfrom simplejson import loads\nimport os\n";
        let new = "from simplejson import loads\nfrom json import loads\nimport os\n";
        assert!(moved(old, new).is_empty());
        let old = "from .base import *\nfrom .production import *\nfrom .local import *\n";
        let new = "from .base import *\nfrom .local import *\nfrom .production import *\n";
        assert!(moved(old, new).is_empty());
        let old = "from shlex import quote\n\n\ndef quote(s):\n    return s\n";
        let new = "def quote(s):\n    return s\n\n\nfrom shlex import quote\n";
        assert!(moved(old, new).is_empty());
    }

    #[test]
    fn a_function_a_class_body_runs_stays_above_the_class() {
        let helper = "def _now():\n    return 0\n\n\n";
        let class = "class Event:\n    ts = _now()\n\n    def age(self):\n        return 1\n\n\n";
        assert!(moved(&format!("{helper}{class}"), &format!("{class}{helper}")).is_empty());
        let signature = "class Event:\n    def age(self,\n            now=_now()):\n        return now\n\n\n";
        assert!(moved(&format!("{helper}{signature}"), &format!("{signature}{helper}")).is_empty());
        // A method that calls it when it runs does not hold it in place.
        let method = "class Event:\n    def age(self):\n        return _now()\n\n\n";
        assert_eq!(
            moved(&format!("{helper}{method}"), &format!("{method}{helper}")),
            ["_now"]
        );
    }

    #[test]
    fn getter_and_setter_swapped_is_not_a_move() {
        let old = "class A:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, v):\n        pass\n";
        let new = "class A:\n    @x.setter\n    def x(self, v):\n        pass\n\n    @property\n    def x(self):\n        return 1\n";
        assert!(moved(old, new).is_empty());
    }

    #[test]
    fn a_class_defined_twice_is_not_judged_even_if_one_is_left_alone() {
        let twice = "\n\nclass A:\n    pass\n";
        let old = format!(
            "class A:\n    def a(self):\n        return 1\n\n    def b(self):\n        x = 1\n        return x\n{twice}"
        );
        let new = format!(
            "class A:\n    def b(self):\n        x = 1\n        return x\n\n    def a(self):\n        return 1\n{twice}"
        );
        assert!(moved(&old, &new).is_empty());
        assert_eq!(moved(&old.replace(twice, ""), &new.replace(twice, "")), ["a"]);
    }

    #[test]
    fn resorted_imports_move() {
        assert_eq!(moved("import sys\nimport os\n", "import os\nimport sys\n").len(), 1);
    }
}
