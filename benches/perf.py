#!/usr/bin/env python3
"""Speed and memory of `diffscore --format json` next to `git diff --cached`.

Builds realistic staged diffs at run time from the running Python's standard
library (real modules with renames, moves, docstrings, comments, re-wraps and
real changes, see accuracy/mutate.py), then reports whole-process median wall
time and peak RSS of both commands on the same repository:

- the main diff: 100 modified files, each with one to three edits of every
  kind (moves and module-level renames included);
- 100 modified files each with one edit inside a function (a docstring, a
  comment, a changed comparison, a renamed local): the everyday commit;
- scaling: 25, 50, 100 and 200 files;
- one 20,000-line file with a one-line change;
- one 5,000-line file rewritten entirely.

    cargo build --release && python3 benches/perf.py [--diffscore PATH] [--runs N]
"""

import argparse
import ast
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "accuracy"))
import mutate  # noqa: E402

ENV = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b",
           GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=ENV)


def measure(command, cwd, runs):
    """Median wall seconds over `runs` runs, and the peak RSS (MiB) of the
    command itself, read by GNU time (a forked child's rusage would also
    count the Python interpreter it was forked from)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=ENV)
    peak = int(timed.stderr.strip().splitlines()[-1]) / 1024
    return statistics.median(times), peak


def stdlib_sources(count, rng):
    stdlib = sysconfig.get_paths()["stdlib"]
    names = sorted(f for f in os.listdir(stdlib) if f.endswith(".py"))
    rng.shuffle(names)
    sources = []
    for name in names:
        try:
            text = open(os.path.join(stdlib, name), encoding="utf-8").read()
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError):
            continue
        sources.append((name, text, tree))
        if len(sources) == count:
            break
    return sources


# The edits of the mixed diffs, fixed here so that figures stay comparable
# from one version of the benchmark to the next.
MIXED_EDITS = [
    mutate.mutate_rename_local, mutate.mutate_rename_function, mutate.mutate_swap, mutate.mutate_add_docstring,
    mutate.mutate_edit_docstring, mutate.mutate_add_comment, mutate.mutate_rewrap_call, mutate.mutate_quotes,
    mutate.mutate_annotate, mutate.mutate_behaviour,
]


def edited(source, tree, rng, index):
    """The source with two or three known edits applied (one of them real)."""
    for step in range(3):
        mutation = MIXED_EDITS[(index + step * 3) % len(MIXED_EDITS)]
        try:
            result = mutation(source, tree, rng)
        except Exception:
            result = None
        if result:
            source = result[0]
            try:
                tree = ast.parse(source)
            except SyntaxError:
                break
    return source


LOCAL_EDITS = [mutate.mutate_add_docstring, mutate.mutate_add_comment, mutate.mutate_behaviour, mutate.mutate_rename_local]


def local_edit(source, tree, rng, index):
    """The source with one edit inside a function body."""
    result = LOCAL_EDITS[index % len(LOCAL_EDITS)](source, tree, rng)
    return result[0] if result else source


def build(files, rng, edit=edited):
    """A repository with `files` stdlib modules committed and edits staged."""
    repo = tempfile.mkdtemp(prefix="diffscore-perf-")
    git(repo, "init", "-q")
    sources = stdlib_sources(files, rng)
    for index, (name, text, _) in enumerate(sources):
        open(os.path.join(repo, "m%03d_%s" % (index, name)), "w", encoding="utf-8").write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for index, (name, text, tree) in enumerate(sources):
        open(os.path.join(repo, "m%03d_%s" % (index, name)), "w", encoding="utf-8").write(edit(text, tree, rng, index))
    git(repo, "add", "-A")
    return repo


def single_file(lines, rewrite, rng):
    repo = tempfile.mkdtemp(prefix="diffscore-perf-")
    git(repo, "init", "-q")
    body = []
    for i in range(lines // 5):
        body.append("def function_%d(value, factor=%d):\n    total = value * factor\n    if total > %d:\n        return total - 1\n    return total\n" % (i, i % 7, i))
    text = "".join(body)
    open(os.path.join(repo, "big.py"), "w").write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    if rewrite:
        new = text.replace("value", "amount").replace("total", "result").replace("return", "yield")
    else:
        middle = len(body) // 2
        body[middle] = body[middle].replace("return total - 1", "return total - 2")
        new = "".join(body)
    open(os.path.join(repo, "big.py"), "w").write(new)
    git(repo, "add", "-A")
    return repo


def report(label, repo, diffscore, runs):
    git_time, git_rss = measure(["git", "diff", "--cached"], repo, runs)
    ours_time, ours_rss = measure([diffscore, "--format", "json"], repo, runs)
    changed = subprocess.run(["git", "diff", "--cached", "--numstat"], cwd=repo, capture_output=True, text=True, env=ENV).stdout
    lines = sum(int(a) + int(b) for a, b, _ in (row.split("\t", 2) for row in changed.splitlines()) if a != "-")
    print("%-28s %7d lines  git %7.1f ms %5.1f MiB   diffscore %7.1f ms %5.1f MiB   ratio %5.2f"
          % (label, lines, git_time * 1000, git_rss, ours_time * 1000, ours_rss, ours_time / git_time))
    return ours_time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=3)
    options = parser.parse_args()
    diffscore = os.path.abspath(options.diffscore)
    repos = []
    try:
        timings = {}
        for files in (25, 50, 100, 200):
            repo = build(files, random.Random(options.seed))
            repos.append(repo)
            timings[files] = report("%d modified files" % files, repo, diffscore, options.runs)
        for small, large in ((25, 50), (50, 100), (100, 200)):
            print("scaling %3d -> %3d files: %.2fx the time" % (small, large, timings[large] / timings[small]))
        repo = build(100, random.Random(options.seed), local_edit)
        repos.append(repo)
        report("100 files, one local edit", repo, diffscore, options.runs)
        repo = single_file(20000, False, random.Random(options.seed))
        repos.append(repo)
        report("20,000-line file, 1 change", repo, diffscore, options.runs)
        repo = single_file(5000, True, random.Random(options.seed))
        repos.append(repo)
        report("5,000-line file rewritten", repo, diffscore, options.runs)
    finally:
        for repo in repos:
            shutil.rmtree(repo, ignore_errors=True)


if __name__ == "__main__":
    main()
