//! Python's name binding, derived from the tree: where each identifier
//! stands (a binding, a use, an attribute, a keyword argument...), in which
//! lexical scope, and which scope a use resolves to, following Python's
//! rules (LEGB, `global`/`nonlocal`, class bodies invisible to nested functions).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::tokens::{Frame, ParsedSource, Token};

/// Python's scopes: names bound in one are local to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexicalKind {
    Module,
    Class,
    Function,
    /// Lambdas: function scopes without a name.
    Anonymous,
    /// Comprehensions and generator expressions: function scopes without a
    /// name, whose walrus targets bind in the scope around them.
    Comprehension,
}

impl LexicalKind {
    /// The kind of scope a node opens, if it opens one.
    pub fn of(node_kind: &str) -> Option<LexicalKind> {
        match node_kind {
            "class_definition" => Some(LexicalKind::Class),
            "function_definition" => Some(LexicalKind::Function),
            "lambda" => Some(LexicalKind::Anonymous),
            "list_comprehension" | "set_comprehension" | "dictionary_comprehension" | "generator_expression" => {
                Some(LexicalKind::Comprehension)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LexicalScope {
    pub kind: LexicalKind,
    pub parent: Option<u32>,
    /// A path that names the scope the same way on both sides of a diff,
    /// e.g. `/ReportView/get/<lambda#0>`.
    pub path: String,
    pub anonymous_children: u32,
    /// A class's header (`None` for other scopes).
    pub class: Option<ClassHeader>,
    /// Whether a decorator wraps the class, or wraps the function with more
    /// than [`PLAIN_DECORATORS`](super::grammar::PLAIN_DECORATORS): it may
    /// register a function and call it from elsewhere by keyword
    /// (`@app.route`, `@pytest.fixture`), or read a class's fields
    /// (`@dataclass`; it finds no private method by name: decorators look up
    /// public or dunder names).
    pub decorated: bool,
}

impl LexicalScope {
    pub fn module() -> LexicalScope {
        LexicalScope {
            kind: LexicalKind::Module,
            parent: None,
            path: String::new(),
            anonymous_children: 0,
            class: None,
            decorated: false,
        }
    }

    /// The scope's own name: the last part of its path.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or_default()
    }
}

/// What a class's header says about who may reach its members by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassHeader {
    /// Base classes named by a plain identifier (`object` left out).
    pub bases: Vec<String>,
    /// A base or keyword argument (`metaclass=`) that is not a plain name:
    /// code defined elsewhere that may look members up by name.
    pub opaque: bool,
}

/// Whether code outside the file may reach a class's members by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every base is a class of this file with no outside base either.
    Local,
    /// A base (or metaclass) comes from elsewhere: it may
    /// override or look up members by name (`clean_<field>`, `_print_<Class>`).
    Outside,
    /// A base is not among the statements parsed, but the file defines a
    /// name like it elsewhere: only a whole parse can tell.
    Unknown,
}

/// The reach of the class whose lexical scope is `class`.
pub fn class_reach(source: &ParsedSource, class: u32) -> Reach {
    let mut reach = Reach::Local;
    let mut seen = vec![class];
    let mut pending = vec![class];
    while let Some(scope) = pending.pop() {
        let Some(header) = &source.lexical_scopes[scope as usize].class else {
            continue;
        };
        if header.opaque {
            return Reach::Outside;
        }
        for base in &header.bases {
            let local = source
                .lexical_scopes
                .iter()
                .position(|s| s.kind == LexicalKind::Class && s.name() == base);
            match local {
                Some(found) => {
                    let found = found as u32;
                    if !seen.contains(&found) {
                        seen.push(found);
                        pending.push(found);
                    }
                }
                None if source.defines_outside_parsed(base) => reach = Reach::Unknown,
                None => return Reach::Outside,
            }
        }
    }
    reach
}

/// The innermost class scope holding `scope` (itself included), if any.
pub fn enclosing_class(source: &ParsedSource, scope: u32) -> Option<u32> {
    let mut current = Some(scope);
    while let Some(index) = current {
        let lexical = &source.lexical_scopes[index as usize];
        if lexical.kind == LexicalKind::Class {
            return Some(index);
        }
        current = lexical.parent;
    }
    None
}

/// Where an identifier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamePosition {
    /// A read of a name.
    Reference,
    /// An assignment, loop, `with ... as`, `except ... as`, walrus, `del` or import alias.
    Binding,
    /// `import x` or `from m import x`: binds `x`, and also names what is
    /// imported, so renaming it changes what the code refers to.
    Imported,
    Parameter,
    FunctionName,
    ClassName,
    /// Declared `global` in its scope.
    Global,
    /// Declared `nonlocal` in its scope.
    Nonlocal,
    /// `obj.name`: an attribute, not a scoped name.
    Attribute,
    /// `obj.name = ...`: an attribute assigned.
    AttributeBinding,
    /// `f(name=...)`: names a parameter of the callee.
    Keyword,
    /// A module path or an imported name as spelled in its module: renaming it
    /// changes what is imported.
    ImportPath,
}

/// An identifier's place: its position and its innermost lexical scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameSite {
    pub position: NamePosition,
    pub lexical: u32,
}

/// Finds an identifier's position from its ancestors (innermost last) and
/// its own field name. Patterns (`a, b = ...`) are walked through to the
/// statement that binds them.
pub(crate) fn name_position(ancestors: &[Frame<'_>], field: Option<&str>, first_in_parent: bool) -> NamePosition {
    let mut field = field;
    for (depth, frame) in ancestors.iter().rev().enumerate() {
        match (frame.kind, field) {
            ("attribute", Some("attribute")) => {
                let above = &ancestors[..ancestors.len() - depth - 1];
                return match name_position(above, frame.field, false) {
                    NamePosition::Binding => NamePosition::AttributeBinding,
                    _ => NamePosition::Attribute,
                };
            }
            ("keyword_argument", Some("name")) => return NamePosition::Keyword,
            ("function_definition", Some("name")) => return NamePosition::FunctionName,
            ("class_definition", Some("name")) => return NamePosition::ClassName,
            ("parameters" | "lambda_parameters", _) => return NamePosition::Parameter,
            ("default_parameter" | "typed_default_parameter", Some("name")) => {
                return NamePosition::Parameter;
            }
            ("typed_parameter", None) => return NamePosition::Parameter,
            (
                "pattern_list"
                | "tuple_pattern"
                | "list_pattern"
                | "list_splat_pattern"
                | "dictionary_splat_pattern"
                | "tuple"
                | "list"
                | "parenthesized_expression"
                | "list_splat"
                | "expression_list",
                _,
            ) => field = frame.field,
            ("assignment" | "augmented_assignment" | "for_statement" | "for_in_clause", Some("left")) => {
                return NamePosition::Binding;
            }
            ("named_expression", Some("name")) | ("as_pattern_target", _) | ("delete_statement", _) => {
                return NamePosition::Binding;
            }
            ("aliased_import", Some("alias")) => return NamePosition::Binding,
            ("dotted_name", _) => {
                let statement = ancestors.len().checked_sub(depth + 2).map(|i| &ancestors[i]);
                return import_position(statement.map(|s| s.kind), frame.field, first_in_parent);
            }
            ("global_statement", _) => return NamePosition::Global,
            ("nonlocal_statement", _) => return NamePosition::Nonlocal,
            _ => return NamePosition::Reference,
        }
    }
    NamePosition::Reference
}

/// `import a.b` binds `a`; `from m import x` binds `x`; module paths and
/// the original names of aliased imports bind nothing.
fn import_position(parent_kind: Option<&str>, field: Option<&str>, first: bool) -> NamePosition {
    match (parent_kind, field) {
        (Some("import_statement" | "import_from_statement"), Some("name")) if first => NamePosition::Imported,
        _ => NamePosition::ImportPath,
    }
}

/// What an identifier refers to, comparable across the two sides of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NameKey<'a> {
    /// A name bound in a function or module scope (named by its path).
    Scoped { scope: &'a str, name: &'a str },
    /// An attribute, or a name bound in a class body (reached as `self.name`).
    Attribute(&'a str),
    /// A keyword argument's name.
    Keyword(&'a str),
    /// Not a renameable name.
    Opaque,
}

/// Every identifier token's key, by token index.
pub struct NameTable<'a> {
    /// By token index; `Opaque` for tokens that are not names.
    pub keys: Vec<NameKey<'a>>,
    /// Token indices by key.
    pub by_key: HashMap<NameKey<'a>, Vec<usize>>,
}

impl<'a> NameTable<'a> {
    pub fn build(source: &'a ParsedSource) -> NameTable<'a> {
        let bindings = Bindings::collect(source);
        let mut keys = vec![NameKey::Opaque; source.tokens.len()];
        let mut by_key: HashMap<NameKey<'a>, Vec<usize>> = HashMap::new();
        for (index, token) in source.tokens.iter().enumerate() {
            let Some(site) = token.site else { continue };
            let key = bindings.key(source, token, site);
            by_key.entry(key.clone()).or_default().push(index);
            keys[index] = key;
        }
        NameTable { keys, by_key }
    }

    pub fn key(&self, token: usize) -> &NameKey<'a> {
        self.keys.get(token).unwrap_or(&NameKey::Opaque)
    }

    /// Every token that shares `key`.
    pub fn occurrences(&self, key: &NameKey<'a>) -> &[usize] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

/// The names each lexical scope binds or declares.
struct Bindings<'a> {
    bound: Vec<HashSet<&'a str>>,
    globals: Vec<HashSet<&'a str>>,
    nonlocals: Vec<HashSet<&'a str>>,
}

impl<'a> Bindings<'a> {
    fn collect(source: &'a ParsedSource) -> Bindings<'a> {
        let count = source.lexical_scopes.len();
        let mut bindings = Bindings {
            bound: vec![HashSet::new(); count],
            globals: vec![HashSet::new(); count],
            nonlocals: vec![HashSet::new(); count],
        };
        for token in &source.tokens {
            let Some(site) = token.site else { continue };
            let name = source.token_text(token);
            let scope = site.lexical as usize;
            match site.position {
                NamePosition::Binding
                | NamePosition::Parameter
                | NamePosition::FunctionName
                | NamePosition::ClassName => {
                    bindings.bound[scope].insert(name);
                }
                NamePosition::Global => {
                    bindings.globals[scope].insert(name);
                }
                NamePosition::Nonlocal => {
                    bindings.nonlocals[scope].insert(name);
                }
                _ => {}
            }
        }
        bindings
    }

    fn key(&self, source: &'a ParsedSource, token: &Token, site: NameSite) -> NameKey<'a> {
        let name = source.token_text(token);
        match site.position {
            NamePosition::Attribute | NamePosition::AttributeBinding => NameKey::Attribute(name),
            NamePosition::Keyword => NameKey::Keyword(name),
            NamePosition::ImportPath => NameKey::Opaque,
            _ => {
                let scope = self.resolve(source, site.lexical, name);
                let lexical = &source.lexical_scopes[scope as usize];
                if lexical.kind == LexicalKind::Class {
                    NameKey::Attribute(name)
                } else {
                    NameKey::Scoped {
                        scope: &lexical.path,
                        name,
                    }
                }
            }
        }
    }

    /// The scope a name in `scope` refers to, by Python's rules.
    fn resolve(&self, source: &ParsedSource, scope: u32, name: &str) -> u32 {
        let index = scope as usize;
        if self.globals[index].contains(name) {
            return 0;
        }
        if !self.nonlocals[index].contains(name) && self.bound[index].contains(name) {
            return scope;
        }
        let mut current = source.lexical_scopes[index].parent;
        while let Some(outer) = current {
            let lexical = &source.lexical_scopes[outer as usize];
            if lexical.kind != LexicalKind::Class && self.bound[outer as usize].contains(name) {
                return if self.globals[outer as usize].contains(name) {
                    0
                } else {
                    outer
                };
            }
            current = lexical.parent;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    /// The key of every occurrence of `name`, in source order.
    fn keys_of(source: &str, name: &str) -> Vec<String> {
        let parsed = parse(source).unwrap();
        let table = NameTable::build(&parsed);
        parsed
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.site.is_some() && parsed.token_text(t) == name)
            .map(|(i, _)| format!("{:?}", table.key(i)))
            .collect()
    }

    fn scoped(scope: &str, name: &str) -> String {
        format!("{:?}", NameKey::Scoped { scope, name })
    }

    #[test]
    fn locals_parameters_and_globals_resolve_by_python_rules() {
        let source = "x = 1\ndef f(a):\n    x = a\n    return x\ndef g():\n    return x\n";
        assert_eq!(
            keys_of(source, "x"),
            [scoped("", "x"), scoped("/f", "x"), scoped("/f", "x"), scoped("", "x")]
        );
        assert_eq!(keys_of(source, "a"), [scoped("/f", "a"), scoped("/f", "a")]);
    }

    #[test]
    fn global_and_nonlocal_declarations_redirect_bindings() {
        let source = "n = 0\ndef bump():\n    global n\n    n += 1\ndef outer():\n    c = 0\n    def inner():\n        nonlocal c\n        c += 1\n";
        assert!(keys_of(source, "n").iter().all(|key| *key == scoped("", "n")));
        assert!(keys_of(source, "c").iter().all(|key| *key == scoped("/outer", "c")));
    }

    #[test]
    fn closures_see_the_enclosing_function_but_not_the_class() {
        let source =
            "class A:\n    y = 1\n    def m(self):\n        return y\ndef f():\n    z = 1\n    return lambda: z\n";
        assert_eq!(
            keys_of(source, "y"),
            [format!("{:?}", NameKey::Attribute("y")), scoped("", "y")]
        );
        assert_eq!(keys_of(source, "z"), [scoped("/f", "z"), scoped("/f", "z")]);
    }

    #[test]
    fn attributes_keywords_and_import_paths() {
        let source = "import os.path as p\nfrom m import a as b\nself.x = f(x=1)\n";
        assert_eq!(
            keys_of(source, "x"),
            [
                format!("{:?}", NameKey::Attribute("x")),
                format!("{:?}", NameKey::Keyword("x"))
            ]
        );
        assert_eq!(keys_of(source, "os"), [format!("{:?}", NameKey::Opaque)]);
        assert_eq!(keys_of(source, "a"), [format!("{:?}", NameKey::Opaque)]);
        assert_eq!(keys_of(source, "b"), [scoped("", "b")]);
        assert_eq!(keys_of(source, "p"), [scoped("", "p")]);
    }

    #[test]
    fn assigned_attributes_are_attribute_bindings() {
        let parsed = parse("self.x = 1\nself.y += 1\nprint(self.z)\n").unwrap();
        let positions: Vec<NamePosition> = parsed
            .tokens
            .iter()
            .filter_map(|t| t.site.map(|s| s.position))
            .filter(|p| matches!(p, NamePosition::Attribute | NamePosition::AttributeBinding))
            .collect();
        assert_eq!(
            positions,
            [
                NamePosition::AttributeBinding,
                NamePosition::AttributeBinding,
                NamePosition::Attribute
            ]
        );
    }

    #[test]
    fn comprehension_variables_are_local_to_the_comprehension() {
        let source = "def f(v):\n    return [v for v in range(3)], v\n";
        let keys = keys_of(source, "v");
        assert_eq!(keys[0], scoped("/f", "v"));
        assert_eq!(keys[1], scoped("/f/<list_comprehension#0>", "v"));
        assert_eq!(keys[3], scoped("/f", "v"));
    }
}
