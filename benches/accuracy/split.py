#!/usr/bin/env python3
"""Split on real code: a known fix buried in known noise, and what split keeps.

For each module (the running Python's standard library by default, or every
`*.py` file under each --source folder), takes the original O, applies one
real fix (a comparison flipped: the "fixed" version F), then one noise edit on
top of F (a local renamed, a private function renamed, two functions swapped,
a docstring added or edited, a comment added, a call re-wrapped, quotes
changed, annotations added), away from the fixed line: the "noisy" version N. O is committed, N is
staged, `diffscore split` runs once, and each file's staged version must be F
byte for byte, or the file must be left as it was (N staged) with a reason.
A staged version that is neither is a wrong split.

    cargo build --release && python3 benches/accuracy/split.py [--files N] [--seed S] [--source DIR]... [-v]

Needs git and python3 only.
"""

import argparse
import ast
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import mutate  # noqa: E402

NOISE = [
    mutate.mutate_rename_local, mutate.mutate_rename_private_function, mutate.mutate_swap,
    mutate.mutate_add_docstring, mutate.mutate_edit_docstring, mutate.mutate_add_comment,
    mutate.mutate_rewrap_call, mutate.mutate_quotes, mutate.mutate_annotate,
]


def touched(before, after):
    """The lines of `before` that a line diff to `after` changes (an insertion touches the line it
    follows and the one it precedes)."""
    lines = set()
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.update(range(start - 1, max(end, start + 1) + 1))
    return lines


def same_function(tree, lines_a, lines_b):
    """Whether some line of each set lies in one innermost function (a docstring edited where the code
    changed belongs to the change)."""
    def innermost(line):
        spans = [(f.lineno, f.end_lineno) for f in mutate.functions(tree) if f.lineno <= line <= f.end_lineno]
        return max(spans, default=None)
    return any(innermost(a + 1) is not None and innermost(a + 1) == innermost(b + 1) for a in lines_a for b in lines_b)


def spelled_elsewhere(name, target, texts):
    """Whether a file other than `target` spells `name` as a whole word."""
    pattern = re.compile(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(name))
    return any(other != target and pattern.search(text) for other, text in texts.items())


def plan(modules, files, rng):
    """(name, original, fixed, noisy, noise edit, the name whose rename stays code if spelled
    elsewhere) for up to `files` modules."""
    plans = []
    for disk_path, name in modules:
        if len(plans) >= files:
            break
        try:
            original = open(disk_path, encoding="utf-8").read()
            fixed = mutate.mutate_behaviour(original, ast.parse(original), rng)
            if not fixed:
                continue
            fixed = fixed[0]
            tree = ast.parse(fixed)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        edits = NOISE[len(plans) % len(NOISE):] + NOISE[:len(plans) % len(NOISE)]
        fix_lines = touched(fixed, original)
        for edit in edits:
            noisy = edit(fixed, tree, rng)
            if not noisy or noisy[0] == fixed or noisy[1].default == "substantive":
                continue
            noise_lines = touched(fixed, noisy[0])
            # Noise on the fixed line itself (or next to it) cannot be taken out
            # without the fix: a line is never split in half. A docstring edited
            # in the fixed function belongs to the fix.
            if fix_lines & noise_lines or (edit is mutate.mutate_edit_docstring and same_function(tree, fix_lines, noise_lines)):
                continue
            plans.append((name, original, fixed, noisy[0], edit.__name__, noisy[1].unless_elsewhere))
            break
    return plans


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the repository and print where it is")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    plans = plan(mutate.candidate_modules(options.source, rng), options.files, rng)
    repo = tempfile.mkdtemp(prefix="diffscore-split-")
    try:
        mutate.git(repo, "init", "-q")
        names = ["m%03d_%s" % (index, os.path.basename(name)) for index, (name, *_) in enumerate(plans)]
        for target, (_, original, *_) in zip(names, plans):
            open(os.path.join(repo, target), "w", encoding="utf-8").write(original)
        mutate.git(repo, "add", "-A")
        mutate.git(repo, "commit", "-qm", "original")
        texts = {}
        for target, (_, _, _, noisy, *_) in zip(names, plans):
            open(os.path.join(repo, target), "w", encoding="utf-8").write(noisy)
            texts[target] = noisy
        mutate.git(repo, "add", "-A")
        done = subprocess.run([os.path.abspath(options.diffscore), "split"], cwd=repo, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit("diffscore split failed: %s" % done.stderr)
        reasons = {line.split(": left as it was", 1)[0]: line for line in done.stdout.splitlines()
                   if ": left as it was" in line}
        exact, left, wrong, by_edit = 0, 0, [], {}
        for target, (_, _, fixed, noisy, edit, renamed) in zip(names, plans):
            staged = subprocess.run(["git", "show", ":" + target], cwd=repo, capture_output=True, text=True).stdout
            counts = by_edit.setdefault(edit, [0, 0, 0])
            # A private name another file still spells is no rename: it stays.
            expected = noisy if renamed and spelled_elsewhere(renamed, target, texts) else fixed
            if staged == expected:
                exact += 1
                counts[0] += 1
            elif staged == noisy and target in reasons:
                left += 1
                counts[1] += 1
                if options.verbose:
                    print("left   %s (%s): %s" % (target, edit, reasons[target]))
            else:
                wrong.append((target, edit))
                counts[2] += 1
                print("WRONG  %s (%s)" % (target, edit))
        total = len(plans)
        print("\n%d files: %d split exactly (%.1f%%), %d left as they were with a reason, %d wrong"
              % (total, exact, 100.0 * exact / max(total, 1), left, len(wrong)))
        for edit, (ok, kept, bad) in sorted(by_edit.items()):
            print("  %-32s %3d exact  %3d left  %3d wrong" % (edit, ok, kept, bad))
        return 1 if wrong else 0
    finally:
        if options.keep:
            print("repository kept in %s" % repo)
        else:
            shutil.rmtree(repo, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
