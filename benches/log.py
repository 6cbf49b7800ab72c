#!/usr/bin/env python3
"""`diffscore log` over 1,000 commits of a real project, next to `git log -p`.

There is no real project's git history offline, so this builds one from real
code: successive source releases of pip from PyPI (its own code and the
libraries it vendors), with each release's changes committed one file per
commit, in path order (a release's added, modified and deleted files; the
first release is one commit). A release's change to one file is larger than
most real commits, so the figures err on the slow side. Dates are fixed, so
the history, its ids and its scores are the same on every run.

Then it times, as medians over --runs:

- `diffscore log -n N --format json` (every commit scored against its first
  parent) and the same with RAYON_NUM_THREADS=1 (one worker);
- `git log -n N -p` (git computing and printing the same diffs) for scale;

reports the best run too, the CPU time (user + system) of one more run and
its peak RSS (wall times vary with whatever else the machine runs; the best
run and the CPU time much less), checks that the JSON has N lines, and that a sample of
commits has the summary `diffscore --format json REV` prints.

    cargo build --release && python3 benches/log.py [--diffscore PATH] [--commits N] [--runs N] [--cache DIR]

Needs git, python3 with pip, and access to PyPI (downloads are kept in
--cache, by default ~/.cache/diffscore-bench, so a second run is offline).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from history import ENV, download, unpack  # noqa: E402

PACKAGE = "pip"
VERSIONS = ["22.0.4", "22.1.2", "22.2.2", "22.3.1", "23.0", "23.0.1", "23.1", "23.1.2", "23.2", "23.2.1", "23.3",
            "23.3.1", "23.3.2", "24.0", "24.1", "24.1.1", "24.1.2", "24.2", "24.3", "24.3.1"]
START = 1577836800  # 2020-01-01T00:00:00Z; each commit a minute after the one before


def sdist(version, cache):
    """The release's source archive, downloaded into `cache` once. (Named
    exactly: `23.0` is also in `pip-23.0.1.tar.gz`.)"""
    names = ["%s-%s%s" % (PACKAGE, version, ext) for ext in (".tar.gz", ".zip")]
    if not any(os.path.exists(os.path.join(cache, name)) for name in names):
        download(PACKAGE, version, cache)
    return next(os.path.join(cache, name) for name in names if os.path.exists(os.path.join(cache, name)))


def files_of(folder):
    """Every file under `folder`: repository-relative path → bytes."""
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    files[os.path.relpath(path, folder).replace(os.sep, "/")] = f.read()
    return files


def build(repo, releases):
    """Commits the releases one changed file per commit with git fast-import;
    returns the number of commits."""
    stream, count, previous = [], 0, {}

    def commit(message, changes):
        nonlocal count
        count += 1
        when = START + 60 * count
        message = message.encode()
        stream.append(b"commit refs/heads/main\nmark :%d\n" % count)
        stream.append(b"author Bench <bench@example.com> %d +0000\n" % when)
        stream.append(b"committer Bench <bench@example.com> %d +0000\n" % when)
        stream.append(b"data %d\n%s\n" % (len(message), message))
        if count > 1:
            stream.append(b"from :%d\n" % (count - 1))
        for path, content in changes:
            if content is None:
                stream.append(b"D %s\n" % path.encode())
            else:
                stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content))

    for version, files in releases:
        if not previous:
            commit("%s %s" % (PACKAGE, version), sorted(files.items()))
        else:
            for path in sorted(set(files) | set(previous)):
                if files.get(path) != previous.get(path):
                    commit("%s %s: %s" % (PACKAGE, version, path), [(path, files.get(path))])
        previous = files
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True, env=ENV)
    return count


def measure(command, cwd, runs, env=ENV):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    timed = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=env)
    peak, user, system = timed.stderr.strip().splitlines()[-1].split()
    return statistics.median(times), min(times), int(peak) / 1024, float(user) + float(system)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffscore", default="target/release/diffscore")
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/diffscore-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the repository and print where it is")
    options = parser.parse_args()
    diffscore = os.path.abspath(options.diffscore)
    os.makedirs(options.cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="diffscore-log-")
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=ENV)
    releases = []
    for version in VERSIONS:
        archive = sdist(version, options.cache)
        unpacked = os.path.join(work, "release")
        unpack(archive, unpacked)
        releases.append((version, files_of(unpacked)))
        shutil.rmtree(unpacked)
    start = time.perf_counter()
    total = build(repo, releases)
    built = time.perf_counter() - start
    count = min(options.commits, total)
    print("%s %s..%s: %d commits (built in %.1f s); timing the newest %d" % (
        PACKAGE, VERSIONS[0], VERSIONS[-1], total, built, count))

    output = subprocess.run([diffscore, "log", "-n", str(count), "--format", "json"], cwd=repo, capture_output=True,
                            env=ENV)
    if output.returncode not in (0, 1):
        sys.exit("diffscore log failed: %s" % output.stderr.decode(errors="replace"))
    lines = [json.loads(line) for line in output.stdout.splitlines()]
    assert len(lines) == count, "%d lines for %d commits" % (len(lines), count)
    changed = sum(line["summary"]["changed_lines"] for line in lines)
    files = sum(line["summary"]["files"] for line in lines)
    scores = sorted(line["summary"]["score"] for line in lines)
    print("%d files, %d changed lines; median score %d, %d commits above 50" % (
        files, changed, scores[len(scores) // 2], sum(s > 50 for s in scores)))
    for line in lines[:: max(1, count // 20)]:
        single = subprocess.run([diffscore, "--format", "json", line["commit"]], cwd=repo, capture_output=True,
                                env=ENV)
        assert json.loads(single.stdout)["summary"] == line["summary"], line["commit"]
    print("sampled commits: log's summaries equal `diffscore REV`'s")

    rows = [
        ("git log -n %d -p" % count, ["git", "log", "-n", str(count), "-p"], ENV),
        ("diffscore log -n %d --format json" % count, [diffscore, "log", "-n", str(count), "--format", "json"], ENV),
        ("  the same, one worker (RAYON_NUM_THREADS=1)",
         [diffscore, "log", "-n", str(count), "--format", "json"], dict(ENV, RAYON_NUM_THREADS="1")),
    ]
    print("%-48s %10s %10s %10s %10s" % ("command (%d cores)" % os.cpu_count(), "median", "best", "CPU time",
                                         "peak RSS"))
    for title, command, env in rows:
        elapsed, best, peak, cpu = measure(command, repo, options.runs, env)
        print("%-48s %8.2f s %8.2f s %8.2f s %6.0f MiB" % (title, elapsed, best, cpu, peak))
    if options.keep:
        print("repository kept in %s" % repo)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
