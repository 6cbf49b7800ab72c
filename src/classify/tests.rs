//! Unit tests of the classification core on pairs of small sources.

use std::ops::Range;

use super::*;
use crate::label::Label::*;
use crate::lines::diff_lines;
use crate::python;

/// The label of every changed line, as `(-line, label)` for removed lines
/// and `(+line, label)` for added ones, lines 1-based.
fn labels(old: &str, new: &str) -> Vec<(i64, Label)> {
    let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
    let side = |marks: &SideMarks, sign: i64| -> Vec<(i64, Label)> {
        marks
            .rows
            .iter()
            .enumerate()
            .filter_map(|(row, mark)| mark.map(|m| (sign * (row as i64 + 1), m.label)))
            .collect()
    };
    let mut all = side(&analysis.marks.old, -1);
    all.extend(side(&analysis.marks.new, 1));
    all
}

fn all_labelled(old: &str, new: &str, expected: Label) {
    let found = labels(old, new);
    assert!(!found.is_empty(), "no changed lines");
    for (line, label) in &found {
        assert_eq!(*label, expected, "line {line} in {found:?}");
    }
}

#[test]
fn rewrapped_arguments_are_formatting() {
    all_labelled(
        "x = call(alpha, beta, gamma)\n",
        "x = call(\n    alpha,\n    beta,\n    gamma,\n)\n",
        Formatting,
    );
}

#[test]
fn quote_style_and_spacing_are_formatting() {
    all_labelled("x = {'a':1}\n", "x = {\"a\": 1}\n", Formatting);
}

#[test]
fn blank_lines_are_formatting() {
    all_labelled(
        "def f():\n    pass\ndef g():\n    pass\n",
        "def f():\n    pass\n\n\ndef g():\n    pass\n",
        Formatting,
    );
}

#[test]
fn changed_constant_is_substantive() {
    all_labelled("x = 1\n", "x = 2\n", Substantive);
}

#[test]
fn added_argument_marks_both_sides() {
    assert_eq!(labels("f(a)\n", "f(a, b)\n"), [(-1, Substantive), (1, Substantive)]);
}

#[test]
fn dedent_out_of_a_block_is_substantive() {
    let old = "if a:\n    x()\n    y()\n";
    let new = "if a:\n    x()\ny()\n";
    assert_eq!(labels(old, new), [(-3, Substantive), (3, Substantive)]);
}

#[test]
fn indent_into_a_block_is_substantive() {
    let old = "for i in r:\n    x(i)\ny(i)\n";
    let new = "for i in r:\n    x(i)\n    y(i)\n";
    assert_eq!(labels(old, new), [(-3, Substantive), (3, Substantive)]);
}

#[test]
fn one_tuple_is_not_a_trailing_comma() {
    all_labelled("x = (1)\n", "x = (1,)\n", Substantive);
}

#[test]
fn raw_prefix_is_substantive() {
    all_labelled("p = '\\n'\n", "p = r'\\n'\n", Substantive);
}

#[test]
fn comment_edits_are_comment() {
    all_labelled("x = 1  # one\n", "x = 1  # the first\n", Comment);
    all_labelled("x = 1\n", "# set x\nx = 1\n", Comment);
}

#[test]
fn removing_a_trailing_comment_labels_both_sides_comment() {
    assert_eq!(labels("x = 1  # one\n", "x = 1\n"), [(-1, Comment), (1, Comment)]);
}

#[test]
fn comment_and_code_on_one_line_is_substantive() {
    all_labelled("x = 1  # one\n", "x = 2  # two\n", Substantive);
}

#[test]
fn docstring_added_is_docstring() {
    let old = "def f():\n    return 1\n";
    let new = "def f():\n    \"\"\"Return one.\"\"\"\n    return 1\n";
    assert_eq!(labels(old, new), [(2, Docstring)]);
}

#[test]
fn a_docstring_turned_into_bytes_or_an_fstring_is_substantive() {
    for prefix in ["b", "f", "rb", "F"] {
        let old = "def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n";
        let new = format!("def f():\n    {prefix}\"\"\"Doc.\"\"\"\n    return 1\n");
        all_labelled(old, &new, Substantive);
    }
    let old = "def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n";
    // A raw prefix spells the same docstring.
    let new = "def f():\n    r\"\"\"Doc.\"\"\"\n    return 1\n";
    all_labelled(old, new, Formatting);
}

#[test]
fn a_header_pushing_a_shebang_or_an_encoding_declaration_down_is_substantive() {
    let old = "#!/usr/bin/env python3\nimport sys\n";
    let new = "# Copyright 2024 Example Corp.\n#!/usr/bin/env python3\nimport sys\n";
    all_labelled(old, new, Substantive);
    let old = "# -*- coding: latin-1 -*-\nx = 1\n";
    let new = "# Licence: MIT\n# See LICENSE.\n# -*- coding: latin-1 -*-\nx = 1\n";
    all_labelled(old, new, Substantive);
    // Below the shebang a comment is a comment.
    let old = "#!/usr/bin/env python3\nimport sys\n";
    let new = "#!/usr/bin/env python3\n# Copyright 2024 Example Corp.\nimport sys\n";
    all_labelled(old, new, Comment);
}

#[test]
fn a_docstring_the_file_reads_is_code() {
    let old = "\"\"\"Usage: tool [--count=N]\n\n--count=N  [default: 10]\n\"\"\"\nfrom docopt import docopt\n\nargs = docopt(__doc__)\n";
    let new = old.replace("default: 10", "default: 20");
    all_labelled(old, &new, Substantive);
    let old = "import ply.lex\n\n\ndef t_NUMBER(t):\n    r\"\\d+\"\n    return t\n";
    let new = old.replace("\\d+", "\\d+(\\.\\d+)?");
    all_labelled(old, &new, Substantive);
    // click prints a command's docstring as its --help: CRLF, imported among others.
    let old = "import os, click\r\n\r\n\r\n@click.command()\r\ndef hello():\r\n    \"\"\"Say hello.\"\"\"\r\n";
    let new = old.replace("Say hello.", "Say hello twice.");
    all_labelled(old, &new, Substantive);
}

#[test]
fn docstring_edited_across_lines_is_docstring() {
    let old = "class A:\n    \"\"\"Old\n    text.\"\"\"\n    x = 1\n";
    let new = "class A:\n    \"\"\"New\n    words here.\"\"\"\n    x = 1\n";
    all_labelled(old, new, Docstring);
}

#[test]
fn string_statement_after_the_first_is_code() {
    let old = "def f():\n    x = 1\n    'note'\n";
    let new = "def f():\n    x = 1\n    'other'\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn docstring_with_blank_line_keeps_its_label() {
    let old = "class A:\n    x = 1\n";
    let new = "class A:\n    \"\"\"An A.\"\"\"\n\n    x = 1\n";
    assert_eq!(labels(old, new), [(2, Docstring), (3, Docstring)]);
}

#[test]
fn statements_swapped_in_a_body_are_substantive() {
    let old = "def f():\n    a()\n    b()\n";
    let new = "def f():\n    b()\n    a()\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn broken_python_is_flagged_and_still_labelled() {
    let analysis = classify(b"def f(:\n    x = 1\n", b"def f(:\n    x = 2\n", Language::Python);
    assert!(analysis.parse_errors);
    assert_eq!(analysis.changes.len(), 1);
    assert_eq!(analysis.changes[0].label, Substantive);
}

#[test]
fn non_utf8_python_falls_back_to_lines() {
    let analysis = classify(b"x = '\xff'\n", b"x = '\xfe'\n", Language::Python);
    assert!(!analysis.parsed);
    assert!(analysis.fallback.is_some());
    assert_eq!(analysis.changed_lines(), 2);
}

#[test]
fn text_files_get_line_level_labels() {
    let analysis = classify(b"a b\nc\n", b"a  b\nd\n", Language::Text);
    let old: Vec<Label> = analysis.marks.old.rows.iter().flatten().map(|m| m.label).collect();
    assert_eq!(old, [Formatting, Substantive]);
}

#[test]
fn changes_cover_every_changed_line_once() {
    let old = "def f(a):\n    # note\n    return a\n\nx = 1\n";
    let new = "def f(a):\n    return a + 1\n\n\nx = 1  # one\n";
    let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
    let covered: usize = analysis.changes.iter().map(Change::line_count).sum();
    assert_eq!(covered, analysis.changed_lines());
}

#[test]
fn annotations_added_are_annotation() {
    all_labelled(
        "def f(x, y=1):\n    return x\n",
        "def f(x: int, y: int = 1) -> int:\n    return x\n",
        Annotation,
    );
    all_labelled("items = []\n", "items: list[str] = []\n", Annotation);
    all_labelled("def f(x: int):\n    pass\n", "def f(x: str):\n    pass\n", Annotation);
}

#[test]
fn a_new_annotated_field_is_substantive() {
    let old = "@dataclass\nclass P:\n    x: int\n";
    let new = "@dataclass\nclass P:\n    x: int\n    y: int\n";
    assert_eq!(labels(old, new), [(4, Substantive)]);
}

#[test]
fn annotation_and_code_change_on_one_line_is_substantive() {
    all_labelled("def f(x=1):\n    pass\n", "def f(x: int = 2):\n    pass\n", Substantive);
}

#[test]
fn consistent_local_rename_is_rename() {
    let old = "def total(items):\n    s = 0\n    for i in items:\n        s += i\n    return s\n";
    let new = "def total(items):\n    acc = 0\n    for i in items:\n        acc += i\n    return acc\n";
    all_labelled(old, new, Rename);
    let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
    let detail = analysis.changes[0].detail.clone().unwrap();
    assert_eq!(
        detail,
        Detail::Rename {
            from: "s".into(),
            to: "acc".into(),
            scope: "total".into(),
            kind: "variable",
            count: 3
        }
    );
    assert_eq!(analysis.changes[0].message, "renamed `s` to `acc` in `total` (3 uses)");
}

#[test]
fn partial_rename_is_substantive() {
    let old = "def f(a):\n    x = a\n    y = x + 1\n    return x\n";
    let new = "def f(a):\n    total = a\n    y = x + 1\n    return total\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn rename_onto_an_existing_name_is_substantive() {
    let old = "def f(a, b):\n    x = a\n    return x + b\n";
    let new = "def f(a, b):\n    b = a\n    return b + b\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn rename_that_shadows_a_builtin_in_use_is_substantive() {
    let old = "def f(items):\n    n = 0\n    return n + len(items)\n";
    let new = "def f(items):\n    len = 0\n    return len + len(items)\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn rename_in_a_scope_that_reads_its_names_is_substantive() {
    for reader in ["locals()", "vars()", "dir()", "eval(\"x\")"] {
        let old = format!("def f(a):\n    x = a\n    return x, {reader}\n");
        let new = format!("def f(a):\n    y = a\n    return y, {reader}\n");
        all_labelled(&old, &new, Substantive);
    }
    let old = "def f(a):\n    x = a\n    return x, [locals() for _ in a]\n";
    let new = "def f(a):\n    y = a\n    return y, [locals() for _ in a]\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn rename_printed_by_a_self_documenting_fstring_is_substantive() {
    let old = "def f(a):\n    x = a\n    return f\"{x=}\"\n";
    let new = "def f(a):\n    y = a\n    return f\"{y=}\"\n";
    all_labelled(old, new, Substantive);
    let old = "def f(a):\n    x = a\n    return f\"{x + 1 = }\"\n";
    let new = "def f(a):\n    y = a\n    return f\"{y + 1 = }\"\n";
    all_labelled(old, new, Substantive);
    let old = "def f(a):\n    x = a\n    return f\"{x!r:>{a}}\"\n";
    let new = "def f(a):\n    y = a\n    return f\"{y!r:>{a}}\"\n";
    all_labelled(old, new, Rename);
}

#[test]
fn spaces_in_a_self_documenting_fstring_are_substantive() {
    all_labelled("x = f\"{a=}\"\n", "x = f\"{a = }\"\n", Substantive);
    all_labelled("x = f\"{a+1=}\"\n", "x = f\"{a + 1=}\"\n", Substantive);
    all_labelled("x = f\"{a + 1}\"\n", "x = f\"{a+1}\"\n", Formatting);
}

#[test]
fn a_blank_line_nearer_new_code_than_a_moved_definition_goes_with_the_new_code() {
    let old = "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\ndef c():\n    return 3\n";
    let new = "def b():\n    return 2\n\n\ndef c():\n    return 3\n\n\ndef a():\n    return 1\n\n\ndef d():\n    return a()\n";
    let found = labels(old, new);
    assert!(found.contains(&(11, Reorder)), "{found:?}");
    assert!(found.contains(&(12, Substantive)), "{found:?}");
    assert!(found.contains(&(13, Substantive)), "{found:?}");
    assert!(found.contains(&(9, Reorder)), "{found:?}");
}

#[test]
fn a_name_that_only_spells_a_namespace_reader_leaves_a_rename_alone() {
    let old = "def get(option, vars=None):\n    value = option\n    return value, vars\n";
    let new = "def get(option, vars=None):\n    result = option\n    return result, vars\n";
    all_labelled(old, new, Rename);
    let old = "def _helper(a):\n    return a\n\n\ndef run(code):\n    return eval(code, {}), _helper(1)\n";
    let new = "def _assist(a):\n    return a\n\n\ndef run(code):\n    return eval(code, {}), _assist(1)\n";
    all_labelled(old, new, Rename);
}

#[test]
fn a_private_member_a_string_can_build_is_not_a_rename() {
    let class = |name: &str, lookup: &str| {
        format!(
            "class Backend:\n    def {name}(self, user):\n        return user.groups\n\n    def perms(self, user, kind):\n        return getattr(self, {lookup})(user)\n"
        )
    };
    for lookup in [
        "\"_get_%s_perms\" % kind",
        "\"_get_{}_perms\".format(kind)",
        "f\"_get_{kind}_perms\"",
        "\"_get_\" + kind + \"_perms\"",
    ] {
        let old = class("_get_group_perms", lookup);
        let new = class("_fetch_group_perms", lookup);
        all_labelled(&old, &new, Substantive);
    }
    // A lookup that cannot build the old name leaves the rename alone.
    let old = class("_group_perms", "\"_get_%s_perms\" % kind");
    let new = class("_fetch_group_perms", "\"_get_%s_perms\" % kind");
    all_labelled(&old, &new, Rename);
}

#[test]
fn a_private_member_found_by_a_namespace_scan_is_not_a_rename() {
    let checks = |name: &str| {
        format!(
            "class Checks:\n    def run_all(self):\n        return [m() for n, m in vars(type(self)).items() if n.startswith(\"_check\")]\n\n    def ping(self):\n        return self.{name}()\n\n    def {name}(self):\n        return 1\n"
        )
    };
    all_labelled(&checks("_check_disk"), &checks("_disk_status"), Substantive);
    let token = |name: &str| {
        format!(
            "class Client:\n    def __init__(self):\n        self.{name} = \"abc\"\n\n    def header(self):\n        return self.{name}\n\n    def to_json(self):\n        return json.dumps(self.__dict__)\n"
        )
    };
    all_labelled(&token("_token"), &token("_auth_token"), Substantive);
    // `_mkdir(self` is no `dir(self)`.
    let plain = |name: &str| {
        format!(
            "class A:\n    def {name}(self):\n        return 1\n\n    def b(self):\n        return self.{name}(self)\n"
        )
    };
    all_labelled(&plain("_mkdir"), &plain("_make_dir"), Rename);
}

#[test]
fn a_private_name_still_spelled_in_a_docstring_is_not_a_rename() {
    let old = "def _load(pk):\n    return pk\n\n\ndef show(pk):\n    \"\"\"Show what `_load` finds.\"\"\"\n    return _load(pk)\n";
    let new = "def _fetch(pk):\n    return pk\n\n\ndef show(pk):\n    \"\"\"Show what `_load` finds.\"\"\"\n    return _fetch(pk)\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn a_comment_edited_with_new_code_is_substantive_beside_a_rename() {
    let old = "def f(xs, z, out):\n    for x in xs:\n        if x == z:  # self loops\n            out.append(z)\n";
    let new = "def f(xs, z, out):\n    for item in xs:\n        if item == z:  # self loop: record it once\n            if z not in out:\n                out.append(z)\n";
    let found = labels(old, new);
    assert!(found.contains(&(2, Rename)), "{found:?}");
    assert!(found.contains(&(3, Substantive)), "{found:?}");
    assert!(found.contains(&(-3, Substantive)), "{found:?}");
    // With no new code in the run, the comment edit beside the rename is noise.
    let new = "def f(xs, z, out):\n    for item in xs:\n        if item == z:  # self loop: record it once\n            out.append(z)\n";
    all_labelled(old, new, Rename);
}

#[test]
fn an_edit_inside_a_definition_that_stayed_put_is_judged_in_place_beside_a_move() {
    let old = "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\nclass C:\n    m = f()\n    r = True\n";
    let new = "def b():\n    return 2\n\n\ndef a():\n    return 1\n\n\nclass C:\n    r = True\n    m = f()\n";
    let found = labels(old, new);
    assert!(found.contains(&(-10, Substantive)), "{found:?}");
    assert!(found.contains(&(11, Substantive)), "{found:?}");
    assert!(
        found
            .iter()
            .filter(|(line, _)| line.abs() < 9)
            .all(|(_, label)| *label == Reorder),
        "{found:?}"
    );
}

#[test]
fn annotations_a_decorator_reads_are_code() {
    let old = "@process.register\ndef _(x: int) -> str:\n    return str(x)\n";
    let new = "@process.register\ndef _(x: float) -> str:\n    return str(x)\n";
    all_labelled(old, new, Substantive);
    let old = "@app.get(\"/items\")\ndef read(q: int = 0):\n    return q\n";
    let new = "@app.get(\"/items\")\ndef read(q: str = 0):\n    return q\n";
    all_labelled(old, new, Substantive);
    let old = "import typing\n\n\nclass Row:\n    score: float\n\n\ndef coerce(cls, data):\n    return typing.get_type_hints(cls)\n";
    let new = old.replace("score: float", "score: int");
    all_labelled(old, &new, Substantive);
    let old = "@typechecked\ndef area(w: int, h: int) -> int:\n    return w * h\n";
    let new = "@typechecked\ndef area(w: float, h: float) -> float:\n    return w * h\n";
    all_labelled(old, new, Substantive);
    // Decorators that do not read annotations leave them annotations.
    let old = "class A:\n    @property\n    def size(self):\n        return 1\n";
    let new = "class A:\n    @property\n    def size(self) -> int:\n        return 1\n";
    all_labelled(old, new, Annotation);
}

#[test]
fn a_namespace_reader_in_another_function_leaves_a_rename_alone() {
    let old = "def f(a):\n    x = a\n    return x\n\n\ndef g():\n    return locals()\n";
    let new = "def f(a):\n    y = a\n    return y\n\n\ndef g():\n    return locals()\n";
    all_labelled(old, new, Rename);
}

#[test]
fn private_function_rename_with_its_calls_is_rename() {
    let old = "def _load(p):\n    return p\n\n\ndef main():\n    return _load(1)\n";
    let new = "def _read(p):\n    return p\n\n\ndef main():\n    return _read(1)\n";
    all_labelled(old, new, Rename);
}

#[test]
fn public_function_rename_is_substantive_other_modules_may_import_it() {
    let old = "def load(p):\n    return p\n\n\ndef main():\n    return load(1)\n";
    let new = "def read(p):\n    return p\n\n\ndef main():\n    return read(1)\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn parameter_rename_needs_keyword_callers_renamed() {
    let old = "def _f(size):\n    return size\n\n\n_f(size=1)\n";
    let new = "def _f(n):\n    return n\n\n\n_f(size=1)\n";
    all_labelled(old, new, Substantive);
    let fixed = "def _f(n):\n    return n\n\n\n_f(n=1)\n";
    all_labelled(old, fixed, Rename);
    let public = |text: &str| text.replace("_f(", "f(");
    all_labelled(&public(old), &public(fixed), Substantive);
}

#[test]
fn private_attribute_rename_within_a_class_is_rename() {
    let old = "class A:\n    def __init__(self):\n        self._n = 0\n\n    def inc(self):\n        self._n += 1\n";
    let new =
        "class A:\n    def __init__(self):\n        self._count = 0\n\n    def inc(self):\n        self._count += 1\n";
    all_labelled(old, new, Rename);
    let public = |text: &str| text.replace("self._", "self.");
    all_labelled(&public(old), &public(new), Substantive);
    let inherited = |text: &str| text.replace("class A:", "class A(Base):");
    all_labelled(&inherited(old), &inherited(new), Substantive);
}

#[test]
fn a_rename_next_to_a_changed_token_is_still_found() {
    let old = "def f(n):\n    cutoff = 10\n    if abs(n) < cutoff:\n        return 1\n    return cutoff\n";
    let new = "def f(n):\n    element = 10\n    if abs(n) <= element:\n        return 1\n    return element\n";
    assert_eq!(
        labels(old, new),
        [
            (-2, Rename),
            (-3, Substantive),
            (-5, Rename),
            (2, Rename),
            (3, Substantive),
            (5, Rename)
        ]
    );
}

#[test]
fn a_local_renamed_in_one_of_two_functions_of_one_name_is_a_rename() {
    let old = "def deco(f):\n    if ASYNC:\n        async def _wrap(r):\n            response = await f(r)\n            return response\n    else:\n        def _wrap(r):\n            response = f(r)\n            return response\n    return _wrap\n";
    let new = old.replacen(
        "response = await f(r)\n            return response",
        "result = await f(r)\n            return result",
        1,
    );
    all_labelled(old, &new, Rename);
}

#[test]
fn rename_plus_bug_fix_splits_by_line() {
    let old = "def f(a):\n    x = a\n    return x + 1\n";
    let new = "def f(a):\n    total = a\n    return total + 2\n";
    assert_eq!(
        labels(old, new),
        [(-2, Rename), (-3, Substantive), (2, Rename), (3, Substantive)]
    );
}

#[test]
fn swapped_methods_are_reorder_with_their_spacing() {
    let old =
        "class V:\n    def get(self):\n        return 1\n\n    def post(self):\n        x = 2\n        return x\n";
    let new =
        "class V:\n    def post(self):\n        x = 2\n        return x\n\n    def get(self):\n        return 1\n";
    all_labelled(old, new, Reorder);
    let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
    assert_eq!(analysis.changes.len(), 1, "{:?}", analysis.changes);
    assert_eq!(analysis.changes[0].message, "moved method `get` from line 2 to line 6");
}

#[test]
fn a_function_moved_and_written_differently_is_no_move() {
    let old = "def a():\n    return 1\n\n\ndef b():\n    x = 1\n    y = 2\n    return x + y\n";
    let new = "def b():\n    x = 1\n    y = 2\n    return x + y\n\n\ndef a():\n    return 2\n";
    all_labelled(old, new, Substantive);
    let moved_only = new.replace("return 2", "return 1");
    all_labelled(old, &moved_only, Reorder);
}

#[test]
fn a_moved_function_with_a_small_edit_inside_is_a_move_and_an_edit() {
    let body = "    x = 1\n    y = 2\n    z = 3\n    return x + y + z\n";
    let old = format!("def a():\n{body}\n\ndef b():\n    return 0\n");
    let new = format!(
        "def b():\n    return 0\n\n\ndef a():\n{}",
        body.replace("z = 3", "z = 4")
    );
    let found = labels(&old, &new);
    let substantive: Vec<i64> = found
        .iter()
        .filter(|(_, l)| *l == Substantive)
        .map(|(line, _)| *line)
        .collect();
    assert_eq!(substantive, [-4, 8], "{found:?}");
    assert!(
        found.iter().all(|(_, l)| matches!(l, Substantive | Reorder)),
        "{found:?}"
    );
}

#[test]
fn a_moved_function_with_a_new_docstring_keeps_the_docstring_label() {
    let old = "def a():\n    return 1\n\n\ndef b():\n    x = 1\n    y = 2\n    return x + y\n";
    let new = "def b():\n    x = 1\n    y = 2\n    return x + y\n\n\ndef a():\n    \"\"\"One.\"\"\"\n    return 1\n";
    let found = labels(old, new);
    assert!(found.contains(&(8, Docstring)), "{found:?}");
    assert!(
        found.iter().all(|(_, label)| matches!(label, Reorder | Docstring)),
        "{found:?}"
    );
}

#[test]
fn module_assignments_reordered_are_substantive() {
    all_labelled("A = 1\nB = 2\n", "B = 2\nA = 1\n", Substantive);
}

#[test]
fn decorators_reordered_are_substantive() {
    let old = "@login_required\n@cache\ndef view(request):\n    pass\n";
    let new = "@cache\n@login_required\ndef view(request):\n    pass\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn resorted_imports_are_reorder() {
    all_labelled(
        "import sys\nimport os\nfrom a import b\n",
        "from a import b\nimport os\nimport sys\n",
        Reorder,
    );
}

#[test]
fn renaming_an_imported_name_imports_something_else() {
    let old = "from app.models import Order\n\n\ndef f():\n    return Order()\n";
    let new = "from app.models import Invoice\n\n\ndef f():\n    return Invoice()\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn renaming_a_private_import_alias_is_rename() {
    let old = "import numpy as _np\n\n\ndef f(x):\n    return _np.mean(x)\n";
    let new = "import numpy as _npy\n\n\ndef f(x):\n    return _npy.mean(x)\n";
    all_labelled(old, new, Rename);
    let public = |text: &str| text.replace("_np", "np");
    all_labelled(&public(old), &public(new), Substantive);
}

#[test]
fn two_similar_functions_swapped_are_reorder_even_when_the_diff_pairs_their_lines() {
    let encode = "def iterencode(items, errors='strict'):\n    \"\"\"Encode the items.\"\"\"\n    encoder = get_encoder(errors)\n    for item in items:\n        yield encoder.encode(item)\n";
    let decode = "def iterdecode(items, errors='strict'):\n    \"\"\"Decode the items.\"\"\"\n    decoder = get_decoder(errors)\n    for item in items:\n        yield decoder.decode(item)\n";
    let old = format!("{encode}\n{decode}");
    let new = format!("{decode}\n{encode}");
    all_labelled(&old, &new, Reorder);
}

#[test]
fn methods_of_a_class_inside_an_if_block_can_be_reordered() {
    let old = "if MAIN:\n    class Shell:\n        def do_a(self):\n            return 1\n\n        def do_b(self):\n            x = 2\n            return x\n";
    let new = "if MAIN:\n    class Shell:\n        def do_b(self):\n            x = 2\n            return x\n\n        def do_a(self):\n            return 1\n";
    all_labelled(old, new, Reorder);
}

#[test]
fn a_typing_import_added_with_type_hints_is_annotation() {
    let old = "import os\n\n\ndef f(x):\n    return os.path.join(x)\n";
    let new =
        "import os\nfrom typing import Optional\n\n\ndef f(x: Optional[str]) -> str:\n    return os.path.join(x)\n";
    all_labelled(old, new, Annotation);
}

#[test]
fn an_import_also_used_in_code_is_substantive() {
    let old = "def f(x):\n    return x\n";
    let new = "from typing import cast\n\n\ndef f(x: int):\n    return cast(int, x)\n";
    let found = labels(old, new);
    assert!(found.contains(&(1, Substantive)), "{found:?}");
}

#[test]
fn names_resorted_inside_an_import_are_reorder() {
    all_labelled(
        "from os import sep, path\nimport sys, json\n",
        "from os import path, sep\nimport json, sys\n",
        Reorder,
    );
}

#[test]
fn swapping_aliases_inside_an_import_is_substantive() {
    let found = labels(
        "from m import a as x, b as y\nprint(x)\n",
        "from m import a as y, b as x\nprint(x)\n",
    );
    assert_eq!(found, [(-1, Substantive), (1, Substantive)]);
    all_labelled("from a import b\n", "from b import a\n", Substantive);
}

#[test]
fn black_removes_tuple_parentheses() {
    all_labelled(
        "for (k, v) in d.items():\n    print(k)\n",
        "for k, v in d.items():\n    print(k)\n",
        Formatting,
    );
}

#[test]
fn a_statement_shifted_past_blank_lines_is_formatting() {
    let old = "def f():\n    x()\n\ndel contextvars        # Don't\n\ndef g():\n    pass\n";
    let new = "def f():\n    x()\n\n\ndel contextvars  # Don't\n\n\ndef g():\n    pass\n";
    all_labelled(old, new, Formatting);
    let old = "x = 1\n\nclass B:\n\n    \"\"\"Doc.\"\"\"\n";
    let new = "x = 1\n\n\nclass B:\n    \"\"\"Doc.\"\"\"\n";
    all_labelled(old, new, Formatting);
}

#[test]
fn statements_swapped_across_a_blank_line_stay_substantive() {
    all_labelled("a()\n\nb()\n", "b()\n\na()\n", Substantive);
}

#[test]
fn a_reformatted_block_split_by_a_matched_blank_line_is_formatting() {
    let old = "def f(T, y):\n    for k in range(T-1, 0, -1):\n        w = g(k*w)\n\n    return h(w*y)\n\ndef g(c):\n    pass\n";
    let new = "def f(T, y):\n    for k in range(T - 1, 0, -1):\n        w = g(k * w)\n\n    return h(w * y)\n\n\ndef g(c):\n    pass\n";
    all_labelled(old, new, Formatting);
}

#[test]
fn a_swap_across_a_blank_line_inside_a_reformatted_block_stays_substantive() {
    let old = "def f():\n    a(x+1)\n\n    b()\n";
    let new = "def f():\n    b()\n\n    a(x + 1)\n";
    all_labelled(old, new, Substantive);
}

#[test]
fn parsing_only_the_touched_statements_gives_the_same_labels() {
    let source = include_str!("../../testdata/stdlib/heapq.py");
    let edits = [
        (
            "    lastelt = heap.pop()    # raises",
            "    lastelt = heap.pop()  # raises",
        ),
        (
            "    newitem = heap[pos]\n    # Bubble",
            "    item = heap[pos]\n    # Bubble",
        ),
        (
            "    returnitem = heap[0]    # raises appropriate IndexError if heap is empty\n    heap[0] = item\n    _siftup(heap, 0)\n    return returnitem\n\ndef heappushpop",
            "    returned = heap[0]    # raises appropriate IndexError if heap is empty\n    heap[0] = item\n    _siftup(heap, 0)\n    return returned\n\ndef heappushpop",
        ),
        ("def heapify(x):\n", "def heapify(x):\n    # in place\n"),
        (
            "    lastelt = heap.pop()    # raises",
            "    lastelt = heap.pop(0)    # raises",
        ),
    ];
    for (from, to) in edits {
        let edited = source.replacen(from, to, 1);
        assert_ne!(edited, source, "edit anchor {from:?}");
        let (old, new) = (source.as_bytes(), edited.as_bytes());
        let diff = diff_lines(old, new);
        let runs: Vec<Range<usize>> = diff.runs.iter().map(|run| run.old.clone()).collect();
        let old_lines = split_lines(old);
        assert!(
            touched_statements(&python::chunks::Chunks::scan(source), &runs, &[], &old_lines, &[]).is_some(),
            "{from:?} parses only what it touches"
        );
        let whole = classify_whole(old, new, &Context::default());
        let touched = classify_in(old, new, Language::Python, &Context::default());
        assert_eq!(whole.marks.old.rows, touched.marks.old.rows, "{from:?}");
        assert_eq!(whole.marks.new.rows, touched.marks.new.rows, "{from:?}");
        assert_eq!(whole.changes, touched.changes, "{from:?}");
    }
}

/// The classification of a Python file parsed whole.
fn classify_whole(old: &[u8], new: &[u8], context: &Context) -> Analysis {
    classify_parsing(old, new, Language::Python, context, Parsing::Whole, &mut None).0
}

/// The old side of a parse of the statements the diff touches (and those
/// that spell `mentions`).
fn old_side_of_touched_parse(old: &[u8], new: &[u8], mentions: &Mentions) -> ParsedSource {
    let (old_lines, new_lines) = (split_lines(old), split_lines(new));
    let runs = diff_lines(old, new).runs;
    let parsing = Parsing::Touched(mentions);
    parse_both(old, new, &runs, (&old_lines, &new_lines), parsing, None)
        .unwrap()
        .0
}

#[test]
fn a_moved_function_is_judged_on_stubs_of_its_siblings() {
    let source = include_str!("../../testdata/stdlib/heapq.py");
    let start = |name: &str| source.find(&format!("\ndef {name}(")).unwrap() + 1;
    let (first, second, after) = (start("_heapreplace_max"), start("_heapify_max"), start("_siftdown"));
    let edited = [
        &source[..first],
        &source[second..after],
        &source[first..second],
        &source[after..],
    ]
    .concat();
    let (old, new) = (source.as_bytes(), edited.as_bytes());
    let no_mentions = Mentions::default();
    let parsed = old_side_of_touched_parse(old, new, &no_mentions);
    assert!(parsed.partial(), "the siblings are parsed as stubs");
    let (touched, lacking) = classify_parsing(
        old,
        new,
        Language::Python,
        &Context::default(),
        Parsing::Touched(&no_mentions),
        &mut None,
    );
    assert_eq!(lacking, Lacking::Nothing, "the stubs are enough to judge the move");
    let whole = classify_whole(old, new, &Context::default());
    assert_eq!(whole.marks.old.rows, touched.marks.old.rows);
    assert_eq!(whole.marks.new.rows, touched.marks.new.rows);
    assert_eq!(whole.changes, touched.changes);
    assert!(
        touched.changes.iter().all(|change| change.label == Reorder),
        "{:?}",
        touched.changes
    );
}

#[test]
fn an_import_added_in_place_parses_only_the_touched_statements() {
    let source = include_str!("../../testdata/stdlib/heapq.py");
    // The only use of the name the new import brings is an annotation in
    // a function far from the edit.
    let annotated = source.replace("def merge(*iterables,", "def merge(*iterables: List,");
    let edited = annotated.replacen("__all__ = [", "from typing import List\n__all__ = [", 1);
    let (old, new) = (annotated.as_bytes(), edited.as_bytes());
    let no_mentions = Mentions::default();
    let parsed = old_side_of_touched_parse(old, new, &no_mentions);
    let stubs = parsed.selection.as_ref().map(|selection| selection.module_complete);
    assert_eq!(stubs, Some(false), "no sibling is needed: the import did not move");
    let context = Context::default();
    let whole = classify_whole(old, new, &context);
    let touched = classify_in(old, new, Language::Python, &context);
    assert_eq!(whole.changes, touched.changes);
    assert!(
        touched.changes.iter().all(|change| change.label == Annotation),
        "{:?}",
        touched.changes
    );
}

#[test]
fn a_statement_parsed_on_one_side_only_is_never_layout_beside_its_copy() {
    // The rename's second pass parses `start = _cwd()` on the old side (it
    // spells the old name) but not on the new side, where a copy of it was
    // added: read with the unparsed line, the copy looked like layout.
    let filler: String = (0..12)
        .map(|i| format!("\n\ndef unrelated_{i}(value):\n    result = value * {i}\n    if result > 10:\n        return result - 1\n    return result + 1\n"))
        .collect();
    let old = format!(
        "import os\n\n\ndef _cwd():\n    return os.getcwd()\n{filler}\n\ndef main():\n    return _cwd()\n\n\nstart = _cwd()\nlimit = 2\n"
    );
    let new = old
        .replace("def _cwd():", "def _current_dir():")
        .replace("    return _cwd()", "    return _current_dir()")
        .replace("start = _cwd()\n", "start = _cwd()\nstart = _cwd()\n");
    let analysis = classify_in(old.as_bytes(), new.as_bytes(), Language::Python, &Context::default());
    let added = analysis.changes.iter().find(|change| change.old.is_empty());
    assert_eq!(
        added.map(|change| change.label),
        Some(Substantive),
        "{:?}",
        analysis.changes
    );
}

#[test]
fn a_module_level_rename_is_judged_on_the_statements_that_mention_it() {
    let source = include_str!("../../testdata/stdlib/heapq.py");
    let edited = source.replace("_siftup(", "_sift_up(");
    let (old, new) = (source.as_bytes(), edited.as_bytes());
    let no_mentions = Mentions::default();
    let context = Context::default();
    let mut trees = None;
    let first = Parsing::Touched(&no_mentions);
    let (_, lacking) = classify_parsing(old, new, Language::Python, &context, first, &mut trees);
    let Lacking::Mentions(mentions) = lacking else {
        panic!("the calls far from the edits are needed: {lacking:?}");
    };
    assert_eq!(mentions.names, ["_siftup", "_sift_up"]);
    let parsed = old_side_of_touched_parse(old, new, &mentions);
    assert!(parsed.partial(), "only the statements that mention the name");
    let second = Parsing::Touched(&mentions);
    let (touched, lacking) = classify_parsing(old, new, Language::Python, &context, second, &mut trees);
    assert_eq!(lacking, Lacking::Nothing);
    // The second pass re-parsed from the first pass's trees, as a fresh parse would.
    let (old_source, new_source) = trees.expect("the second pass leaves its sources");
    let view = |p: &ParsedSource| p.tokens.iter().map(|t| (t.key, t.first_row)).collect::<Vec<_>>();
    for (reused, text) in [(&old_source, source), (&new_source, &edited[..])] {
        let fresh = python::parse_rows(text, reused.selection.as_ref()).unwrap();
        assert!(view(&fresh) == view(reused), "a reparse from the first pass differs");
    }
    let whole = classify_whole(old, new, &context);
    assert_eq!(whole.changes, touched.changes);
    // `_siftup_max`'s docstring, far from the edits, still spells `_siftup`.
    assert!(
        touched.changes.iter().all(|change| change.label == Substantive),
        "{:?}",
        touched.changes
    );
}

#[test]
fn a_comment_black_moves_past_a_blank_line_is_formatting() {
    // The line diff pairs the statements around the comment crosswise: only
    // a layout chain over several runs matches the comment with itself.
    let old = include_str!("../../testdata/stdlib/io_head.py");
    let new = include_str!("../../testdata/stdlib/io_head.black.py");
    all_labelled(old, new, Formatting);
}

#[test]
fn a_module_reformatted_by_black_is_formatting_on_a_partial_parse_too() {
    let old = include_str!("../../testdata/stdlib/sched.py");
    let new = include_str!("../../testdata/stdlib/sched.black.py");
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let touched = classify_in(old, new, Language::Python, &Context::default());
    let whole = classify_whole(old, new, &Context::default());
    assert_eq!(whole.changes, touched.changes);
    assert!(
        touched.changes.iter().all(|change| change.label == Formatting),
        "{:?}",
        touched
            .changes
            .iter()
            .filter(|c| c.label != Formatting)
            .collect::<Vec<_>>()
    );
}

/// Edits where a block starts or ends (a `def` line, a docstring's first
/// line, a function inserted before another) are where tree-sitter meets old
/// subtrees after a zero-width indentation token it has not lexed yet: the
/// re-parse must still build the tree a fresh parse builds.
#[test]
fn a_reparse_at_block_edges_builds_the_fresh_tree() {
    let source = include_str!("../../testdata/stdlib/heapq.py");
    let edited = source
        .replacen("def heappush(heap, item):", "def heappush(heap, item, *, key=None):", 1)
        .replacen(
            "    \"\"\"Pop the smallest item",
            "    \"\"\"Pop and return the smallest item",
            1,
        )
        .replacen(
            "def heapify(x):",
            "def _check(heap):\n    return heap\n\n\ndef heapify(x):",
            1,
        )
        .replacen("    return returnitem\n", "    return returnitem  # done\n", 1);
    assert_ne!(edited, source);
    let old = python::parse(source).unwrap();
    let edits: Vec<(Range<usize>, Range<usize>)> = diff_lines(source.as_bytes(), edited.as_bytes())
        .runs
        .into_iter()
        .map(|run| (run.old, run.new))
        .collect();
    let reused = python::reparse(&old, &edited, None, &edits).unwrap();
    let fresh = python::parse(&edited).unwrap();
    assert_eq!(reused.tree.root_node().to_sexp(), fresh.tree.root_node().to_sexp());
    assert_eq!(reused.tokens.len(), fresh.tokens.len());
}

#[test]
fn a_reparse_that_includes_more_rows_builds_the_fresh_tree() {
    // A second pass adds the statements that mention a renamed name: here a
    // method after a gap, whose class the first pass closed before the gap.
    let methods: String = (0..8)
        .map(|i| format!("    def method_{i}(self, value):\n        total = value + {i}\n        return total\n\n"))
        .collect();
    let text = format!("import os\n\n\nclass Account:\n    rate = 1\n\n{methods}\ndef helper():\n    return os.sep\n");
    let rows = |ranges: &[Range<usize>]| python::chunks::Selection {
        rows: ranges.to_vec(),
        ..Default::default()
    };
    let first = rows(&[3..5, 6..9]);
    let second = rows(&[3..5, 6..9, 26..29]);
    let earlier = python::parse_rows(&text, Some(&first)).unwrap();
    let reused = python::reparse(&earlier, &text, Some(&second), &[]).unwrap();
    let fresh = python::parse_rows(&text, Some(&second)).unwrap();
    assert_eq!(reused.tree.root_node().to_sexp(), fresh.tree.root_node().to_sexp());
}

/// Real modules edited at random, line by line: labels from a partial parse
/// must equal labels from a whole parse, edit after edit.
#[test]
fn partial_and_whole_parses_agree_on_random_edits() {
    let seeds = [
        include_str!("../../testdata/stdlib/heapq.py"),
        include_str!("../../testdata/stdlib/textwrap.py"),
        include_str!("../../testdata/stdlib/shlex.py"),
        include_str!("../../testdata/stdlib/fnmatch.py"),
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut partial_runs = 0;
    let mut partial_moves = 0;
    let mut split_functions = 0;
    for round in 0..320 {
        let source = seeds[round % seeds.len()];
        let mut lines: Vec<String> = source.lines().map(str::to_owned).collect();
        for _ in 0..1 + next(3) {
            let i = next(lines.len());
            match next(9) {
                8 => {
                    let count = 1 + next(12);
                    rename_assigned_name(&mut lines, i, count);
                }
                6 => swap_with_next_definition(&mut lines, i),
                7 => lines.insert(i.min(20), "import sys".to_owned()),
                0 => lines[i] = lines[i].replace("self", "this"),
                1 => lines[i].push_str("  # note"),
                2 => lines.insert(i, String::new()),
                3 => lines[i] = lines[i].replacen(" = ", " =  ", 1),
                4 => lines[i] = lines[i].replace("0", "1"),
                _ => {
                    let indent = lines[i].len() - lines[i].trim_start().len();
                    lines.insert(i, format!("{}\"\"\"Note.\"\"\"", " ".repeat(indent)));
                }
            }
        }
        let edited = lines.join("\n") + "\n";
        let (old, new) = (source.as_bytes(), edited.as_bytes());
        let edits: Vec<(Range<usize>, Range<usize>)> = diff_lines(old, new)
            .runs
            .iter()
            .map(|run| (run.old.clone(), run.new.clone()))
            .collect();
        let fresh = python::parse(&edited).unwrap();
        let reused = python::reparse(&python::parse(source).unwrap(), &edited, None, &edits).unwrap();
        let view = |p: &ParsedSource| {
            p.tokens
                .iter()
                .map(|t| (t.key, t.first_row, t.last_row))
                .collect::<Vec<_>>()
        };
        assert!(
            view(&fresh) == view(&reused),
            "round {round}: a reparse differs from a fresh parse"
        );
        let (old_lines, new_lines) = (split_lines(old), split_lines(new));
        let runs = diff_lines(old, new).runs;
        let chunks = python::chunks::Chunks::scan;
        assert!(
            chunks(source).rescan(&edited, &runs).0 == chunks(&edited),
            "round {round}: a rescan differs from a fresh scan"
        );
        let no_mentions = Mentions::default();
        let touched = Parsing::Touched(&no_mentions);
        let (_, reused) = parse_both(old, new, &runs, (&old_lines, &new_lines), touched, None).unwrap();
        split_functions += usize::from(reused.selection.as_ref().is_some_and(|s| !s.split_functions.is_empty()));
        let fresh = python::parse_rows(&edited, reused.selection.as_ref()).unwrap();
        assert!(
            view(&fresh) == view(&reused),
            "round {round}: a partial reparse differs from a fresh partial parse"
        );
        let whole = classify_whole(old, new, &Context::default());
        let (first, lacking) = classify_parsing(old, new, Language::Python, &Context::default(), touched, &mut None);
        partial_runs += usize::from(lacking == Lacking::Nothing);
        partial_moves += usize::from(lacking == Lacking::Nothing && first.changes.iter().any(|c| c.label == Reorder));
        let touched = classify_in(old, new, Language::Python, &Context::default());
        assert_eq!(whole.marks.old.rows, touched.marks.old.rows, "round {round}");
        assert_eq!(whole.marks.new.rows, touched.marks.new.rows, "round {round}");
        assert_eq!(whole.changes, touched.changes, "round {round}");
    }
    assert!(partial_runs > 100, "only {partial_runs} rounds parsed partially");
    assert!(
        split_functions > 50,
        "only {split_functions} rounds parsed part of a function"
    );
    assert!(
        partial_moves > 5,
        "only {partial_moves} moves judged on a partial parse"
    );
}

/// A long function is parsed in part, but not one that calls `locals()`:
/// a local renamed there changes what the call returns.
#[test]
fn a_local_renamed_in_a_long_function_that_calls_locals_stays_substantive() {
    let mut old = String::from("def render(request):\n    total = count(request)\n");
    for k in 0..30 {
        old += &format!("    step{k} = work({k})\n");
    }
    let renamed = old.replace("total", "subtotal");
    all_labelled(&old, &renamed, Rename);
    let old = old + "    return template(**locals())\n";
    all_labelled(&old, &old.replace("total", "subtotal"), Substantive);
}

/// A statement the diff left alone that spells the old name (in a string)
/// is parsed on both sides in the second pass, not on the old side only:
/// else the comprehensions after it are numbered differently on each side,
/// and a rename inside one looks like a change (Django's `migrate.py`).
#[test]
fn a_local_renamed_in_a_comprehension_of_a_long_method_is_a_rename() {
    let mut old = String::from(
        "class Command:\n    def handle(self, plan):\n        names = \", \".join(\"%s migration %s\" % (a, n) for a, n in plan)\n",
    );
    for k in 0..30 {
        old += &format!("        step{k} = self.work({k})\n");
    }
    old += "        migration = plan[0]\n        pruned = sorted(migration for migration in plan if migration[0])\n";
    old += "        return migration, pruned, names\n\n    def other(self):\n        return 1\n";
    let new = old
        .replace("migration = plan", "migration_value = plan")
        .replace(
            "sorted(migration for migration in plan if migration[0])",
            "sorted(m for m in plan if m[0])",
        )
        .replace("return migration,", "return migration_value,");
    let first_pass = old_side_of_touched_parse(old.as_bytes(), new.as_bytes(), &Mentions::default());
    assert!(first_pass.in_split_function(35), "the method is parsed in part");
    all_labelled(&old, &new, Rename);
}

/// Locals of long functions renamed in some or all of their uses: a parse
/// of part of a function must label them as a whole parse does (a use left
/// in a statement it skipped keeps the edit substantive).
#[test]
fn partial_and_whole_parses_agree_on_renamed_locals() {
    let seeds = [
        include_str!("../../testdata/stdlib/heapq.py"),
        include_str!("../../testdata/stdlib/textwrap.py"),
        include_str!("../../testdata/stdlib/shlex.py"),
    ];
    let assigned = regex::Regex::new(r"^\s+[A-Za-z_]\w* = ").unwrap();
    let (mut split, mut renamed) = (0, 0);
    for source in seeds {
        let lines: Vec<String> = source.lines().map(str::to_owned).collect();
        let assignments = (0..lines.len()).filter(|&i| assigned.is_match(&lines[i]));
        for (k, i) in assignments.enumerate().filter(|(k, _)| k % 2 == 0) {
            let mut edited = lines.clone();
            rename_assigned_name(&mut edited, i, [1, 4, 30, lines.len()][k / 2 % 4]);
            let edited = edited.join("\n") + "\n";
            let (old, new) = (source.as_bytes(), edited.as_bytes());
            split += usize::from(
                !old_side_of_touched_parse(old, new, &Mentions::default())
                    .selection
                    .is_none_or(|s| s.split_functions.is_empty()),
            );
            let whole = classify_whole(old, new, &Context::default());
            let touched = classify_in(old, new, Language::Python, &Context::default());
            renamed += usize::from(touched.changes.iter().any(|c| c.label == Rename));
            assert_eq!(whole.marks.old.rows, touched.marks.old.rows, "line {i}");
            assert_eq!(whole.marks.new.rows, touched.marks.new.rows, "line {i}");
            // Not the messages: a comprehension's number in its function
            // counts only the comprehensions parsed.
            let places = |analysis: &Analysis| -> Vec<_> {
                analysis
                    .changes
                    .iter()
                    .map(|c| (c.label, c.old.clone(), c.new.clone()))
                    .collect()
            };
            assert_eq!(places(&whole), places(&touched), "line {i}");
        }
    }
    assert!(split > 30, "only {split} renames parsed part of a function");
    assert!(renamed > 10, "only {renamed} edits were renames");
}

/// Renames the name that line `from` assigns (`name = ...`) on that line and
/// the `count - 1` lines after it, as an agent renames a local by hand: all
/// its uses, or only some.
fn rename_assigned_name(lines: &mut [String], from: usize, count: usize) {
    let assigned = regex::Regex::new(r"^\s+([A-Za-z_]\w*) = ").unwrap();
    let Some(name) = assigned.captures(&lines[from]).map(|c| c[1].to_owned()) else {
        return;
    };
    let word = regex::Regex::new(&format!(r"\b{name}\b")).unwrap();
    for line in lines.iter_mut().skip(from).take(count) {
        *line = word.replace_all(line, format!("{name}_2")).into_owned();
    }
}

/// Swaps the definition starting at or after line `from` with the next one
/// of its body (the line diff then removes one and adds it elsewhere).
fn swap_with_next_definition(lines: &mut Vec<String>, from: usize) {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let is_definition = |line: &str| line.trim_start().starts_with("def ");
    let Some(first) = (from..lines.len()).find(|&i| is_definition(&lines[i])) else {
        return;
    };
    let level = indent(&lines[first]);
    let block_end = |start: usize| {
        (start + 1..lines.len())
            .find(|&i| !lines[i].trim().is_empty() && indent(&lines[i]) <= level)
            .unwrap_or(lines.len())
    };
    let second = block_end(first);
    if second == lines.len() || indent(&lines[second]) != level || !is_definition(&lines[second]) {
        return;
    }
    let end = block_end(second);
    let (a, b) = (lines[first..second].to_vec(), lines[second..end].to_vec());
    lines.splice(first..end, b.into_iter().chain(a));
}

#[test]
fn a_partial_parse_still_sees_keyword_callers_of_a_renamed_parameter() {
    let filler: String = (0..60)
        .map(|i| format!("def pad{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let old = format!("def _f(size):\n    return size * 2\n\n\n{filler}RESULT = _f(size=3)\n");
    let new = format!("def _f(n):\n    return n * 2\n\n\n{filler}RESULT = _f(size=3)\n");
    all_labelled(&old, &new, Substantive);
    let fixed = new.replace("_f(size=3)", "_f(n=3)");
    all_labelled(&old, &fixed, Rename);
}

#[test]
fn imports_merged_split_or_sorted_like_isort_are_reorder() {
    let old = "from os import path\nfrom os import sep\nimport sys, json\n\nx = 1\n";
    let new = "import json\nimport sys\nfrom os import path, sep\n\nx = 1\n";
    all_labelled(old, new, Reorder);
}

#[test]
fn an_import_that_changes_what_is_imported_is_substantive() {
    all_labelled(
        "from os import path\nfrom os import sep\n",
        "from os import path, sep, getcwd\n",
        Substantive,
    );
    all_labelled("import a.b\n", "import a.c\n", Substantive);
    all_labelled("from m import a as b\n", "from n import a as b\n", Substantive);
}

#[test]
fn a_comment_the_line_diff_moves_past_blank_lines_is_formatting() {
    let old = "import os\n\n\n# --- helpers\n\ndef f():\n    pass\n";
    let new = "import os\n\n# --- helpers\n\n\ndef f():\n    pass\n";
    all_labelled(old, new, Formatting);
}

#[test]
fn a_changed_import_is_judged_on_every_use_of_its_names_without_a_whole_parse() {
    let filler: String = (0..60)
        .map(|i| format!("def pad{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let tail = "def annotated(x: Mapping) -> None:\n    pass\n\n\nCODE = Sequence\n";
    let old = format!("from typing import Mapping, Sequence\n\n\n{filler}{tail}");
    let new = format!("from typing import Mapping, Sequence, Set\n\n\n{filler}{tail}");
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let context = Context::default();
    let (touched, lacking) = classify_parsing(
        old,
        new,
        Language::Python,
        &context,
        Parsing::Touched(&Mentions::default()),
        &mut None,
    );
    // `CODE = Sequence`, left out, can only be code: no second pass.
    let whole = classify_whole(old, new, &context);
    assert_eq!(touched.changes, whole.changes);
    assert_eq!(lacking, Lacking::Nothing);
    assert!(
        touched.changes.iter().all(|change| change.label == Substantive),
        "{:?}",
        touched.changes
    );
}

#[test]
fn an_import_used_only_in_annotations_far_away_is_found_by_a_mention_pass() {
    let filler: String = (0..60)
        .map(|i| format!("def pad{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let tail = "def annotated(x):\n    y: Mapping = x\n    return y\n";
    let old = format!("import os\n\n\n{filler}{tail}");
    let new = format!("import os\nfrom typing import Mapping\n\n\n{filler}{tail}");
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let context = Context::default();
    let touched = classify_in(old, new, Language::Python, &context);
    let whole = classify_whole(old, new, &context);
    assert_eq!(touched.changes, whole.changes);
    assert_eq!(touched.changes[0].label, Annotation, "{:?}", touched.changes);
    let used_in_code = String::from_utf8_lossy(new).replace("y: Mapping = x", "y = Mapping(x)");
    let old_code = String::from_utf8_lossy(old).replace("y: Mapping = x", "y = Mapping(x)");
    let touched = classify_in(old_code.as_bytes(), used_in_code.as_bytes(), Language::Python, &context);
    assert_eq!(touched.changes[0].label, Substantive, "{:?}", touched.changes);
}
