#!/usr/bin/env python3
"""Big diffs: a release range of a large Python project, next to git.

Downloads released source distributions of sympy from PyPI (1.9, 1.10, 1.11,
1.12), commits them in order into a repository built at run time, and reports
the median wall time and the peak RSS of `git diff A B` and of
`diffscore A..B --format json` on:

- the range 1.11..1.12 (some 830 files, 158,000 changed lines, a third of them
  in deleted files);
- the same range, only the files modified in it (as pathspecs, for both);
- the range 1.9..1.12, more than twice as big: memory must stay flat.

    cargo build --release && python3 benches/bigrange.py [--diffscore PATH] [--runs N]

Needs git, python3 with pip, GNU time (/usr/bin/time) and access to PyPI.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import history  # noqa: E402

VERSIONS = ["1.9", "1.10", "1.11", "1.12"]


def measure(command, cwd, runs):
    """Median wall seconds over `runs` runs, and the command's peak RSS in MiB."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=history.ENV)
        times.append(time.perf_counter() - start)
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=history.ENV)
    return statistics.median(times), int(timed.stderr.strip().splitlines()[-1]) / 1024


def compare(label, repo, diffscore, old, new, paths, runs):
    git_time, git_rss = measure(["git", "diff", old, new, "--", *paths], repo, runs)
    ours_time, ours_rss = measure([diffscore, "%s..%s" % (old, new), "--format", "json", "--", *paths], repo, runs)
    files = history.git(repo, "diff", "--shortstat", old, new, "--", *paths).strip()
    print("%-34s %s" % (label, files))
    print("    git diff  %6.2f s %7.1f MiB    diffscore %6.2f s %7.1f MiB    ratio %.2f"
          % (git_time, git_rss, ours_time, ours_rss, ours_time / git_time))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    diffscore = os.path.abspath(options.diffscore)
    work = tempfile.mkdtemp(prefix="diffscore-bigrange-")
    try:
        repo = os.path.join(work, "repo")
        downloads = os.path.join(work, "downloads")
        os.makedirs(repo)
        os.makedirs(downloads)
        history.git(repo, "init", "-q")
        for version in VERSIONS:
            history.unpack(history.download("sympy", version, downloads), os.path.join(repo, "sympy"))
            history.git(repo, "add", "-A")
            history.git(repo, "commit", "-q", "-m", "sympy %s" % version)
            history.git(repo, "tag", "v" + version)
        modified = history.git(repo, "diff", "--name-only", "--diff-filter=M", "v1.11", "v1.12").split()
        compare("sympy 1.11..1.12", repo, diffscore, "v1.11", "v1.12", [], options.runs)
        compare("sympy 1.11..1.12, modified files", repo, diffscore, "v1.11", "v1.12", modified, options.runs)
        compare("sympy 1.9..1.12", repo, diffscore, "v1.9", "v1.12", [], options.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
