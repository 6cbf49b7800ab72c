#!/usr/bin/env python3
"""Big diffs: a release range of a large Python project, next to git.

Downloads released source distributions of sympy from PyPI (1.9, 1.10, 1.11,
1.12), commits them in order into a repository built at run time, and reports
the median wall time and the peak RSS of `git diff A B` and of
`diffscore A..B --format json`, run in turn, and the median of the ratios of
each pair of runs (a slow spell of the machine slows both), on:

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


def timed(command, cwd):
    """Wall seconds of one run."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=history.ENV)
    return time.perf_counter() - start


def peak_rss(command, cwd):
    """The command's peak RSS in MiB."""
    timed_run = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=history.ENV)
    return int(timed_run.stderr.strip().splitlines()[-1]) / 1024


def compare(label, repo, diffscore, old, new, paths, runs):
    """Runs git and diffscore in turn, so that a slow spell of the machine
    slows both: the ratio is the median of each pair's ratio."""
    git = ["git", "diff", old, new, "--", *paths]
    ours = [diffscore, "%s..%s" % (old, new), "--format", "json", "--", *paths]
    pairs = [(timed(git, repo), timed(ours, repo)) for _ in range(runs)]
    git_time = statistics.median(pair[0] for pair in pairs)
    ours_time = statistics.median(pair[1] for pair in pairs)
    ratio = statistics.median(pair[1] / pair[0] for pair in pairs)
    files = history.git(repo, "diff", "--shortstat", old, new, "--", *paths).strip()
    print("%-34s %s" % (label, files))
    print("    git diff  %6.2f s %7.1f MiB    diffscore %6.2f s %7.1f MiB    ratio %.2f"
          % (git_time, peak_rss(git, repo), ours_time, peak_rss(ours, repo), ratio))


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
