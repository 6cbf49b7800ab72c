//! What diffscore knows about Python's tree-sitter grammar, as data.
//!
//! A second language later is a second table like this one, not new control
//! flow in the tokenizer.

use std::sync::LazyLock;

use tree_sitter::{Language, Node, TreeCursor};

/// Names of the grammar's node kinds and fields, by id. `Node::kind` and
/// `TreeCursor::field_name` measure and check the grammar's C string on every
/// call, and a walk asks for millions.
struct Names {
    kinds: Vec<Box<str>>,
    fields: Vec<Box<str>>,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let language = Language::from(tree_sitter_python::LANGUAGE);
    let kinds = (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or_default()
                .into()
        })
        .collect();
    let fields = (0..=language.field_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.field_name_for_id(id))
                .unwrap_or_default()
                .into()
        })
        .collect();
    Names { kinds, fields }
});

/// The kind of a node, as `Node::kind` gives it.
pub fn kind<'tree>(node: Node<'tree>) -> &'tree str {
    let names: &'static Names = &NAMES;
    match names.kinds.get(usize::from(node.kind_id())) {
        Some(name) => name,
        None => node.kind(),
    }
}

/// The child of `node` in `field`, as `Node::child_by_field_name` gives it
/// (which measures and compares C strings with every field's name on each
/// call, some 900 instructions).
pub fn field_child<'tree>(node: Node<'tree>, field: &str) -> Option<Node<'tree>> {
    let names: &'static Names = &NAMES;
    let id = names.fields.iter().position(|name| &**name == field)?;
    node.child_by_field_id(u16::try_from(id).ok()?)
}

/// The field name of the cursor's node, as `TreeCursor::field_name` gives it.
pub fn field_name(cursor: &TreeCursor<'_>) -> Option<&'static str> {
    let id = cursor.field_id()?;
    let names: &'static Names = &NAMES;
    names.fields.get(usize::from(id.get())).map(|name| &**name)
}

/// Nodes that define a named scope: their order in a module or class body is
/// free, so moving one is a reorder rather than a change.
pub const DEFINITIONS: &[&str] = &["function_definition", "class_definition", "decorated_definition"];

/// Nodes whose children may hold statements (a class can be defined only
/// among statements, so a search for class bodies looks nowhere else).
/// `ERROR` is there so that a class inside broken code is still found.
pub const STATEMENT_HOLDERS: &[&str] = &[
    "module",
    "block",
    "ERROR",
    "function_definition",
    "class_definition",
    "decorated_definition",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "try_statement",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "with_statement",
    "match_statement",
    "case_clause",
];

/// Import statements: re-sorting them is a reorder.
pub const IMPORTS: &[&str] = &["import_statement", "import_from_statement", "future_import_statement"];

/// Nodes read as one token whatever their children: their text is the unit
/// of comparison (a format spec like `>3` is not covered by its children).
pub const ATOMS: &[&str] = &[
    "string_content",
    "format_specifier",
    "type_conversion",
    "integer",
    "float",
    "comment",
];

/// Brackets in which a trailing comma is layout: `f(a, b,)` calls like
/// `f(a, b)`. Tuples are handled apart: `(1,)` is a tuple, `(1)` is not.
pub const TRAILING_COMMA_CONTAINERS: &[&str] = &[
    "argument_list",
    "parameters",
    "list",
    "set",
    "dictionary",
    "import_from_statement",
    "list_pattern",
    "dict_pattern",
    "type_parameter",
    "with_clause",
];

/// Tuples keep a trailing comma's meaning when they hold a single element
/// (`a, = x` unpacks one value; `a, b, = x` is `a, b = x`).
pub const TUPLES: &[&str] = &["tuple", "tuple_pattern", "pattern_list", "expression_list"];

/// Parents under which parentheses around an expression change nothing:
/// `return (a + b)` is `return a + b`. Under an operator, an attribute, a
/// call or a subscript they group, so they stay significant.
pub const REDUNDANT_PAREN_PARENTS: &[&str] = &[
    "expression_statement",
    "assignment",
    "augmented_assignment",
    "return_statement",
    "if_statement",
    "elif_clause",
    "while_statement",
    "assert_statement",
    "argument_list",
    "keyword_argument",
    "list",
    "set",
    "tuple",
    "pair",
    "parenthesized_expression",
    "for_statement",
    "for_in_clause",
    "if_clause",
    "raise_statement",
    "delete_statement",
    "except_clause",
    "with_item",
    "list_comprehension",
    "set_comprehension",
    "generator_expression",
];

/// Parents under which an assignment expression (`:=`) may stand without
/// parentheses: `if (n := len(a)) > 1` needs them, `if (n := len(a)):` does not.
pub const BARE_WALRUS_PARENTS: &[&str] = &[
    "if_statement",
    "elif_clause",
    "while_statement",
    "if_clause",
    "argument_list",
];

/// How tightly an expression binds, from Python's operator precedence table;
/// higher binds tighter. Parentheses around an expression that binds tighter
/// than the operator around it are layout: `-((-1) ** n)` is `-(-1) ** n`.
pub fn precedence(kind: &str, operator: Option<&str>) -> Option<u8> {
    Some(match (kind, operator) {
        ("lambda", _) => 1,
        ("conditional_expression", _) => 2,
        ("boolean_operator", Some("or")) => 3,
        ("boolean_operator", Some("and")) => 4,
        ("not_operator", _) => 5,
        ("comparison_operator", _) => 6,
        ("binary_operator", Some("|")) => 7,
        ("binary_operator", Some("^")) => 8,
        ("binary_operator", Some("&")) => 9,
        ("binary_operator", Some("<<" | ">>")) => 10,
        ("binary_operator", Some("+" | "-")) => 11,
        ("binary_operator", Some("*" | "/" | "//" | "%" | "@")) => 12,
        ("unary_operator", _) => 13,
        ("binary_operator", Some("**")) => 14,
        ("await", _) => 15,
        (
            "identifier"
            | "call"
            | "attribute"
            | "subscript"
            | "string"
            | "concatenated_string"
            | "list"
            | "dictionary"
            | "set"
            | "tuple",
            _,
        ) => 16,
        _ => return None,
    })
}

/// Parents under which a tuple may stand without parentheses, meaning the
/// same tuple: `for a, b in x`, `a, b = b, a`, `return a, b`, `del a, b`.
pub const BARE_TUPLE_PARENTS: &[&str] = &[
    "for_statement",
    "for_in_clause",
    "assignment",
    "augmented_assignment",
    "return_statement",
    "delete_statement",
    "expression_statement",
    "subscript",
];

/// Expressions that need their parentheses wherever they stand.
pub const PAREN_REQUIRED_INSIDE: &[&str] = &["yield", "named_expression", "list_splat"];

/// Nodes that only wrap what they hold, for a token's place in the tree: a
/// decorator's definition is the definition, and `x: int` is the parameter
/// `x` with an annotation.
pub const TRANSPARENT_NODES: &[&str] = &["decorated_definition", "typed_parameter"];

/// Node kinds that mean the same structure: a tuple with or without its
/// parentheses, on either side of `=`; a default value with or without a type.
const STRUCTURE_ALIASES: &[(&str, &str)] = &[
    ("expression_list", "tuple"),
    ("pattern_list", "tuple"),
    ("tuple_pattern", "tuple"),
    ("typed_default_parameter", "default_parameter"),
];

/// The kind a node counts as in a token's place in the tree.
pub fn structure_kind(kind: &str) -> &str {
    STRUCTURE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == kind)
        .map_or(kind, |(_, kind)| kind)
}

/// Statement separators and line joins: pure layout.
pub const LAYOUT_TOKENS: &[&str] = &[";", "line_continuation"];

/// Fields that hold a type annotation, and the node kinds that own them.
pub const ANNOTATION_OWNERS: &[(&str, &str)] = &[
    ("typed_parameter", "type"),
    ("typed_default_parameter", "type"),
    ("assignment", "type"),
    ("function_definition", "return_type"),
];

/// The last name of decorators known to read the annotations of the
/// function they wrap: `functools.singledispatch`'s `register` dispatches on
/// them, pydantic's `validate_call`, typeguard and beartype check them, web
/// routers (`@app.get`) and command-line builders (`@app.command`) convert
/// arguments by them.
pub const ANNOTATION_READING_DECORATORS: &[&str] = &[
    "register",
    "singledispatch",
    "singledispatchmethod",
    "validate_call",
    "validate_arguments",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "api_route",
    "websocket",
    "command",
    "callback",
    "typechecked",
    "beartype",
];

/// The last name of decorators that wrap a function without calling it
/// by keyword or registering it: a function under any other decorator
/// (`@pytest.fixture`, `@app.route`, `@click.command`) may be called with
/// its parameters named, from code that is not in the file.
pub const PLAIN_DECORATORS: &[&str] = &[
    "staticmethod",
    "classmethod",
    "property",
    "cached_property",
    "setter",
    "getter",
    "deleter",
    "cache",
    "lru_cache",
    "abstractmethod",
    "override",
    "overload",
    "final",
];

/// Calls that read annotations when the program runs: in a file that makes
/// them, every annotation is code.
pub const ANNOTATION_READERS: &[&str] = &[
    "get_type_hints",
    "__annotations__",
    "get_annotations",
    // `typer.run(main)` converts arguments by `main`'s annotations.
    "import typer",
    "from typer",
];

/// Builtins that read a scope's names by their spelling: renaming a name of
/// that scope changes what they see (`render(request, "t.html", locals())`).
pub const NAMESPACE_READERS: &[&str] = &["locals", "vars", "dir", "eval", "exec"];

/// Other words that reach a function's names without spelling them where
/// they are used (`globals()`, a frame's `f_locals`) or move a name to
/// another scope (`global`, `nonlocal`).
pub const SCOPE_WORDS: &[&str] = &["globals", "global", "nonlocal", "_getframe", "currentframe", "f_locals"];

/// Bodies whose first string statement is a docstring.
pub const DOCSTRING_OWNERS: &[&str] = &["function_definition", "class_definition"];

pub fn is(kind: &str, table: &[&str]) -> bool {
    table.contains(&kind)
}
