//! The movable items of a file: definitions and imports in module and class
//! bodies, whose order is free (unlike statements), with what they need to
//! stay correct when moved.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use tree_sitter::Node;

use super::grammar::{self, is};
use super::names::NamePosition;
use super::tokens::{ParsedSource, node_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Function,
    Method,
    Class,
    Import,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Function => "function",
            ItemKind::Method => "method",
            ItemKind::Class => "class",
            ItemKind::Import => "import",
        }
    }
}

/// A definition or import statement in a module or class body.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    /// The definition's name, or the import statement's text.
    pub name: String,
    /// Identity across the two sides: kind and name for definitions, what
    /// is imported (in any order) for imports.
    pub identity: u64,
    /// An import's tokens, in order, to tell a re-sorted import from an
    /// unchanged one (0 for a definition, whose content is never compared).
    pub content: u64,
    /// Rows from the first leading comment or decorator to the last row.
    pub rows: Range<usize>,
    /// Names the item binds (a definition's name, an import's names).
    pub defines: Vec<String>,
    /// Names the item evaluates when it runs: decorators, base classes,
    /// default values. Moving it before their definitions breaks it.
    pub uses_at_definition: Vec<String>,
    /// How many statements that are not items (assignments, calls, `if`
    /// blocks) come before it in its body: moving an item across one can
    /// change what the statement sees.
    pub barriers_before: usize,
}

/// A body whose items may be reordered: the module, or a class body.
#[derive(Debug, Clone)]
pub struct Container {
    /// `""` for the module, the dotted class path otherwise.
    pub path: String,
    pub items: Vec<Item>,
}

/// The containers of a parsed file: the module first, then the class
/// bodies, wherever the class stands (in an `if` block or a function too),
/// inside statements whose rows `wanted` accepts. Every other top-level
/// definition is listed too, without items, so that a name defined twice
/// shows.
pub fn containers(source: &ParsedSource, wanted: impl Fn(Range<usize>) -> bool) -> Vec<Container> {
    let root = source.tree.root_node();
    let mut out = vec![container(source, root, String::new())];
    let mut cursor = root.walk();
    // Each statement holder with the dotted path of the definitions around it.
    let mut pending = vec![(root, String::new())];
    while let Some((node, path)) = pending.pop() {
        for child in node.named_children(&mut cursor) {
            if !is(grammar::kind(child), grammar::STATEMENT_HOLDERS) {
                continue;
            }
            let name = matches!(grammar::kind(child), "class_definition" | "function_definition")
                .then(|| grammar::field_child(child, "name"))
                .flatten()
                .map(|name| node_text(&source.text, name));
            let rows = child.start_position().row..child.end_position().row + 1;
            let wanted = wanted(rows);
            let class = grammar::kind(definition_of(child)) == "class_definition";
            if node == root
                && !(class && wanted)
                && let Some(name) = grammar::field_child(definition_of(child), "name")
            {
                out.push(Container {
                    path: node_text(&source.text, name).to_owned(),
                    items: Vec::new(),
                });
            }
            if !wanted {
                continue;
            }
            let path = match name {
                Some(name) if path.is_empty() => name.to_owned(),
                Some(name) => format!("{path}.{name}"),
                None => path.clone(),
            };
            if grammar::kind(child) == "class_definition"
                && let Some(body) = grammar::field_child(child, "body")
            {
                out.push(container(source, body, path.clone()));
            }
            pending.push((child, path));
        }
    }
    out
}

fn container(source: &ParsedSource, body: Node<'_>, path: String) -> Container {
    let mut items = Vec::new();
    let mut barriers = 0;
    // Rows of the comments that stand on their own lines since the last statement.
    let mut comment_rows: Vec<usize> = Vec::new();
    let mut last_statement_row = None;
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        let row = child.start_position().row;
        if grammar::kind(child) == "comment" {
            if last_statement_row != Some(row) {
                comment_rows.push(row);
            }
            continue;
        }
        if let Some(mut item) = item_of(source, child, &path, barriers) {
            item.rows.start = leading_comments_start(&comment_rows, row);
            items.push(item);
        } else if !is_inert(source, child) {
            barriers += 1;
        }
        comment_rows.clear();
        last_statement_row = Some(child.end_position().row);
    }
    Container { path, items }
}

/// The first row of the unbroken block of comment lines right above `row`.
fn leading_comments_start(comment_rows: &[usize], row: usize) -> usize {
    let mut start = row;
    for &comment_row in comment_rows.iter().rev() {
        if comment_row + 1 != start {
            break;
        }
        start = comment_row;
    }
    start
}

/// Statements that do nothing when run, so moving an item across them is harmless.
fn is_inert(source: &ParsedSource, node: Node<'_>) -> bool {
    match grammar::kind(node) {
        "pass_statement" => true,
        "expression_statement" => {
            node.named_child_count() == 1
                && node
                    .named_child(0)
                    .is_some_and(|child| matches!(grammar::kind(child), "string" | "concatenated_string" | "ellipsis"))
                && !node_text(&source.text, node).contains('{')
        }
        _ => false,
    }
}

fn definition_of(node: Node<'_>) -> Node<'_> {
    match grammar::kind(node) {
        "decorated_definition" => grammar::field_child(node, "definition").unwrap_or(node),
        _ => node,
    }
}

fn item_of(source: &ParsedSource, node: Node<'_>, container: &str, barriers_before: usize) -> Option<Item> {
    let rows = node.start_position().row..node.end_position().row + 1;
    if is(grammar::kind(node), grammar::IMPORTS) {
        return Some(Item {
            kind: ItemKind::Import,
            name: node_text(&source.text, node)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            identity: import_identity(source, node),
            content: token_content(source, node),
            rows,
            defines: imported_names(source, node),
            uses_at_definition: Vec::new(),
            barriers_before,
        });
    }
    if !is(grammar::kind(node), grammar::DEFINITIONS) {
        return None;
    }
    let definition = definition_of(node);
    let name = node_text(&source.text, grammar::field_child(definition, "name")?).to_owned();
    let kind = match (grammar::kind(definition), container.is_empty()) {
        ("class_definition", _) => ItemKind::Class,
        (_, true) => ItemKind::Function,
        (_, false) => ItemKind::Method,
    };
    let mut hasher = std::hash::DefaultHasher::new();
    (kind, &name).hash(&mut hasher);
    Some(Item {
        kind,
        identity: hasher.finish(),
        content: 0,
        defines: vec![name.clone()],
        name,
        rows,
        uses_at_definition: names_evaluated_at_definition(source, node, definition),
        barriers_before,
    })
}

/// An import's identity: its tokens, so the same import re-wrapped still matches.
/// An import's identity: what it imports, in any order, so the same import
/// re-wrapped or with its names re-sorted still matches. The names are
/// compared as whole `name as alias` groups, never token by token.
fn import_identity(source: &ParsedSource, node: Node<'_>) -> u64 {
    let tokens = node_tokens(source, node);
    let names_start = tokens
        .iter()
        .position(|t| source.token_text(t) == "import")
        .map_or(0, |i| i + 1);
    let mut names: Vec<Vec<u64>> = tokens[names_start..]
        .split(|t| source.token_text(t) == ",")
        .map(|group| group.iter().map(|t| t.key).collect())
        .collect();
    names.sort_unstable();
    let mut hasher = std::hash::DefaultHasher::new();
    for token in &tokens[..names_start] {
        token.key.hash(&mut hasher);
    }
    names.hash(&mut hasher);
    hasher.finish()
}

/// The item's tokens in order, to tell a re-sorted import from an unchanged one.
fn token_content(source: &ParsedSource, node: Node<'_>) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    for token in node_tokens(source, node) {
        token.key.hash(&mut hasher);
    }
    hasher.finish()
}

fn node_tokens<'s>(source: &'s ParsedSource, node: Node<'_>) -> &'s [super::tokens::Token] {
    let (start, end) = (node.start_byte() as u32, node.end_byte() as u32);
    let first = source.tokens.partition_point(|t| t.start_byte < start);
    let last = source.tokens.partition_point(|t| t.start_byte < end);
    &source.tokens[first..last]
}

/// The names an import statement binds.
/// The names an import binds; `*` for a star import, which binds names
/// unknown here.
fn imported_names(source: &ParsedSource, node: Node<'_>) -> Vec<String> {
    let (start, end) = (node.start_byte() as u32, node.end_byte() as u32);
    let first = source.tokens.partition_point(|t| t.start_byte < start);
    let last = source.tokens.partition_point(|t| t.start_byte < end);
    let mut names: Vec<String> = source.tokens[first..last]
        .iter()
        .filter(|t| {
            t.site
                .is_some_and(|s| matches!(s.position, NamePosition::Binding | NamePosition::Imported))
        })
        .map(|t| source.token_text(t).to_owned())
        .collect();
    let mut cursor = node.walk();
    if node
        .named_children(&mut cursor)
        .any(|child| grammar::kind(child) == "wildcard_import")
    {
        names.push("*".to_owned());
    }
    names
}

/// Identifiers in decorators, base classes and default values.
fn names_evaluated_at_definition(source: &ParsedSource, node: Node<'_>, definition: Node<'_>) -> Vec<String> {
    let mut roots = Vec::new();
    let mut cursor = node.walk();
    roots.extend(
        node.named_children(&mut cursor)
            .filter(|child| grammar::kind(*child) == "decorator"),
    );
    roots.extend(grammar::field_child(definition, "superclasses"));
    if let Some(parameters) = grammar::field_child(definition, "parameters") {
        let mut cursor = parameters.walk();
        roots.extend(
            parameters
                .named_children(&mut cursor)
                .filter_map(|p| grammar::field_child(p, "value")),
        );
    }
    let mut names = Vec::new();
    for root in roots {
        collect_identifiers(source, root, &mut names);
    }
    names
}

fn collect_identifiers(source: &ParsedSource, root: Node<'_>, names: &mut Vec<String>) {
    let mut cursor = root.walk();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if grammar::kind(node) == "identifier" {
            names.push(node_text(&source.text, node).to_owned());
        }
        pending.extend(node.named_children(&mut cursor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    #[test]
    fn module_and_class_bodies_list_their_items() {
        let source = "import os\n\n# helper\n# more\ndef f():\n    pass\n\nX = 1\n\nclass A(Base):\n    @cached\n    def m(self):\n        pass\n";
        let parsed = parse(source).unwrap();
        let all = containers(&parsed, |_| true);
        let module = &all[0];
        let names: Vec<(&str, ItemKind, usize)> = module
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.kind, i.barriers_before))
            .collect();
        assert_eq!(
            names,
            [
                ("import os", ItemKind::Import, 0),
                ("f", ItemKind::Function, 0),
                ("A", ItemKind::Class, 1)
            ]
        );
        assert_eq!(module.items[1].rows, 2..6, "leading comments belong to the function");
        assert_eq!(module.items[2].uses_at_definition, ["Base"]);
        let paths: Vec<&str> = all.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["", "f", "A"], "the function is listed, without items");
        let class = &all[2];
        assert_eq!(class.items[0].kind, ItemKind::Method);
        assert_eq!(class.items[0].uses_at_definition, ["cached"]);
        assert_eq!(class.items[0].rows, 10..13);
    }

    #[test]
    fn a_class_in_a_statement_left_alone_is_listed_by_name_only() {
        let parsed = parse("class A:\n    def m(self):\n        pass\n\nclass B:\n    pass\n").unwrap();
        let all = containers(&parsed, |rows| rows.contains(&4));
        let paths: Vec<(&str, usize)> = all.iter().map(|c| (c.path.as_str(), c.items.len())).collect();
        assert_eq!(paths, [("", 2), ("A", 0), ("B", 0)]);
    }

    #[test]
    fn a_comment_separated_by_a_blank_line_stays_apart() {
        let parsed = parse("# about the module\n\ndef f():\n    pass\n").unwrap();
        assert_eq!(containers(&parsed, |_| true)[0].items[0].rows, 2..4);
    }
}
