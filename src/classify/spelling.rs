//! How running code reaches a name by its spelling, not as an identifier:
//! a rename that every identifier follows still changes behaviour there
//! (SPEC, "Never noise"). `locals()` and its kin read a scope's names, an
//! f-string's `{name=}` prints one, `getattr` finds one a string builds, a
//! decorator names a local, a docstring or comment still spells the old one.

use std::sync::LazyLock;

use crate::python::ParsedSource;
use crate::python::grammar;
use crate::python::names::{NameKey, NameTable};

/// Whether running code reads the name by its spelling, so that a rename
/// changes behaviour although every use follows: the function that binds it
/// (or a scope nested in it) calls a [`grammar::NAMESPACE_READERS`] builtin, the
/// module body does for a module-level name, or any code calls `globals`;
/// or an f-string prints the expression that spells it (`f"{total=}"`).
pub(super) fn read_by_name(
    source: &ParsedSource,
    table: &NameTable<'_>,
    key: &NameKey<'_>,
    occurrences: impl IntoIterator<Item = impl std::borrow::Borrow<usize>>,
) -> bool {
    let printed = occurrences
        .into_iter()
        .any(|token| printed_with_its_name(source, *token.borrow()));
    let NameKey::Scoped { scope, .. } = key else {
        return printed;
    };
    let reads_here = |path: &str, reader: &str| {
        let nested = !scope.is_empty() && path.strip_prefix(*scope).is_some_and(|rest| rest.starts_with('/'));
        (reader == "globals" && scope.is_empty()) || (reader != "globals" && (path == *scope || nested))
    };
    // A builtin resolves to the module's key (a parameter named `vars` does not).
    printed
        || grammar::NAMESPACE_READERS.iter().chain(&["globals"]).any(|&reader| {
            table
                .occurrences(&NameKey::Scoped {
                    scope: "",
                    name: reader,
                })
                .iter()
                .filter_map(|&token| source.tokens[token].site)
                .any(|site| reads_here(&source.lexical_scopes[site.lexical as usize].path, reader))
        })
}

/// Whether the token sits in an f-string field ending in `=` (`f"{total=}"`
/// prints `total=` and the value).
fn printed_with_its_name(source: &ParsedSource, token: usize) -> bool {
    let at = source.tokens[token].start_byte as usize;
    let after = source.self_documenting.partition_point(|field| field.start <= at);
    // Fields nest (`{x=:{y=}}`): any that starts before the token may hold it.
    source.self_documenting[..after].iter().any(|field| field.contains(&at))
}

/// Whether a decorator of the function holding `token` names `name` in a
/// string: Django's `@sensitive_variables("password")` hides that local
/// from error reports only while it keeps its name.
pub(super) fn named_by_a_decorator(source: &ParsedSource, token: usize, name: &str) -> bool {
    let scope = &source.scopes[source.tokens[token].scope as usize];
    let Some(name_token) = scope.name_token.map(|index| &source.tokens[index as usize]) else {
        return false;
    };
    let Some(definition) = source
        .tree
        .root_node()
        .descendant_for_byte_range(name_token.start_byte as usize, name_token.end_byte as usize)
        .and_then(|node| node.parent())
    else {
        return false;
    };
    let Some(decorated) = definition
        .parent()
        .filter(|parent| grammar::kind(*parent) == "decorated_definition")
    else {
        return false;
    };
    let decorators = &source.text[decorated.start_byte()..definition.start_byte()];
    decorators.contains(&format!("\"{name}\"")) || decorators.contains(&format!("'{name}'"))
}

/// Whether the file still reaches `name` without spelling it as code: the
/// new side still spells it as a whole word (in a string, a docstring or a
/// comment, once every identifier was renamed), or a string of the old side
/// can build it for a lookup by name (`getattr(self, "_get_%s_perms" % kind)`).
pub(super) fn spelled_besides_code(old: &ParsedSource, new: &ParsedSource, name: &str) -> bool {
    if crate::python::tokens::word_positions(new.text.as_bytes(), name.as_bytes())
        .next()
        .is_some()
    {
        return true;
    }
    let looks_up_by_name = [
        "getattr",
        "hasattr",
        "setattr",
        "attrgetter",
        "methodcaller",
        "__dict__",
        "globals",
        "vars",
        "getmembers",
    ]
    .iter()
    .any(|lookup| old.text.contains(lookup));
    looks_up_by_name && string_literals(&old.text).any(|literal| builds(&literal, name))
}

/// Whether the file reads objects' attributes as a namespace (`self.__dict__`,
/// `vars(self)`, `inspect.getmembers`, `dir(self)`): a private attribute
/// renamed there changes what it sees.
pub(super) fn reads_attributes_as_a_namespace(source: &ParsedSource) -> bool {
    NAMESPACE_SCANS.is_match(&source.text)
}

static NAMESPACE_SCANS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"__dict__|\bgetmembers\(|\b(vars|dir)\((type\()?self\b").expect("a valid pattern")
});

/// A one-line string literal of a Python text, with whether `+` joins it
/// to something before or after it.
struct Literal<'t> {
    body: &'t str,
    /// `+` joins it to text before it, or it is tested as a name's end
    /// (`name.endswith("_perms")`).
    joined_before: bool,
    /// `+` joins it to text after it, or it is tested as a name's start
    /// (`name.startswith("_check")`).
    joined_after: bool,
}

/// The one-line string literals of a Python text (a rough scan: it may also
/// yield text that is not a string, which only makes
/// [`spelled_besides_code`] more careful).
fn string_literals(text: &str) -> impl Iterator<Item = Literal<'_>> {
    text.lines().flat_map(|line| {
        let mut literals = Vec::new();
        let mut rest = line;
        while let Some(open) = rest.find(['"', '\'']) {
            let quote = rest.as_bytes()[open] as char;
            let body = &rest[open + 1..];
            let Some(close) = body.find(quote) else { break };
            let before = rest[..open]
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .trim_end();
            literals.push(Literal {
                body: &body[..close],
                joined_before: before.ends_with('+') || before.ends_with("endswith("),
                joined_after: body[close + 1..].trim_start().starts_with('+') || before.ends_with("startswith("),
            });
            rest = &body[close + 1..];
        }
        literals
    })
}

/// `%s`, `%(kind)s` and `{kind}` in a string: text filled in at run time.
static PLACEHOLDERS: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"%\([^)]*\)[a-z]|%[a-z]|\{[^}]*\}").expect("a valid pattern"));

/// Whether the string `literal` can be a piece of `name` built at run time:
/// with its placeholders (`%s`, `%(kind)s`, `{kind}`) standing for any text,
/// it matches the name; or, joined by `+` to more text, it begins or ends
/// the name (`"_get_" + kind`).
fn builds(literal: &Literal<'_>, name: &str) -> bool {
    let pieces: Vec<&str> = PLACEHOLDERS.split(literal.body).collect();
    if pieces.len() > 1 {
        return pieces.iter().any(|piece| piece.chars().any(char::is_alphabetic)) && glob_matches(&pieces, name);
    }
    let body = literal.body;
    let identifier_like = body.len() >= 2
        && body != name
        && body.chars().all(|c| c.is_alphanumeric() || c == '_')
        && body.chars().any(char::is_alphabetic);
    identifier_like
        && ((literal.joined_after && name.starts_with(body)) || (literal.joined_before && name.ends_with(body)))
}

/// Whether `name` is the pieces in order with any text between them.
fn glob_matches(pieces: &[&str], name: &str) -> bool {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(text: &str) -> Vec<(&str, bool, bool)> {
        string_literals(text)
            .map(|literal| (literal.body, literal.joined_before, literal.joined_after))
            .collect()
    }

    #[test]
    fn string_literals_know_what_they_are_joined_to() {
        assert_eq!(
            literals("x = \"_get_\" + kind + '_perms'\n"),
            [("_get_", false, true), ("_perms", true, false)]
        );
        assert_eq!(
            literals("f(f\"{a}\", b'c')\n"),
            [("{a}", false, false), ("c", false, false)]
        );
        assert_eq!(
            literals("if name.startswith(\"_check\") or name.endswith('_hook'):\n"),
            [("_check", false, true), ("_hook", true, false)]
        );
    }

    #[test]
    fn a_literal_builds_a_name_with_placeholders_or_a_join() {
        let literal = |body| Literal {
            body,
            joined_before: false,
            joined_after: false,
        };
        assert!(builds(&literal("_get_%s_perms"), "_get_group_perms"));
        assert!(builds(&literal("_get_{kind}_perms"), "_get_group_perms"));
        assert!(builds(&literal("_%(a)s_%(b)s_perms"), "_get_group_perms"));
        assert!(!builds(&literal("_set_%s_perms"), "_get_group_perms"));
        assert!(
            !builds(&literal("%s"), "_get_group_perms"),
            "a placeholder alone builds anything"
        );
        assert!(!builds(&literal("_get_"), "_get_group_perms"), "not joined to anything");
        let prefix = Literal {
            joined_after: true,
            ..literal("_get_")
        };
        assert!(builds(&prefix, "_get_group_perms"));
    }
}
