#!/usr/bin/env python3
"""Accuracy on real code: known edits applied to real Python modules.

Copies Python modules (by default the running Python's standard library, or
every `*.py` file under each --source folder) into one fresh git repository,
commits them, applies exactly one known edit per file, runs
`diffscore --worktree --format json` once, and compares the label of every
line git changed with the label the label rules give that edit.

    python3 benches/accuracy/mutate.py [--diffscore PATH] [--files N] [--seed S] [-v] [--keep]
    python3 benches/accuracy/mutate.py --source DIR [--source DIR ...]   # e.g. Django and DRF together
    python3 benches/accuracy/mutate.py --formatter black   # every changed line must be formatting
    python3 benches/accuracy/mutate.py --only fix_plus_rename --only swap -v

--source DIR takes the modules from DIR recursively (every `*.py` file, sorted,
then shuffled by the seed) instead of the standard library. Each keeps its path
under DIR below a folder named like DIR (`django/db/models/query.py`), so
module paths are realistic; give --source more than once to put several
packages in one repository. Without it the modules are the standard library's
top-level ones, copied flat as `m000_<name>.py`.

The edits, which take turns (each takes the next module it applies to), and
the label every changed line should get:

    rename_local                 a function's local (not a parameter) and its uses    rename
    rename_function              a public top-level function and its uses            substantive
    rename_private_function      a `_private` top-level function and its uses        rename, or substantive
                                 when another file of the repository spells the old name after the edit
    fix_plus_rename              a local renamed and a comparison reading it flipped  rename, and substantive
                                 (`<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=`)          on the flipped line
    swap                         two adjacent undecorated functions or methods        reorder
    add_docstring                a docstring under an existing function               docstring
    add_function_with_docstring  a new function, docstring included, at the end       substantive
    edit_docstring               a word of a docstring upper-cased                    docstring
    add_comment                  a comment alone above an unchanged statement         comment
    rewrap_call                  a one-line call split one argument a line            formatting
    quotes                       'text' -> "text"                                     formatting
    annotate                     `: object` parameters and `-> object`                annotation
    behaviour                    a comparison operator flipped                        substantive

A blank changed line takes the label of the nearest non-blank changed line of
its run (same side first). Each edit is checked before use (the renamed tree is
the old one with the name changed, a re-wrap keeps tokens and tree, and so on).

--formatter NAME instead runs a formatter over each whole module (a module of
the running Python, `python3 -m NAME`, or else a command on PATH or a path to
one, e.g. /tmp/venv/bin/black); every changed line must then be `formatting`.

Prints per-label precision and recall, the recall of each noise label, the
false-noise rate (substantive lines called noise), the missed-noise rate (noise
called substantive), the confusion of expected and given labels, the mean
per-file score error, and one accuracy line per edit. -v lists every mismatch
(and any line diffscore labels that git did not change); --keep keeps the
repository and prints its path; --only NAME runs only the named edits. Needs
git and python3 only.
"""

import argparse
import ast
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tokenize
from collections import Counter, defaultdict
from importlib.util import find_spec

LABELS = ["substantive", "rename", "reorder", "docstring", "comment", "formatting", "annotation"]
NOISE = LABELS[1:]
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
FSTRING_END = getattr(tokenize, "FSTRING_END", None)


class Expected:
    """The label every changed line of one file should get: `default`, except the lines listed per side
    (`old`, `new`: line number -> label). `unless_elsewhere` names a module-level name whose rename is
    only noise when no other file of the repository spells it (resolved once every file is chosen)."""

    def __init__(self, default, old=None, new=None, unless_elsewhere=None):
        self.default, self.unless_elsewhere = default, unless_elsewhere
        self.lines = {"old": dict(old or {}), "new": dict(new or {})}

    def label(self, side, number):
        return self.lines[side].get(number, self.default)


# Source helpers. Lines are split on "\n" only, as ast, tokenize and git count them (str.splitlines also
# splits on form feeds and other separators that some modules contain).

def lines_of(source):
    parts = source.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def offsets(source):
    starts, total = [], 0
    for line in lines_of(source):
        starts.append(total)
        total += len(line)
    starts.append(total)
    return starts


def char_col(line, byte_col):
    """ast columns count UTF-8 bytes; strings count characters."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def tokens(source):
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def identifiers(source):
    return {t.string for t in tokens(source) if t.type == tokenize.NAME}


def whole_word(name):
    return re.compile(r"(?<!\w)%s(?!\w)" % re.escape(name))


def starts_its_line(lines, node):
    line = lines[node.lineno - 1]
    return not line[: char_col(line, node.col_offset)].strip()


def functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, FUNCTIONS)]


def is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def has_docstring(node):
    return bool(node.body) and is_docstring(node.body[0])


def all_args(args):
    return args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]


def scope_walk(nodes):
    """Every node under `nodes`, not entering comprehensions (their variables have their own scope)."""
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, COMPREHENSIONS):
            todo.extend(ast.iter_child_nodes(node))


def imported_words(tree):
    """Every name an import statement spells: module path parts, imported names, aliases."""
    words = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            words.update(node.module.split("."))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                words.update(alias.name.split("."))
                words.add(alias.asname or "")
    return words


def bindings(tree, name):
    """How many places bind `name` anywhere in the module (definitions, assignments, parameters, ...)."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            count += 1
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and node.id == name:
            count += 1
        elif isinstance(node, ast.arg) and node.arg == name:
            count += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            count += 1
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name == name:
            count += 1
    return count


def dump(source_or_tree):
    tree = ast.parse(source_or_tree) if isinstance(source_or_tree, str) else source_or_tree
    return ast.dump(tree)


def parses(source):
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError):
        return False


def without_docstrings(source):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef) + FUNCTIONS) and has_docstring(node):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def without_annotations(source):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, FUNCTIONS):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
    return ast.dump(tree)


def layout_free_tokens(source):
    """The tokens without layout: no comments, line ends or indents, nor a comma before a closing bracket."""
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}
    kept = [t.string for t in tokens(source) if t.type not in skip]
    return [s for i, s in enumerate(kept) if not (s == "," and i + 1 < len(kept) and kept[i + 1] in ")]}")]


def is_fstring(token):
    return token.type == tokenize.STRING and "f" in re.match(r"[A-Za-z]*", token.string).group().lower()


def rename_in_range(source, old, new, first_line, last_line):
    """Renames the NAME tokens `old` of lines [first_line, last_line] to `new`, leaving attributes
    (`x.old`) alone. None when that could not be a clean rename: `old` is a keyword argument or a class
    pattern's keyword there, or it is spelled inside an f-string there."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        keywords = [node.arg] if isinstance(node, ast.keyword) else getattr(node, "kwd_attrs", [])
        if old in keywords and first_line <= node.lineno <= last_line:
            return None
    code = [t for t in tokens(source) if t.type not in (tokenize.NL, tokenize.COMMENT)]
    starts = offsets(source)
    edits, fstring_depth = [], 0
    for i, tok in enumerate(code):
        if FSTRING_START is not None and tok.type == FSTRING_START:
            fstring_depth += 1
        elif FSTRING_END is not None and tok.type == FSTRING_END:
            fstring_depth -= 1
        if not first_line <= tok.start[0] <= last_line:
            continue
        if is_fstring(tok) and whole_word(old).search(tok.string):
            return None
        if tok.type != tokenize.NAME or tok.string != old:
            continue
        if fstring_depth:
            return None
        if i and code[i - 1].string == ".":
            continue
        edits.append(starts[tok.start[0] - 1] + tok.start[1])
    if not edits:
        return None
    for at in reversed(edits):
        source = source[:at] + new + source[at + len(old):]
    return source if parses(source) else None


def renamed_only(before, after, old, new):
    """The two sides have the same tree once `new` is read as `old`."""
    return dump(after).replace("'%s'" % new, "'%s'" % old) == dump(before)


# Renames.

def local_renames(source, tree, rng):
    """(function, locals a clean rename can take) for functions in random order: names assigned in the
    function's own scope, not parameters, not imported, where nothing can see the name from outside."""
    taken = identifiers(source)
    lines = lines_of(source)
    for fn in rng.sample(functions(tree), len(functions(tree))):
        inner = list(scope_walk(fn.body))
        if any(isinstance(n, SCOPES + (ast.Global, ast.Nonlocal)) for n in inner):
            continue
        called = {n.func.id for n in inner if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        called |= {n.attr for n in inner if isinstance(n, ast.Attribute)}
        if called & {"locals", "vars", "dir", "eval", "exec", "_getframe"} or not starts_its_line(lines, fn.body[0]):
            continue  # something may read the locals by name
        stored = {n.id for n in inner if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        params = {a.arg for a in all_args(fn.args)}
        imported = imported_words(fn)
        candidates = sorted(n for n in stored - params - imported if len(n) > 1 and n + "_value" not in taken and n != fn.name)
        if candidates:
            yield fn, candidates


def mutate_rename_local(source, tree, rng):
    for fn, candidates in local_renames(source, tree, rng):
        old = rng.choice(candidates)
        out = rename_in_range(source, old, old + "_value", fn.body[0].lineno, fn.end_lineno)
        if out and renamed_only(source, out, old, old + "_value"):
            return out, Expected("rename")
    return None


def module_function_renames(source, tree, rng, private):
    """(old name, renamed source) for top-level functions renamed with every use in the file: public ones
    (no leading underscore) or private ones (one leading underscore). The name must be bound only by its
    `def`, not imported, nor spelled in a string, in a module that does not read its names by spelling."""
    taken = identifiers(source)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    module_code = [s for s in tree.body if not isinstance(s, FUNCTIONS + (ast.ClassDef,))]
    at_module_level = {n.func.id for n in scope_walk(module_code) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    if "globals" in called or at_module_level & {"locals", "vars", "dir", "eval", "exec"}:
        return  # something may read the module's names by spelling
    top = [n for n in tree.body if isinstance(n, FUNCTIONS)]
    if private:
        top = [n for n in top if n.name.startswith("_") and not n.name.startswith("__")]
    else:
        top = [n for n in top if not n.name.startswith("_")]
    for fn in rng.sample(top, len(top)):
        old, new = fn.name, fn.name + "_impl"
        if new in taken or bindings(tree, old) != 1 or old in imported_words(tree):
            continue
        if re.search(r"['\"]%s['\"]" % re.escape(old), source):
            continue
        out = rename_in_range(source, old, new, 1, len(lines_of(source)))
        if out and renamed_only(source, out, old, new):
            yield old, out


def mutate_rename_function(source, tree, rng):
    """A public module-level function renamed: code outside the diff can call it, so never noise."""
    for _, out in module_function_renames(source, tree, rng, private=False):
        return out, Expected("substantive")
    return None


def mutate_rename_private_function(source, tree, rng):
    """A `_private` module-level function renamed with all its uses: `rename`, unless another file of the
    repository spells the old name (resolved in main). Skipped when the old name is still spelled in the
    file afterwards (a string, a comment, an attribute `x._name`)."""
    for old, out in module_function_renames(source, tree, rng, private=True):
        if not whole_word(old).search(out):
            return out, Expected("rename", unless_elsewhere=old)
    return None


# Behaviour changes.

FLIPS = {ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="), ast.GtE: (">=", ">"),
         ast.Eq: ("==", "!="), ast.NotEq: ("!=", "==")}


def flippable(node):
    return (isinstance(node, ast.Compare) and node.lineno == node.end_lineno and len(node.ops) == 1
            and type(node.ops[0]) in FLIPS)


def flip(source, compare):
    """The source with the operator of a one-line, one-operator comparison flipped (`<` <-> `<=`, ...)."""
    lines = lines_of(source)
    line = lines[compare.lineno - 1]
    low, high = char_col(line, compare.left.end_col_offset), char_col(line, compare.comparators[0].col_offset)
    old, new = FLIPS[type(compare.ops[0])]
    gap = re.fullmatch(r"([\s()]*)%s([\s()]*)" % re.escape(old), line[low:high])
    if not gap:
        return None
    lines[compare.lineno - 1] = line[:low] + gap.group(1) + new + gap.group(2) + line[high:]
    out = "".join(lines)
    return out if parses(out) and dump(out) != dump(source) else None


def mutate_behaviour(source, tree, rng):
    compares = [c for c in ast.walk(tree) if flippable(c)]
    rng.shuffle(compares)
    for compare in compares:
        out = flip(source, compare)
        if out:
            return out, Expected("substantive")
    return None


def mutate_fix_plus_rename(source, tree, rng):
    """A local renamed everywhere in its function, and a comparison that reads it flipped: the flipped
    line is substantive, every other changed line (only the name differs) is rename."""
    for fn, candidates in local_renames(source, tree, rng):
        body_first = fn.body[0].lineno
        options = [
            (name, c) for name in candidates for c in ast.walk(fn) if flippable(c) and c.lineno >= body_first
            and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(c))
        ]
        if not options:
            continue
        old, compare = rng.choice(options)
        flipped = flip(source, compare)
        out = flipped and rename_in_range(flipped, old, old + "_value", body_first, fn.end_lineno)
        if not out or not renamed_only(flipped, out, old, old + "_value"):
            continue
        before, after = lines_of(source), lines_of(out)
        changed = {i + 1 for i, (a, b) in enumerate(zip(before, after)) if a != b}
        if changed == {compare.lineno}:
            continue  # the name is used on no other line: nothing to tell apart
        fixed = {compare.lineno: "substantive"}
        return out, Expected("rename", old=fixed, new=fixed)
    return None


# Moves.

def block_lines(node):
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def mutate_swap(source, tree, rng):
    """Two adjacent undecorated functions (module level or methods of one class) swapped, bodies unchanged."""
    lines = lines_of(source)
    if not source.endswith("\n"):
        return None
    bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    options = []
    for body in bodies:
        for a, b in zip(body, body[1:]):
            if isinstance(a, FUNCTIONS) and isinstance(b, FUNCTIONS):
                if a.name != b.name and not a.decorator_list and not b.decorator_list:
                    options.append((a, b))
    rng.shuffle(options)
    for a, b in options:
        a_first, a_last = block_lines(a)
        b_first, b_last = block_lines(b)
        between = lines[a_last:b_first - 1]
        if any(line.strip() for line in between):
            continue  # only blank lines may separate them: a comment there belongs to neither
        new_lines = lines[:a_first - 1] + lines[b_first - 1:b_last] + between + lines[a_first - 1:a_last] + lines[b_last:]
        out = "".join(new_lines)
        if parses(out):
            return out, Expected("reorder")
    return None


# Docstrings and comments.

def body_indent(lines, node):
    line = lines[node.body[0].lineno - 1]
    return line[: len(line) - len(line.lstrip())]


def reads_docstrings(source):
    """Whether the module reads docstrings as data when it runs (then a docstring edit is code)."""
    return "__doc__" in source or "import ply" in source or "from ply" in source


def mutate_add_docstring(source, tree, rng):
    """A docstring added to an existing function that had none: docstring, whatever the function."""
    if reads_docstrings(source):
        return None
    lines = lines_of(source)
    fns = [f for f in functions(tree) if not has_docstring(f) and f.body[0].lineno > f.lineno and starts_its_line(lines, f.body[0])]
    rng.shuffle(fns)
    for fn in fns:
        indent = body_indent(lines, fn)
        at = fn.body[0].lineno - 1
        while at > fn.lineno and lines[at - 1].strip().startswith("#"):
            at -= 1
        text = '%s"""Return the result of %s."""\n' % (indent, fn.name.strip("_").replace("_", " "))
        out = "".join(lines[:at] + [text] + lines[at:])
        if parses(out) and without_docstrings(out) == without_docstrings(source):
            return out, Expected("docstring")
    return None


def mutate_add_function_with_docstring(source, tree, rng):
    """A new function, docstring included, appended to the module: new code, every line substantive."""
    taken = identifiers(source)
    name = next("added_helper_%d" % i for i in range(1000) if "added_helper_%d" % i not in taken)
    text = '\n\ndef %s(value):\n    """Return the value unchanged."""\n    return value\n' % name
    return source + ("" if source.endswith("\n") else "\n") + text, Expected("substantive")


def mutate_edit_docstring(source, tree, rng):
    """One word of a function's docstring (its first line) upper-cased; the code is unchanged."""
    if reads_docstrings(source):
        return None
    lines = lines_of(source)
    fns = [f for f in functions(tree) if has_docstring(f)]
    rng.shuffle(fns)
    for fn in fns:
        doc = fn.body[0].value
        line = lines[doc.lineno - 1]
        start = char_col(line, doc.col_offset)
        end = char_col(line, doc.end_col_offset) if doc.end_lineno == doc.lineno else len(line)
        words = [m for m in re.finditer(r"(?<=\s)[a-z]{4,}\b", line[start:end])]
        if not words:
            continue
        word = rng.choice(words)
        at = start + word.start()
        lines[doc.lineno - 1] = line[:at] + word.group().upper() + line[at + len(word.group()):]
        out = "".join(lines)
        if parses(out) and without_docstrings(out) == without_docstrings(source) and dump(out) != dump(source):
            return out, Expected("docstring")
        lines = lines_of(source)
    return None


def mutate_add_comment(source, tree, rng):
    """A comment alone above an unchanged one-line statement of a function body."""
    lines = lines_of(source)
    statements = [
        s for f in functions(tree) for s in f.body[1:]
        if s.lineno == s.end_lineno and not getattr(s, "decorator_list", None) and starts_its_line(lines, s)
    ]
    if not statements:
        return None
    stmt = rng.choice(statements)
    line = lines[stmt.lineno - 1]
    indent = line[: len(line) - len(line.lstrip())]
    out = "".join(lines[: stmt.lineno - 1] + ["%s# note: keep this step\n" % indent] + lines[stmt.lineno - 1:])
    return (out, Expected("comment")) if parses(out) and dump(out) == dump(source) else None


# Layout and annotations.

def mutate_rewrap_call(source, tree, rng):
    """A one-line call split into one argument per line with a trailing comma: same tokens, same tree."""
    lines = lines_of(source)
    calls = [
        c for c in ast.walk(tree)
        if isinstance(c, ast.Call) and c.lineno == c.end_lineno and len(c.args) + len(c.keywords) >= 2
        and not any(isinstance(a, ast.Starred) for a in c.args) and all(k.arg for k in c.keywords)
    ]
    rng.shuffle(calls)
    for call in calls:
        line = lines[call.lineno - 1]
        if line.count("(") > 4 or "#" in line or "lambda" in line:
            continue
        start, end = char_col(line, call.func.end_col_offset), char_col(line, call.end_col_offset)
        if line[start:start + 1] != "(" or line[end - 1:end] != ")":
            continue
        indent = line[: len(line) - len(line.lstrip())]
        parts = [ast.get_source_segment(source, a) for a in call.args]
        parts += ["%s=%s" % (k.arg, ast.get_source_segment(source, k.value)) for k in call.keywords]
        if any(p is None or "\n" in p for p in parts):
            continue
        inner = "".join("%s    %s,\n" % (indent, p) for p in parts)
        rewrapped = lines[:call.lineno - 1] + [line[: start + 1] + "\n" + inner + indent + line[end - 1:]] + lines[call.lineno:]
        out = "".join(rewrapped)
        if parses(out) and dump(out) == dump(source) and layout_free_tokens(out) == layout_free_tokens(source):
            return out, Expected("formatting")
    return None


def mutate_quotes(source, tree, rng):
    """One simple string's single quotes changed to double quotes: the same value spelled differently."""
    strings = [t for t in tokens(source) if t.type == tokenize.STRING and re.fullmatch(r"'[A-Za-z0-9 _.,:-]*'", t.string)]
    if not strings:
        return None
    tok = rng.choice(strings)
    lines = lines_of(source)
    line = lines[tok.start[0] - 1]
    lines[tok.start[0] - 1] = line[: tok.start[1]] + '"' + tok.string[1:-1] + '"' + line[tok.end[1]:]
    out = "".join(lines)
    return (out, Expected("formatting")) if parses(out) and dump(out) == dump(source) else None


# Decorators and calls that read annotations when the program runs: there an annotation is code (SPEC).
ANNOTATION_READING_DECORATORS = {"register", "singledispatch", "singledispatchmethod", "validate_call",
                                 "validate_arguments", "get", "post", "put", "patch", "delete", "api_route",
                                 "websocket", "command", "callback", "typechecked", "beartype"}


def decorator_names(fn):
    """The last name of each decorator of a function (`app.get(...)` → `get`)."""
    for decorator in fn.decorator_list:
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        yield node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def mutate_annotate(source, tree, rng):
    """`: object` on the positional parameters and `-> object` on a one-line signature, nothing else;
    not where annotations are read when the program runs."""
    if any(reader in source for reader in ("get_type_hints", "__annotations__", "get_annotations")):
        return None
    lines = lines_of(source)
    fns = [
        f for f in functions(tree)
        if f.returns is None and f.args.args and all(a.annotation is None for a in f.args.args)
        and f.lineno == f.body[0].lineno - 1 and not f.args.vararg and not f.args.kwarg
        and not set(decorator_names(f)) & ANNOTATION_READING_DECORATORS
    ]
    rng.shuffle(fns)
    for fn in fns:
        line = lines[fn.lineno - 1]
        new = line
        for arg in fn.args.args:
            if arg.arg in ("self", "cls"):
                continue
            new = re.sub(r"(?<=[(, ])%s(?=[,)=])" % re.escape(arg.arg), "%s: object" % arg.arg, new, count=1)
        new = re.sub(r"\):\s*$", ") -> object:\n", new)
        if new == line:
            continue
        new = new.replace(": object=", ": object = ")
        out = "".join(lines[:fn.lineno - 1] + [new] + lines[fn.lineno:])
        if parses(out) and without_annotations(out) == without_annotations(source):
            return out, Expected("annotation")
    return None


def formatter_command(formatter):
    """How to run the formatter: as a module of this Python, else as a command on PATH or a path."""
    if "/" not in formatter and find_spec(formatter):
        return [sys.executable, "-m", formatter]
    found = shutil.which(formatter)
    if not found:
        sys.exit("formatter %r is neither a module of %s nor a command" % (formatter, sys.executable))
    return [found]


def formatted(command, source):
    """The source run through the formatter: every changed line is layout."""
    done = subprocess.run(command + ["-q", "-"], input=source, capture_output=True, text=True)
    return (done.stdout, Expected("formatting")) if done.returncode == 0 else None


MUTATIONS = [
    mutate_rename_local, mutate_rename_function, mutate_rename_private_function, mutate_fix_plus_rename,
    mutate_swap, mutate_add_docstring, mutate_add_function_with_docstring, mutate_edit_docstring,
    mutate_add_comment, mutate_rewrap_call, mutate_quotes, mutate_annotate, mutate_behaviour,
]


# The run.

def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")).stdout


def candidate_modules(sources, rng):
    """(path on disk, name in the repository) of every module to try, sorted then shuffled by the seed.
    Names from --source keep their path under a folder named like the source (made unique)."""
    if not sources:
        stdlib = sysconfig.get_paths()["stdlib"]
        names = sorted(f for f in os.listdir(stdlib) if f.endswith(".py"))
        rng.shuffle(names)
        return [(os.path.join(stdlib, name), name) for name in names]
    found, prefixes = [], set()
    for root in sources:
        root = os.path.abspath(root)
        prefix = base = os.path.basename(root.rstrip(os.sep)) or "source"
        while prefix in prefixes:
            prefix += "_"
        prefixes.add(prefix)
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    found.append((path, os.path.join(prefix, os.path.relpath(path, root)).replace(os.sep, "/")))
        if not any(name.startswith(prefix + "/") for _, name in found):
            sys.exit("no *.py file under %s (%s)" % (root, base))
    found.sort(key=lambda pair: pair[1])
    rng.shuffle(found)
    return found


def choose_plans(modules, mutations, files, flat, rng):
    """Up to `files` edited modules, the mutations taking turns: each turn's mutation takes the first
    module not used yet where it applies (reading more modules as needed), so that a mutation that
    fits few modules (a private function to rename) neither starves nor uses up the others' modules."""
    plans, pending, failed, spent = [], [], set(), set()
    modules = iter(modules)

    def read_more():
        for disk_path, name in modules:
            try:
                with open(disk_path, encoding="utf-8") as handle:
                    source = handle.read()
                pending.append((name, source, ast.parse(source)))
                return True
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
        return False

    turn = 0
    while len(plans) < files and len(spent) < len(mutations):
        mutation = mutations[turn % len(mutations)]
        turn += 1
        if mutation in spent:
            continue
        index = 0
        while True:
            if index == len(pending) and not read_more():
                spent.add(mutation)
                break
            name, source, tree = pending[index]
            result = None if (name, mutation) in failed else mutation(source, tree, rng)
            if not result or result[0] == source:
                failed.add((name, mutation))
                index += 1
                continue
            del pending[index]
            target = "m%03d_%s" % (len(plans), name) if flat else name
            plans.append({"target": target, "source": source, "after": result[0], "expected": result[1],
                          "mutation": mutation.__name__, "ambiguous": False})
            break
    return plans


def git_hunks(repo):
    """{path: [{"old": (start, count), "new": (start, count)}]}: the runs of changed lines `git diff` shows
    for the work tree, with git's default context (`git diff -U0` trims the files' common tail before
    diffing, so its hunks can differ from what `git diff` and `--numstat` show)."""
    hunks, path, run = defaultdict(list), None, None
    old_line = new_line = 0
    for line in git(repo, "diff", "--no-color", "--no-ext-diff", "--no-renames").splitlines():
        if line.startswith("diff --git "):
            path, run = None, None
        elif path is None and line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
        elif line.startswith("@@ ") and path:
            numbers = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line).groups()
            old_line = int(numbers[0]) + (numbers[1] == "0")
            new_line = int(numbers[2]) + (numbers[3] == "0")
            run = None
        elif path and line[:1] in ("-", "+"):
            if run is None:
                run = {"old": (old_line, 0), "new": (new_line, 0)}
                hunks[path].append(run)
            side = "old" if line[0] == "-" else "new"
            start, count = run[side]
            run[side] = (start, count + 1)
            if side == "old":
                old_line += 1
            else:
                new_line += 1
        elif path and line[:1] == " ":
            old_line, new_line, run = old_line + 1, new_line + 1, None
    return hunks


def expected_lines(plan, hunks):
    """{(side, line): label} for every line git changed in the file. A blank line not named by the edit
    takes the label of the nearest non-blank changed line of its hunk, same side first."""
    text = {"old": lines_of(plan["source"]), "new": lines_of(plan["after"])}
    expected = plan["expected"]
    want = {}
    for hunk in hunks:
        rows = {side: range(start, start + count) for side, (start, count) in hunk.items()}
        solid = {side: [n for n in rows[side] if text[side][n - 1].strip() or n in expected.lines[side]] for side in rows}
        for side, other in (("old", "new"), ("new", "old")):
            for n in rows[side]:
                if n in solid[side]:
                    want[side, n] = expected.label(side, n)
                elif solid[side]:
                    near = min(solid[side], key=lambda m: (abs(m - n), m > n))
                    want[side, n] = expected.label(side, near)
                elif solid[other]:
                    offset = n - rows[side].start
                    near = min(solid[other], key=lambda m: (abs(m - rows[other].start - offset), m))
                    want[side, n] = expected.label(other, near)
                else:
                    want[side, n] = expected.default
    return want


def resolve_elsewhere(plans):
    """A private function's rename is `rename` only when no other file of the repository spells the old
    name after the edit; `substantive` when one does. A file that spelled it before and renamed it the
    same way (its own `_name` -> `_name_impl`) does not count: the same diff renamed those uses too. A
    file that lost the old spelling otherwise leaves the SPEC no clear answer: that plan is not scored."""
    for plan in plans:
        old = plan["expected"].unless_elsewhere
        if not old:
            continue
        was, now = whole_word(old), whole_word(old + "_impl")
        others = [p for p in plans if p is not plan]
        if any(was.search(p["after"]) for p in others):
            plan["expected"].default = "substantive"
        elif any(was.search(p["source"]) and not now.search(p["after"]) for p in others):
            plan["ambiguous"] = True


def ranges(numbers):
    numbers, runs = sorted(numbers), []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in runs)


def percent(part, whole):
    return 100.0 * part / whole if whole else 100.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", action="append", metavar="DIR", help="take the modules from DIR, recursively (repeatable)")
    parser.add_argument("--only", action="append", metavar="MUTATION", help="run only this mutation (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the repository and print its path")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    parser.add_argument("--formatter", help="a formatter run over each whole module (e.g. black)")
    options = parser.parse_args()
    diffscore = options.diffscore
    if not os.path.exists(diffscore):
        diffscore = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", options.diffscore)
    mutations = [m for m in MUTATIONS if not options.only or m.__name__ in options.only or m.__name__[7:] in options.only]
    if not mutations:
        sys.exit("--only names none of: %s" % " ".join(m.__name__ for m in MUTATIONS))
    rng = random.Random(options.seed)

    if options.formatter:
        command = formatter_command(options.formatter)

        def run_formatter(source, tree, rng):
            return formatted(command, source)
        mutations = [run_formatter]
    plans = choose_plans(candidate_modules(options.source, rng), mutations, options.files, not options.source, rng)
    resolve_elsewhere(plans)

    repo = tempfile.mkdtemp(prefix="diffscore-mutate-")
    git(repo, "init", "-q")
    for phase in ("source", "after"):
        for plan in plans:
            path = os.path.join(repo, plan["target"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(plan[phase])
        if phase == "source":
            git(repo, "add", "-A")
            git(repo, "commit", "-qm", "base")
    out = subprocess.run([os.path.abspath(diffscore), "--worktree", "--format", "json", "--max-noise", "100"],
                         cwd=repo, capture_output=True, text=True)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit("diffscore failed (exit %d): %s" % (out.returncode, out.stderr.strip()[-2000:]))
    by_path = {f["path"]: f for f in report["files"]}
    hunks = git_hunks(repo)

    confusion = defaultdict(Counter)  # expected -> given -> lines
    per_mutation = defaultdict(Counter)
    score_error, scored, missing, ambiguous, strays = 0, 0, 0, 0, 0
    for plan in plans:
        file = by_path.get(plan["target"])
        if plan["ambiguous"]:
            ambiguous += 1
            continue
        if file is None:
            missing += 1
            print("%s (%s): not in diffscore's report" % (plan["target"], plan["mutation"]))
            continue
        want = expected_lines(plan, hunks[plan["target"]])
        given = {}
        for change in file["changes"]:
            for side in ("old", "new"):
                for a, b in change[side]:
                    for n in range(a, b + 1):
                        given[side, n] = change["label"]
        strays += len(given.keys() - want.keys())
        wrong = defaultdict(lambda: defaultdict(list))
        for key, label in want.items():
            got = given.get(key, "(none)")
            confusion[label][got] += 1
            per_mutation[plan["mutation"]][got == label] += 1
            if got != label:
                wrong[label, got][key[0]].append(key[1])
        per_mutation[plan["mutation"]]["files"] += 1
        per_mutation[plan["mutation"]]["files right"] += not wrong
        truth = round(percent(sum(label != "substantive" for label in want.values()), len(want))) if want else 0
        score_error += abs(truth - file["score"])
        scored += 1
        if options.verbose:
            for key, label in sorted(given.items()):
                if key not in want:
                    print("%s (%s): %s line %d labelled %s, but git did not change it" % (plan["target"], plan["mutation"], key[0], key[1], label))
            for (label, got), sides in sorted(wrong.items()):
                where = "; ".join("%s %s" % (side, ranges(numbers)) for side, numbers in sorted(sides.items()))
                print("%s (%s): expected %s, got %s: %s" % (plan["target"], plan["mutation"], label, got, where))

    total = sum(sum(c.values()) for c in confusion.values())
    correct = sum(confusion[l][l] for l in LABELS)
    print("\n%d files (%d scored), %d changed lines, accuracy %.2f%%" % (len(plans), scored, total, percent(correct, total)))
    if missing or ambiguous or strays:
        print("%d files missing from the report, %d left out (ambiguous rename), %d labelled lines git did not change"
              % (missing, ambiguous, strays))
    print("%-12s %9s %9s %7s" % ("label", "precision", "recall", "lines"))
    for label in LABELS:
        predicted = sum(confusion[e][label] for e in LABELS)
        actual = sum(confusion[label].values())
        print("%-12s %8.1f%% %8.1f%% %7d" % (label, percent(confusion[label][label], predicted), percent(confusion[label][label], actual), actual))
    print("noise recall: " + ", ".join("%s %.2f%%" % (l, percent(confusion[l][l], sum(confusion[l].values()))) for l in NOISE if confusion[l]))
    substantive = sum(confusion["substantive"].values())
    false_noise = sum(confusion["substantive"][l] for l in NOISE)
    noise = sum(sum(confusion[l].values()) for l in NOISE)
    missed_noise = sum(confusion[l]["substantive"] for l in NOISE)
    print("false-noise rate %.2f%% (%d of %d substantive lines called noise)" % (100.0 - percent(substantive - false_noise, substantive), false_noise, substantive))
    print("missed-noise rate %.2f%% (%d of %d noise lines called substantive)" % (100.0 - percent(noise - missed_noise, noise), missed_noise, noise))
    print("mean |score error| per file %.2f" % (score_error / max(scored, 1)))
    print("confusion (rows expected, columns given):")
    given_labels = LABELS + sorted({g for c in confusion.values() for g in c} - set(LABELS))
    print("  %-12s" % "" + "".join("%12s" % g[:11] for g in given_labels))
    for label in LABELS:
        if confusion[label]:
            print("  %-12s" % label + "".join("%12d" % confusion[label][g] for g in given_labels))
    print("per mutation:")
    for mutation, counts in sorted(per_mutation.items()):
        lines = counts[True] + counts[False]
        print("  %-36s %6.2f%% of %5d lines, %3d of %3d files all right"
              % (mutation, percent(counts[True], lines), lines, counts["files right"], counts["files"]))
    if options.keep:
        print("repository kept: %s" % repo)
    else:
        shutil.rmtree(repo)


if __name__ == "__main__":
    sys.exit(main())
