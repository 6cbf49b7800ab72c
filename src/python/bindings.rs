//! Where a module binds each name, read from its text line by line, for the
//! question an annotation raises: is the name it reads bound by the time
//! Python evaluates it? Without `from __future__ import annotations`, a
//! function's signature and a module- or class-level variable annotation
//! are evaluated when the definition runs: `-> Optional[str]` added without
//! importing `Optional` stops the module from importing.
//!
//! The scan is textual (a partial parse holds only some statements): a line
//! that looks like it binds a name counts, in the module and in class bodies
//! (also under `if`, `try`, `with`), not inside a function (its names are
//! its own), nor imports under `if TYPE_CHECKING:` (they never run). A class
//! is bound once its body has run: its own methods cannot annotate with it.

use std::collections::HashMap;

/// The first row at which each name is bound, in text order.
#[derive(Debug, Default)]
pub struct Bindings {
    first_row: HashMap<String, usize>,
    /// The first row of a star import: every name may be bound after it.
    star: Option<usize>,
}

impl Bindings {
    pub fn scan(text: &str) -> Bindings {
        let mut bindings = Bindings::default();
        let mut type_checking: Option<usize> = None;
        let mut function: Option<usize> = None;
        let mut classes: Vec<(String, usize)> = Vec::new();
        let mut open_import = false;
        for (row, line) in crate::lines::split_at_newlines(text).enumerate() {
            let code = line.trim_start();
            let indent = line.len() - code.len();
            if code.is_empty() || code.starts_with('#') {
                continue;
            }
            if type_checking.is_some_and(|level| indent <= level) {
                type_checking = None;
            }
            while classes.last().is_some_and(|&(_, level)| indent <= level) {
                if let Some((name, _)) = classes.pop() {
                    bindings.bind(&name, row - 1);
                }
            }
            if function.is_some_and(|level| indent <= level) {
                function = None;
            }
            if function.is_some() {
                continue;
            }
            if let Some(name) = defined(code, "class ") {
                classes.push((name.to_owned(), indent));
                continue;
            }
            if defined(code.strip_prefix("async ").unwrap_or(code), "def ").is_some() {
                function = Some(indent);
            }
            if code.starts_with("if ") && code.contains("TYPE_CHECKING") {
                type_checking = Some(indent);
                continue;
            }
            let imports_run = type_checking.is_none();
            if open_import {
                open_import = !code.contains(')');
                if imports_run {
                    bindings.imported_names(code, row);
                }
                continue;
            }
            if let Some(rest) = code.strip_prefix("from ") {
                let Some((_, names)) = rest.split_once(" import") else {
                    continue;
                };
                open_import = names.contains('(') && !names.contains(')');
                if imports_run {
                    bindings.imported_names(names, row);
                }
            } else if let Some(modules) = code.strip_prefix("import ") {
                if imports_run {
                    for module in modules.split(',') {
                        let name = match module.split_once(" as ") {
                            Some((_, alias)) => alias,
                            None => module.split('.').next().unwrap_or_default(),
                        };
                        bindings.bind(name, row);
                    }
                }
            } else {
                bindings.statement(code, row);
            }
        }
        bindings
    }

    /// Whether `name` may be bound before `row`: a builtin, or bound on an
    /// earlier row (or after a star import).
    pub fn bound_before(&self, name: &str, row: usize) -> bool {
        BUILTINS.contains(&name)
            || self.star.is_some_and(|star| star < row)
            || self.first_row.get(name).is_some_and(|&first| first < row)
    }

    fn bind(&mut self, name: &str, row: usize) {
        let name = name.trim();
        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            self.first_row.entry(name.to_owned()).or_insert(row);
        }
    }

    /// The names a `from ... import` list (or a line of it) binds.
    fn imported_names(&mut self, names: &str, row: usize) {
        let names = names.split('#').next().unwrap_or_default();
        for part in names.split(',') {
            let part = part.trim_matches(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '\\');
            if part == "*" {
                self.star.get_or_insert(row);
                continue;
            }
            let name = part.split_once(" as ").map_or(part, |(_, alias)| alias);
            self.bind(name, row);
        }
    }

    /// The names a statement line binds: a definition's, an assignment's
    /// targets, and any `as` alias (`with`, `except`).
    fn statement(&mut self, code: &str, row: usize) {
        if let Some(name) = defined(code.strip_prefix("async ").unwrap_or(code), "def ") {
            self.bind(name, row);
            return;
        }
        if let Some((targets, _)) = code.split_once('=')
            && !code[targets.len()..].starts_with("==")
            && !targets.ends_with(['!', '<', '>'])
        {
            let targets = targets.split(':').next().unwrap_or_default();
            for target in targets.split(',') {
                self.bind(
                    target.trim_matches(|c: char| c.is_whitespace() || c == '(' || c == ')'),
                    row,
                );
            }
        }
        for (at, _) in code.match_indices(" as ") {
            let alias = &code[at + 4..];
            let end = alias
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(alias.len());
            self.bind(&alias[..end], row);
        }
        if let Some(target) = code.strip_prefix("for ").and_then(|rest| rest.split_once(" in ")) {
            for name in target.0.split(',') {
                self.bind(
                    name.trim_matches(|c: char| c.is_whitespace() || c == '(' || c == ')'),
                    row,
                );
            }
        }
    }
}

/// The name a `def ` or `class ` line defines.
fn defined<'a>(code: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = code.strip_prefix(keyword)?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Python's builtin names.
const BUILTINS: &[&str] = &[
    "None",
    "True",
    "False",
    "Ellipsis",
    "NotImplemented",
    "object",
    "type",
    "int",
    "float",
    "complex",
    "bool",
    "str",
    "bytes",
    "bytearray",
    "memoryview",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "range",
    "slice",
    "property",
    "classmethod",
    "staticmethod",
    "super",
    "callable",
    "len",
    "iter",
    "next",
    "print",
    "repr",
    "abs",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "map",
    "filter",
    "zip",
    "enumerate",
    "sorted",
    "reversed",
    "open",
    "isinstance",
    "issubclass",
    "hash",
    "id",
    "getattr",
    "setattr",
    "hasattr",
    "delattr",
    "vars",
    "dir",
    "globals",
    "locals",
    "format",
    "ord",
    "chr",
    "round",
    "divmod",
    "pow",
    "input",
    "compile",
    "eval",
    "exec",
    "BaseException",
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "EOFError",
    "ImportError",
    "ModuleNotFoundError",
    "LookupError",
    "IndexError",
    "KeyError",
    "KeyboardInterrupt",
    "MemoryError",
    "NameError",
    "NotImplementedError",
    "OSError",
    "IOError",
    "OverflowError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "StopIteration",
    "StopAsyncIteration",
    "SyntaxError",
    "SystemError",
    "SystemExit",
    "TypeError",
    "UnboundLocalError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "ValueError",
    "ZeroDivisionError",
    "FileNotFoundError",
    "FileExistsError",
    "PermissionError",
    "TimeoutError",
    "ConnectionError",
    "BaseExceptionGroup",
    "ExceptionGroup",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "RuntimeWarning",
    "GeneratorExit",
    "__name__",
    "__file__",
    "__doc__",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_definitions_and_assignments_bind_from_their_row() {
        let text = "from typing import Optional, List as L\nimport os.path, json as j\nfrom m import (\n    a,\n    b as c,\n)\n\nclass Model:\n    size: int = 0\nX, Y = 1, 2\nwith open(p) as handle:\n    pass\n";
        let bindings = Bindings::scan(text);
        for (name, row) in [
            ("Optional", 0),
            ("L", 0),
            ("os", 1),
            ("j", 1),
            ("a", 3),
            ("c", 4),
            ("Model", 8),
            ("size", 8),
            ("X", 9),
            ("Y", 9),
            ("handle", 10),
        ] {
            assert!(!bindings.bound_before(name, row), "{name} not before row {row}");
            assert!(bindings.bound_before(name, row + 1), "{name} after row {row}");
        }
        assert!(!bindings.bound_before("List", 99));
        assert!(!bindings.bound_before("b", 99));
        assert!(bindings.bound_before("int", 0));
    }

    #[test]
    fn imports_under_type_checking_do_not_run() {
        let text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.models import User\nelse:\n    from app.stubs import Stub\n";
        let bindings = Bindings::scan(text);
        assert!(!bindings.bound_before("User", 99));
        assert!(bindings.bound_before("Stub", 99));
        assert!(bindings.bound_before("TYPE_CHECKING", 1));
    }

    #[test]
    fn a_class_is_bound_after_its_body_and_a_function_keeps_its_names() {
        let text = "class Node:\n    def add(self, other: Node) -> Node:\n        from typing import Optional\n        return other\n\n\nx: Node = Node()\n";
        let bindings = Bindings::scan(text);
        assert!(!bindings.bound_before("Node", 1), "the class body is still running");
        assert!(bindings.bound_before("Node", 6));
        assert!(bindings.bound_before("add", 2), "a method is bound in its class body");
        assert!(!bindings.bound_before("Optional", 99), "a function's import is its own");
    }

    #[test]
    fn a_star_import_may_bind_anything_after_it() {
        let bindings = Bindings::scan("import os\nfrom typing import *\n");
        assert!(!bindings.bound_before("Optional", 1));
        assert!(bindings.bound_before("Optional", 2));
    }
}
