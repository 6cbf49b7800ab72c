//! Who besides the file's own code can notice that a name changed.
//!
//! A rename consistent over the file is still a behaviour change when code
//! outside the diff reaches the name (SPEC, "Never noise"): a public name of
//! a module or class is imported, called or read by name; a parameter of a
//! reachable function is passed by keyword; a member of a class whose base
//! (or decorator, or metaclass) comes from elsewhere may override it or be
//! found by name (`clean_<field>`, `_print_<Class>`). Locals stay private.

use crate::python::ParsedSource;
use crate::python::names::{LexicalKind, NameKey, NamePosition, Reach, class_reach, enclosing_class};

/// How far a renamed name can be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only code of this file sees it: a local, a parameter of a nested
    /// function or lambda.
    Local,
    /// A private (`_name`) module- or class-level name, or a parameter of a
    /// private function: other modules see it only where they spell the
    /// name (or the function's), so it is private unless the repository
    /// spells that elsewhere.
    Private,
    /// Public, a dunder, a keyword of a reachable function, or a member of a
    /// class that inherits from elsewhere.
    Public,
    /// A class's base is not among the statements parsed: a whole parse tells.
    Unknown,
}

/// The visibility of the name `name` whose old-side key is `key`, from its
/// occurrences on the old side.
pub fn of(old: &ParsedSource, key: &NameKey<'_>, occurrences: &[usize], name: &str) -> Visibility {
    match key {
        NameKey::Scoped { scope: "", .. } => by_spelling(name),
        NameKey::Scoped { .. } => occurrences
            .iter()
            .filter_map(|&token| old.tokens[token].site)
            .find(|site| site.position == NamePosition::Parameter)
            .map_or(Visibility::Local, |site| parameter(old, site.lexical)),
        NameKey::Attribute(_) => member(old, occurrences, name),
        // A keyword follows its parameter, which is judged on its own.
        NameKey::Keyword(_) => Visibility::Local,
        NameKey::Opaque => Visibility::Public,
    }
}

/// `_name` is private; a dunder (`__init__`) is called by Python itself.
pub fn is_private(name: &str) -> bool {
    let dunder = name.starts_with("__") && name.ends_with("__");
    name.starts_with('_') && !dunder
}

fn by_spelling(name: &str) -> Visibility {
    if is_private(name) {
        Visibility::Private
    } else {
        Visibility::Public
    }
}

/// A parameter of the function whose lexical scope is `function`: keyword
/// callers anywhere can name it if the function is reachable from outside.
fn parameter(old: &ParsedSource, function: u32) -> Visibility {
    let lexical = &old.lexical_scopes[function as usize];
    if lexical.kind != LexicalKind::Function {
        return Visibility::Local;
    }
    let Some(parent) = lexical.parent else {
        return Visibility::Local;
    };
    let owner = match old.lexical_scopes[parent as usize].kind {
        // A decorator may hand the function to a framework that calls it by
        // keyword (a pytest fixture's parameters name other fixtures; a
        // view's, the URL's parts), whatever the function's own name.
        _ if lexical.decorated => Visibility::Public,
        LexicalKind::Module => by_spelling(lexical.name()),
        LexicalKind::Class => match by_spelling(lexical.name()) {
            Visibility::Private => by_reach(class_reach(old, parent), Visibility::Private),
            visibility => visibility,
        },
        // A nested function is called where the file can see it.
        LexicalKind::Function | LexicalKind::Anonymous | LexicalKind::Comprehension => Visibility::Local,
    };
    // A private function's keyword callers are this file's (checked with
    // the rename), or spell the function's name elsewhere: see `spelled_as`.
    owner
}

/// The spelling by which other code reaches the name: a parameter is
/// reached through its function's name (`_connect(timeout=5)` in another
/// module), any other name through its own.
pub fn spelled_as<'a>(old: &'a ParsedSource, key: &NameKey<'_>, occurrences: &[usize], name: &'a str) -> &'a str {
    let parameter_of = match key {
        NameKey::Scoped { scope, .. } if !scope.is_empty() => occurrences
            .iter()
            .filter_map(|&token| old.tokens[token].site)
            .find(|site| site.position == NamePosition::Parameter),
        _ => None,
    };
    parameter_of.map_or(name, |site| old.lexical_scopes[site.lexical as usize].name())
}

/// An attribute or a name bound in a class body: private only if every
/// class that binds it keeps its members to itself.
fn member(old: &ParsedSource, occurrences: &[usize], name: &str) -> Visibility {
    let visibility = by_spelling(name);
    if visibility != Visibility::Private {
        return visibility;
    }
    let mut reach = Reach::Local;
    for site in occurrences.iter().filter_map(|&token| old.tokens[token].site) {
        if !matches!(
            site.position,
            NamePosition::AttributeBinding
                | NamePosition::Binding
                | NamePosition::FunctionName
                | NamePosition::ClassName
        ) {
            continue;
        }
        // An attribute set on an object of no class of this file.
        let Some(class) = enclosing_class(old, site.lexical) else {
            return Visibility::Public;
        };
        // A decorator may turn the class body's names into fields
        // (`@dataclass`: a constructor's keywords), not its methods.
        if old.lexical_scopes[class as usize].decorated
            && site.position == NamePosition::Binding
            && site.lexical == class
        {
            return Visibility::Public;
        }
        match class_reach(old, class) {
            Reach::Outside => return Visibility::Public,
            Reach::Unknown => reach = Reach::Unknown,
            Reach::Local => {}
        }
    }
    by_reach(reach, Visibility::Private)
}

fn by_reach(reach: Reach, local: Visibility) -> Visibility {
    match reach {
        Reach::Local => local,
        Reach::Outside => Visibility::Public,
        Reach::Unknown => Visibility::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::names::NameTable;
    use crate::python::parse;

    /// The visibility of the first occurrence of `name` in `source`.
    fn visibility(source: &str, name: &str) -> Visibility {
        let parsed = parse(source).unwrap();
        let table = NameTable::build(&parsed);
        let token = (0..parsed.tokens.len())
            .find(|&t| parsed.tokens[t].site.is_some() && parsed.token_text(&parsed.tokens[t]) == name)
            .unwrap();
        let key = table.key(token);
        of(&parsed, key, table.occurrences(key), name)
    }

    #[test]
    fn module_and_class_names_are_public_unless_private() {
        let source = "LIMIT = 1\n_cache = {}\nclass Report:\n    def total(self):\n        count = 0\n        return count\n    def _rows(self):\n        return []\n";
        assert_eq!(visibility(source, "LIMIT"), Visibility::Public);
        assert_eq!(visibility(source, "_cache"), Visibility::Private);
        assert_eq!(visibility(source, "Report"), Visibility::Public);
        assert_eq!(visibility(source, "total"), Visibility::Public);
        assert_eq!(visibility(source, "_rows"), Visibility::Private);
        assert_eq!(visibility(source, "count"), Visibility::Local);
    }

    #[test]
    fn members_of_a_class_with_a_base_from_elsewhere_are_public() {
        let printer = "from base import CodePrinter\nclass Printer(CodePrinter):\n    def _print_Function(self, e):\n        return 'g'\n";
        assert_eq!(visibility(printer, "_print_Function"), Visibility::Public);
        let local_base = "class Base:\n    pass\nclass Child(Base):\n    def _helper(self):\n        self._seen = 1\n";
        assert_eq!(visibility(local_base, "_helper"), Visibility::Private);
        assert_eq!(visibility(local_base, "_seen"), Visibility::Private);
        let decorated = "@dataclass\nclass Point:\n    _x: int = 0\n\n    def _norm(self):\n        return self._x\n";
        assert_eq!(visibility(decorated, "_x"), Visibility::Public);
        assert_eq!(visibility(decorated, "_norm"), Visibility::Private);
        let metaclass = "class Model(metaclass=Meta):\n    def _save(self):\n        pass\n";
        assert_eq!(visibility(metaclass, "_save"), Visibility::Public);
    }

    #[test]
    fn parameters_of_reachable_functions_are_public() {
        let view = "class ReportView(View):\n    def get(self, request, pk):\n        return pk\n";
        assert_eq!(visibility(view, "pk"), Visibility::Public);
        let public = "def format_price(val):\n    return val\n";
        assert_eq!(visibility(public, "val"), Visibility::Public);
        let init = "class A:\n    def __init__(self, value):\n        self.value = value\n";
        assert_eq!(visibility(init, "value"), Visibility::Public);
        // Reached only where another module spells `_format`.
        let private = "def _format(val):\n    return val\n";
        assert_eq!(visibility(private, "val"), Visibility::Private);
        let nested = "def outer():\n    def inner(val):\n        return val\n    return inner(1)\n";
        assert_eq!(visibility(nested, "val"), Visibility::Local);
        let view =
            "def create_app():\n    @app.route(\"/u/<user_id>\")\n    def show(user_id):\n        return user_id\n";
        assert_eq!(visibility(view, "user_id"), Visibility::Public);
        let lambda = "key = lambda item: item.name\n";
        assert_eq!(visibility(lambda, "item"), Visibility::Local);
        // pytest fills a fixture's parameters with the fixtures they name.
        let fixture = "@pytest.fixture\ndef _db(tmp_path):\n    return tmp_path\n";
        assert_eq!(visibility(fixture, "tmp_path"), Visibility::Public);
        let method = "class A:\n    @pytest.fixture\n    def _db(self, tmp_path):\n        return tmp_path\n";
        assert_eq!(visibility(method, "tmp_path"), Visibility::Public);
        // A decorator that only caches calls nothing by keyword.
        let cached = "@functools.lru_cache(maxsize=None)\ndef _load(path):\n    return path\n";
        assert_eq!(visibility(cached, "path"), Visibility::Private);
        // A wrapper is handed back to every caller of what it wraps.
        let wrapper = "def deco(f):\n    @functools.wraps(f)\n    def wrapper(*args, verbose=False):\n        return verbose\n    return wrapper\n";
        assert_eq!(visibility(wrapper, "verbose"), Visibility::Public);
    }
}
