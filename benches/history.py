#!/usr/bin/env python3
"""Real histories: diffscore on every pair of consecutive releases of real packages.

Downloads successive source distributions of a few well-known PyPI packages,
commits each release in order into a repository built at run time, then runs
`diffscore --format json REV` on every commit (each release against the one
before) and reports crashes (an exit status other than 0 or 1, or a panic),
timeouts, and the slowest pairs. It also checks that diffscore's changed
lines are git's: every file's changed line numbers equal those `git diff`
shows.

    cargo build --release && python3 benches/history.py [--diffscore PATH] [--timeout S]

Needs git, python3 with pip, and access to PyPI.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

PACKAGES = {
    "requests": ["2.25.1", "2.26.0", "2.27.1", "2.28.2", "2.31.0", "2.32.3"],
    "attrs": ["21.4.0", "22.1.0", "22.2.0", "23.1.0", "23.2.0", "24.2.0"],
    "click": ["8.0.4", "8.1.3", "8.1.5", "8.1.7"],
    "six": ["1.14.0", "1.15.0", "1.16.0"],
    "idna": ["3.3", "3.4", "3.6", "3.7"],
}

ENV = dict(os.environ, GIT_AUTHOR_NAME="h", GIT_AUTHOR_EMAIL="h@h", GIT_COMMITTER_NAME="h", GIT_COMMITTER_EMAIL="h@h",
           GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=ENV).stdout


def download(package, version, folder):
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--dest", folder, "%s==%s" % (package, version)], check=True, capture_output=True)
    for name in os.listdir(folder):
        if name.lower().startswith(package.lower().replace("-", "_")) or name.lower().startswith(package.lower()):
            if version in name:
                return os.path.join(folder, name)
    raise RuntimeError("no sdist for %s %s" % (package, version))


def unpack(archive, target):
    """Unpacks an sdist into `target`, dropping its top folder."""
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    scratch = tempfile.mkdtemp()
    if archive.endswith(".zip"):
        zipfile.ZipFile(archive).extractall(scratch)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
    (top,) = os.listdir(scratch)
    for entry in os.listdir(os.path.join(scratch, top)):
        shutil.move(os.path.join(scratch, top, entry), os.path.join(target, entry))
    shutil.rmtree(scratch)


def git_changed_lines(repo, commit):
    """Each path's removed and added line numbers in `git diff commit^ commit`
    (with git's default context: `git diff -U0` first trims the common tail of
    both files, so its hunks can differ from what `git diff` and `--numstat`
    show)."""
    out = git(repo, "diff", "--no-color", "--no-ext-diff", "%s^" % commit, commit)
    files, old_path, path, old_line, new_line = {}, None, None, 0, 0
    for line in out.splitlines():
        if line.startswith("diff --git "):
            old_path = path = None
        elif path is None and line.startswith("--- "):
            old_path = line[6:] if line.startswith("--- a/") else None
        elif path is None and line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else old_path
        elif line.startswith("@@ "):
            old, new = line.split()[1:3]
            old_line, new_line = int(old[1:].split(",")[0]), int(new[1:].split(",")[0])
            old_line += old.endswith(",0")
            new_line += new.endswith(",0")
        elif path is not None and line.startswith("-"):
            files.setdefault(path, (set(), set()))[0].add(old_line)
            old_line += 1
        elif path is not None and line.startswith("+"):
            files.setdefault(path, (set(), set()))[1].add(new_line)
            new_line += 1
        elif line.startswith(" "):
            old_line, new_line = old_line + 1, new_line + 1
    return files


def describe_mismatch(ours, gits):
    ours, gits = ours or (set(), set()), gits or (set(), set())
    parts = []
    for side, a, b in (("old", ours[0], gits[0]), ("new", ours[1], gits[1])):
        if a != b:
            parts.append("%s: only diffscore %s, only git %s" % (side, sorted(a - b)[:6], sorted(b - a)[:6]))
    return "; ".join(parts)


def diffscore_changed_lines(report):
    files = {}
    for file in report["files"]:
        old, new = set(), set()
        for change in file["changes"]:
            for side, lines in (("old", old), ("new", new)):
                for start, end in change[side]:
                    lines.update(range(start, end + 1))
        if old or new:
            # A type change (a file becoming a link) is two entries of one path.
            both = files.setdefault(file["path"], (set(), set()))
            both[0].update(old)
            both[1].update(new)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the repository and print where it is")
    options = parser.parse_args()
    diffscore = os.path.abspath(options.diffscore)
    work = tempfile.mkdtemp(prefix="diffscore-history-")
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    for package, versions in PACKAGES.items():
        for version in versions:
            unpack(download(package, version, downloads), os.path.join(repo, package))
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "--allow-empty", "-m", "%s %s" % (package, version))
    commits = git(repo, "rev-list", "--reverse", "HEAD").split()
    crashes, timeouts, timings, mismatches = [], [], [], []
    for commit in commits[1:]:
        title = git(repo, "log", "-1", "--format=%s", commit).strip()
        start = time.perf_counter()
        try:
            done = subprocess.run([diffscore, "--format", "json", commit], cwd=repo, capture_output=True,
                                  timeout=options.timeout, env=ENV)
        except subprocess.TimeoutExpired:
            timeouts.append(title)
            continue
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1) or b"panicked" in done.stderr:
            crashes.append((title, done.returncode, done.stderr.decode(errors="replace").strip()))
            continue
        report = json.loads(done.stdout)
        summary = report["summary"]
        ours, gits = diffscore_changed_lines(report), git_changed_lines(repo, commit)
        for path in sorted(set(ours) | set(gits)):
            if ours.get(path) != gits.get(path):
                mismatches.append((title, path, describe_mismatch(ours.get(path), gits.get(path))))
        timings.append((elapsed, title, summary["files"], summary["changed_lines"], summary["score"]))
    print("%d pairs of releases: %d crashes, %d timeouts (over %.0f s)" % (len(commits) - 1, len(crashes), len(timeouts), options.timeout))
    for title, status, stderr in crashes:
        print("CRASH %s: exit %s: %s" % (title, status, stderr))
    for title in timeouts:
        print("TIMEOUT %s" % title)
    print("changed lines equal to git diff: %d files differ" % len(mismatches))
    for title, path, how in mismatches:
        print("DIFFERS %s: %s: %s" % (title, path, how))
    print("slowest pairs:")
    for elapsed, title, files, lines, score in sorted(timings, reverse=True)[:5]:
        print("  %7.1f ms  %-22s %4d files %7d changed lines  score %3d" % (elapsed * 1000, title, files, lines, score))
    if options.keep:
        print("repository kept in %s" % repo)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if crashes or timeouts or mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
