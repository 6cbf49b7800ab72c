#!/usr/bin/env python3
"""Accuracy on real code: known edits applied to the Python standard library.

Copies modules of the running Python's standard library into a fresh git
repository, commits them, applies exactly one known edit per file (a rename, a
move, a docstring, a comment, a re-wrap, annotations, or a behaviour change),
runs `diffscore --worktree --format json` once, and compares every changed
line's label with the label of the edit that produced it.

    python3 benches/accuracy/mutate.py [--diffscore PATH] [--files N] [--seed S] [-v]
    python3 benches/accuracy/mutate.py --formatter black   # every changed line must be formatting

With --formatter, the edit is instead a whole-file run of a formatter (black,
from PyPI), whose every changed line is expected to be `formatting`.

Prints per-label precision and recall, the false-noise rate (substantive lines
called noise) and the mean per-file score error. Needs git and python3 only.
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

LABELS = ["substantive", "rename", "reorder", "docstring", "comment", "formatting", "annotation"]


def functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def name_tokens(source):
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def offsets(source):
    starts, total = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(total)
        total += len(line)
    starts.append(total)
    return starts


def rename_in_range(source, old, new, first_line, last_line):
    """Renames NAME tokens `old` in [first_line, last_line], skipping attributes and keywords."""
    tokens = name_tokens(source)
    starts = offsets(source)
    edits = []
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.FSTRING_START if hasattr(tokenize, "FSTRING_START") else False:
            return None
        if tok.type == tokenize.STRING and re.search(r"\b%s\b" % re.escape(old), tok.string) and tok.string[:1] in "fF":
            return None
        if tok.type != tokenize.NAME or tok.string != old:
            continue
        if not first_line <= tok.start[0] <= last_line:
            continue
        prev = tokens[i - 1].string if i else ""
        nxt = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if prev == ".":
            continue
        if nxt == "=" and prev in ("(", ","):
            return None  # a keyword argument named like the variable: skip this edit
        edits.append(starts[tok.start[0] - 1] + tok.start[1])
    if not edits:
        return None
    for at in reversed(edits):
        source = source[:at] + new + source[at + len(old):]
    return source


def identifiers(source):
    return {t.string for t in name_tokens(source) if t.type == tokenize.NAME}


def mutate_rename_local(source, tree, rng):
    names_in_file = identifiers(source)
    for fn in rng.sample(functions(tree), len(functions(tree))):
        if any(isinstance(n, (ast.Global, ast.Nonlocal, ast.FunctionDef, ast.Lambda, ast.ClassDef)) and n is not fn for n in ast.walk(fn)):
            continue
        stored = sorted({n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)})
        params = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg not in ("self", "cls")]
        candidates = [n for n in stored if n not in params and len(n) > 1]
        if not candidates:
            continue
        old = rng.choice(candidates)
        new = old + "_value"
        if new in names_in_file:
            continue
        first = fn.body[0].lineno
        out = rename_in_range(source, old, new, first, fn.end_lineno)
        if out:
            return out, "rename"
    return None


def mutate_rename_function(source, tree, rng):
    names_in_file = identifiers(source)
    top = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("__")]
    defined = Counter(n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    for fn in rng.sample(top, len(top)):
        new = fn.name + "_impl"
        if new in names_in_file or defined[fn.name] > 1 or re.search(r"['\"]%s['\"]" % re.escape(fn.name), source):
            continue
        out = rename_in_range(source, fn.name, new, 1, len(source.splitlines()))
        if out:
            return out, "rename"
    return None


def block_lines(node):
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def mutate_swap(source, tree, rng):
    lines = source.splitlines(keepends=True)
    bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    options = []
    for body in bodies:
        for a, b in zip(body, body[1:]):
            if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef)) and isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if a.name != b.name and not a.decorator_list and not b.decorator_list:
                    options.append((a, b))
    if not options:
        return None
    a, b = rng.choice(options)
    a_first, a_last = block_lines(a)
    b_first, b_last = block_lines(b)
    between = lines[a_last:b_first - 1]
    if any(l.strip() and not l.strip().startswith("#") for l in between) or any(l.strip().startswith("#") for l in between):
        return None
    new_lines = lines[:a_first - 1] + lines[b_first - 1:b_last] + between + lines[a_first - 1:a_last] + lines[b_last:]
    return "".join(new_lines), "reorder"


def body_indent(lines, node):
    first = node.body[0].lineno
    line = lines[first - 1]
    return line[: len(line) - len(line.lstrip())]


def has_docstring(node):
    return ast.get_docstring(node, clean=False) is not None


def mutate_add_docstring(source, tree, rng):
    lines = source.splitlines(keepends=True)
    fns = [f for f in functions(tree) if not has_docstring(f) and f.body[0].lineno > f.lineno]
    if not fns:
        return None
    fn = rng.choice(fns)
    indent = body_indent(lines, fn)
    at = fn.body[0].lineno - 1
    while at > fn.lineno and lines[at - 1].strip().startswith("#"):
        at -= 1
    text = '%s"""Return the result of %s."""\n' % (indent, fn.name.strip("_").replace("_", " "))
    return "".join(lines[:at] + [text] + lines[at:]), "docstring"


def mutate_edit_docstring(source, tree, rng):
    lines = source.splitlines(keepends=True)
    fns = [f for f in functions(tree) if has_docstring(f)]
    rng.shuffle(fns)
    for fn in fns:
        doc = fn.body[0]
        line = lines[doc.lineno - 1]
        words = re.findall(r"\b[a-z]{4,}\b", line)
        if not words:
            continue
        word = rng.choice(words)
        lines[doc.lineno - 1] = line.replace(word, word.upper(), 1)
        return "".join(lines), "docstring"
    return None


def mutate_add_comment(source, tree, rng):
    lines = source.splitlines(keepends=True)
    statements = [s for f in functions(tree) for s in f.body[1:] if s.lineno == s.end_lineno]
    if not statements:
        return None
    stmt = rng.choice(statements)
    line = lines[stmt.lineno - 1]
    indent = line[: len(line) - len(line.lstrip())]
    return "".join(lines[: stmt.lineno - 1] + ["%s# note: keep this step\n" % indent] + lines[stmt.lineno - 1:]), "comment"


def mutate_rewrap_call(source, tree, rng):
    lines = source.splitlines(keepends=True)
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
        start = call.func.end_col_offset
        if line[start:start + 1] != "(" or line[call.end_col_offset - 1:call.end_col_offset] != ")":
            continue
        indent = line[: len(line) - len(line.lstrip())]
        parts = [ast.get_source_segment(source, a) for a in call.args]
        parts += ["%s=%s" % (k.arg, ast.get_source_segment(source, k.value)) for k in call.keywords]
        if any(p is None or "\n" in p for p in parts):
            continue
        inner = "".join("%s    %s,\n" % (indent, p) for p in parts)
        new_line = line[: start + 1] + "\n" + inner + indent + line[call.end_col_offset - 1:]
        lines[call.lineno - 1] = new_line
        try:
            ast.parse("".join(lines))
        except SyntaxError:
            return None
        return "".join(lines), "formatting"
    return None


def mutate_quotes(source, tree, rng):
    tokens = [t for t in name_tokens(source) if t.type == tokenize.STRING and re.fullmatch(r"'[A-Za-z0-9 _.,:-]*'", t.string)]
    if not tokens:
        return None
    tok = rng.choice(tokens)
    lines = source.splitlines(keepends=True)
    line = lines[tok.start[0] - 1]
    lines[tok.start[0] - 1] = line[: tok.start[1]] + '"' + tok.string[1:-1] + '"' + line[tok.end[1]:]
    return "".join(lines), "formatting"


def mutate_annotate(source, tree, rng):
    lines = source.splitlines(keepends=True)
    fns = [
        f for f in functions(tree)
        if f.returns is None and f.args.args and all(a.annotation is None for a in f.args.args)
        and f.lineno == f.body[0].lineno - 1 and not f.args.vararg and not f.args.kwarg
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
        lines[fn.lineno - 1] = new
        try:
            ast.parse("".join(lines))
        except SyntaxError:
            return None
        return "".join(lines), "annotation"
    return None


def mutate_behaviour(source, tree, rng):
    lines = source.splitlines(keepends=True)
    compares = [c for c in ast.walk(tree) if isinstance(c, ast.Compare) and c.lineno == c.end_lineno and len(c.ops) == 1 and isinstance(c.ops[0], (ast.Eq, ast.NotEq))]
    if not compares:
        return None
    cmp = rng.choice(compares)
    line = lines[cmp.lineno - 1]
    segment = line[cmp.col_offset:cmp.end_col_offset]
    flipped = segment.replace("==", "!=", 1) if isinstance(cmp.ops[0], ast.Eq) else segment.replace("!=", "==", 1)
    lines[cmp.lineno - 1] = line[: cmp.col_offset] + flipped + line[cmp.end_col_offset:]
    return "".join(lines), "substantive"


def formatted(formatter, source):
    done = subprocess.run([sys.executable, "-m", formatter, "-q", "-"], input=source, capture_output=True, text=True)
    return (done.stdout, "formatting") if done.returncode == 0 else None


MUTATIONS = [
    mutate_rename_local, mutate_rename_function, mutate_swap, mutate_add_docstring, mutate_edit_docstring,
    mutate_add_comment, mutate_rewrap_call, mutate_quotes, mutate_annotate, mutate_behaviour,
]


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--formatter", help="a formatter module run with python3 -m (e.g. black)")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    stdlib = sysconfig.get_paths()["stdlib"]
    sources = sorted(f for f in os.listdir(stdlib) if f.endswith(".py"))
    rng.shuffle(sources)
    repo = tempfile.mkdtemp(prefix="diffscore-mutate-")
    git(repo, "init", "-q")
    plans = []
    for index, name in enumerate(sources):
        if len(plans) >= options.files:
            break
        try:
            source = open(os.path.join(stdlib, name), encoding="utf-8").read()
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError):
            continue
        target = "m%03d_%s" % (len(plans), name)
        if options.formatter:
            result = formatted(options.formatter, source)
            mutation = formatted
        else:
            mutation = MUTATIONS[len(plans) % len(MUTATIONS)]
            result = mutation(source, tree, rng)
        if not result or result[0] == source:
            continue
        with open(os.path.join(repo, target), "w", encoding="utf-8") as handle:
            handle.write(source)
        plans.append((target, result[0], result[1], mutation.__name__))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for target, after, _, _ in plans:
        with open(os.path.join(repo, target), "w", encoding="utf-8") as handle:
            handle.write(after)
    out = subprocess.run([os.path.abspath(options.diffscore), "--worktree", "--format", "json", "--max-noise", "100"],
                         cwd=repo, capture_output=True, text=True)
    report = json.loads(out.stdout)
    by_path = {f["path"]: f for f in report["files"]}
    confusion = defaultdict(Counter)
    per_mutation = defaultdict(Counter)
    score_error = 0
    for target, _, expected, mutation in plans:
        file = by_path.get(target)
        if file is None:
            continue
        lines = 0
        wrong = []
        for change in file["changes"]:
            n = sum(b - a + 1 for a, b in change["old"] + change["new"])
            lines += n
            confusion[expected][change["label"]] += n
            per_mutation[mutation][change["label"] == expected] += n
            if change["label"] != expected:
                wrong.append("%s %s %s" % (change["label"], change["old"], change["new"]))
        truth = 0 if expected == "substantive" else 100
        score_error += abs(truth - file["score"])
        if wrong and options.verbose:
            print("%s (%s, expected %s): %s" % (target, mutation, expected, "; ".join(wrong)))
    total = sum(sum(c.values()) for c in confusion.values())
    correct = sum(confusion[l][l] for l in LABELS)
    print("\n%d files, %d changed lines, accuracy %.2f%%" % (len(plans), total, 100.0 * correct / max(total, 1)))
    print("%-12s %9s %9s %7s" % ("label", "precision", "recall", "lines"))
    for label in LABELS:
        predicted = sum(confusion[e][label] for e in LABELS)
        actual = sum(confusion[label].values())
        tp = confusion[label][label]
        print("%-12s %8.1f%% %8.1f%% %7d" % (label, 100.0 * tp / predicted if predicted else 100, 100.0 * tp / actual if actual else 100, actual))
    substantive = sum(confusion["substantive"].values())
    false_noise = substantive - confusion["substantive"]["substantive"]
    print("false-noise rate %.2f%%" % (100.0 * false_noise / substantive if substantive else 0))
    print("mean |score error| per file %.2f" % (score_error / max(len(plans), 1)))
    for mutation, counts in sorted(per_mutation.items()):
        print("  %-26s %5.1f%% of %d lines" % (mutation, 100.0 * counts[True] / max(sum(counts.values()), 1), sum(counts.values())))
    shutil.rmtree(repo)


if __name__ == "__main__":
    sys.exit(main())
