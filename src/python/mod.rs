//! Python support: the grammar table, literal normalisation and the tokenizer.

pub mod bindings;
pub mod chunks;
pub mod grammar;
pub mod indentation;
pub mod items;
pub mod literals;
pub mod names;
pub mod tokens;

pub use tokens::{ParsedSource, Role, Scope, ScopeKind, Token, parse, parse_rows, reparse};

/// Whether a path is Python source that diffscore parses.
pub fn is_python_path(path: &str) -> bool {
    path.ends_with(".py") || path.ends_with(".pyi")
}
