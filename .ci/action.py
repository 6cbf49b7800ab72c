"""The GitHub Action (action.yml) run for real, offline: its composite steps are executed the way
the runner executes them (bash, inputs and `${{ }}` expressions in `env:`/`with:`/`if:`,
GITHUB_OUTPUT, RUNNER_TEMP, a failing step stops the rest), on real repositories with real pull
requests, with actions/cache emulated by a folder kept across runs and `gh` replaced by a fake
GitHub API that records every request. The expression evaluator knows only the forms action.yml
uses and fails on any other, so a new construct cannot pass untested.

Run by .ci/action (which provides PyYAML and maturin); prints `action: N passed, 0 failed`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))["package"]["version"]
MARKER = "<!-- diffscore -->"

BASE = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"
NOISY = (
    'def total(items):\n    """Sum the values."""\n    acc = 0  # running sum\n'
    "    for value in items:\n        acc += value\n    return acc\n"
)
FIXED = BASE.replace("result += item", "result += item * 2")

FAKE_GH = r'''#!/usr/bin/env python3
"""A stand-in for the GitHub CLI: records each `gh api` call and answers from files."""
import json, os, sys
args = sys.argv[1:]
assert args[0] == "api", args
call = {"args": args[1:], "token": os.environ.get("GH_TOKEN")}
if "--input" in args:
    call["input"] = json.load(open(args[args.index("--input") + 1]))
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(call) + "\n")
if "--method" in args:
    sys.exit(1 if os.environ.get("FAKE_GH_FAIL") else 0)
# A listing: the pages as `gh api --paginate` prints them, one JSON array after another.
for page in json.load(open(os.environ["FAKE_GH_PAGES"])):
    print(json.dumps(page))
'''


class Failed(Exception):
    pass


passed = 0


def check(condition: bool, what: str, detail: object = "") -> None:
    global passed
    if not condition:
        raise Failed(f"{what}: {detail}")
    passed += 1
    print(f"ok: {what}")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


class Runner:
    """One machine: the emulated actions/cache store survives from one run to the next."""

    def __init__(self, work: Path, environ: dict[str, str]):
        self.work = work
        self.cache = work / "actions-cache"
        self.cache.mkdir()
        self.environ = environ
        self.runs = 0

    def run(self, workspace: Path, event: dict, inputs: dict[str, str]) -> dict:
        self.runs += 1
        temp = self.work / f"runner-temp-{self.runs}"
        temp.mkdir()
        github = {
            "event": event,
            "repository": "octo/app",
            "token": "fake-token",
            "action_ref": "v0",
            "action_path": str(ROOT),
            "workspace": str(workspace),
        }
        runner = {"temp": str(temp), "os": "Linux", "arch": "X64"}
        context = {"github": github, "runner": runner, "steps": {}, "inputs": {}}
        for name, spec in ACTION["inputs"].items():
            default = substitute(str(spec.get("default", "")), context)
            context["inputs"][name] = inputs.get(name, default)
        unknown = set(inputs) - set(ACTION["inputs"])
        assert not unknown, f"inputs action.yml does not declare: {unknown}"

        log, ran, failed = [], [], None
        for step in ACTION["runs"]["steps"]:
            name = step["name"]
            if failed is not None or not condition(step.get("if", "success()"), context):
                continue
            ran.append(name)
            outputs: dict[str, str] = {}
            if "uses" in step:
                outputs = self.cache_step(step, context)
            else:
                output_file = temp / f"output-{len(ran)}"
                output_file.touch()
                env = dict(self.environ)
                env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
                env.update(
                    GITHUB_OUTPUT=str(output_file),
                    GITHUB_ACTION_PATH=str(ROOT),
                    GITHUB_WORKSPACE=str(workspace),
                    RUNNER_TEMP=str(temp),
                    GITHUB_ACTIONS="true",
                )
                assert step["shell"] == "bash", step["shell"]
                script = temp / f"step-{len(ran)}.sh"
                script.write_text(step["run"])
                cwd = workspace / substitute(step.get("working-directory", "."), context)
                # The runner's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
                done = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                    cwd=cwd,
                    check=False,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                log.append(f"## {name}\n{done.stdout}{done.stderr}")
                outputs = read_outputs(output_file)
                if done.returncode != 0:
                    failed = (name, done.returncode)
            if "id" in step:
                context["steps"][step["id"]] = {"outputs": outputs}
        action_outputs = {k: substitute(v["value"], context) for k, v in ACTION["outputs"].items()}
        home = Path(context["steps"]["prepare"]["outputs"]["home"])
        return {"log": "\n".join(log), "ran": ran, "failed": failed, "outputs": action_outputs, "home": home}

    def cache_step(self, step: dict, context: dict) -> dict[str, str]:
        action = step["uses"].split("@")[0]
        with_ = {k: substitute(str(v), context) for k, v in step["with"].items()}
        assert set(with_) == {"path", "key"}, with_
        path, stored = Path(with_["path"]), self.cache / with_["key"]
        if action == "actions/cache/restore":
            if stored.exists():
                shutil.copytree(stored, path)
                return {"cache-hit": "true", "cache-matched-key": with_["key"]}
            return {"cache-hit": "false"}
        assert action == "actions/cache/save", f"no emulation for {step['uses']}"
        assert not stored.exists(), f"a second save under {with_['key']}"
        shutil.copytree(path, stored)
        return {}


def read_outputs(path: Path) -> dict[str, str]:
    outputs, lines = {}, path.read_text().splitlines()
    while lines:
        line = lines.pop(0)
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            value = []
            while (line := lines.pop(0)) != delimiter:
                value.append(line)
            outputs[name] = "\n".join(value)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def evaluate(expression: str, context: dict) -> object:
    expression = expression.strip()
    if re.fullmatch(r"'[^']*'", expression):
        return expression[1:-1]
    if not re.fullmatch(r"(github|runner|inputs|steps)(\.[A-Za-z_][\w-]*)+", expression):
        raise AssertionError(f"the emulator does not know the expression `{expression}`")
    value: object = context
    for part in expression.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def as_text(value: object) -> str:
    return "" if value is None else str(value)


def substitute(text: str, context: dict) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_text(evaluate(m.group(1), context)), text)


def condition(expression: str, context: dict) -> bool:
    expression = expression.strip()
    if expression == "success()":
        return True
    match = re.fullmatch(r"(\S+) (==|!=) ('[^']*')", expression)
    if not match:
        raise AssertionError(f"the emulator does not know the condition `{expression}`")
    left, operator, right = as_text(evaluate(match[1], context)), match[2], evaluate(match[3], context)
    return (left == right) if operator == "==" else (left != right)


def make_repository(path: Path) -> dict[str, str]:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "calc.py").write_text(BASE)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    shas = {"base": git(path, "rev-parse", "HEAD")}
    for branch, content in (("noisy", NOISY), ("fix", FIXED)):
        git(path, "checkout", "-q", "-b", branch, "main")
        (path / "calc.py").write_text(content)
        git(path, "commit", "-q", "-am", branch)
        shas[branch] = git(path, "rev-parse", "HEAD")
    git(path, "checkout", "-q", "main")
    # The main branch moves on after the branches started: base...head is their merge base.
    (path / "README.md").write_text("calc\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "readme")
    shas["main"] = git(path, "rev-parse", "HEAD")
    return shas


def pull_request(number: int, base: str, head: str) -> dict:
    return {"pull_request": {"number": number, "base": {"sha": base}, "head": {"sha": head}}}


def gh_calls(path: Path) -> list[dict]:
    calls = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    path.unlink(missing_ok=True)
    return calls


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="diffscore-action-"))
    try:
        scenarios(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"action: {passed} passed, 0 failed")


def scenarios(work: Path) -> None:
    fakebin = work / "fakebin"
    fakebin.mkdir()
    (fakebin / "gh").write_text(FAKE_GH)
    (fakebin / "gh").chmod(0o755)
    gh_log, pages = work / "gh-log.jsonl", work / "gh-pages.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "GH_", "PIP_", "UV_"))}
    environ.update(
        PATH=f"{fakebin}:{os.environ['PATH']}",
        FAKE_GH_LOG=str(gh_log),
        FAKE_GH_PAGES=str(pages),
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="ci",
        GIT_AUTHOR_EMAIL="ci@example.com",
        GIT_COMMITTER_NAME="ci",
        GIT_COMMITTER_EMAIL="ci@example.com",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # The source build the action runs on a cache miss, in this checkout's target/ with the
        # profile `cargo test` has just built (a release build is 6 minutes on 2 cores).
        CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target")),
        MATURIN_PEP517_ARGS="--profile dev",
    )
    repo = work / "repo"
    shas = make_repository(repo)
    runner = Runner(work, environ)

    def expected_body(home: Path, head: str, extra: list[str]) -> str:
        # What the comment must hold: exactly what the binary prints (its first line is the marker).
        binary, revisions = str(home / "bin" / "diffscore"), [*extra, f"{shas['main']}...{head}"]
        out = subprocess.run(
            [binary, "--format", "markdown", *revisions], cwd=repo, capture_output=True, text=True, check=False
        )
        assert out.returncode in (0, 1), out.stderr
        assert out.stdout.startswith(f"{MARKER}\n"), out.stdout
        return out.stdout

    # 1. A noisy pull request, first run: a cache miss builds the action's own source; annotations,
    #    a SARIF file, the old comment found on the second page and updated; the gate fails.
    human = {"id": 11, "user": {"type": "User"}, "body": f"{MARKER}\nquoting the bot"}
    other_bot = {"id": 12, "user": {"type": "Bot"}, "body": "coverage: 93%"}
    ours = {"id": 42, "user": {"type": "Bot"}, "body": f"{MARKER}\nan old report"}
    pages.write_text(json.dumps([[human, other_bot], [ours]]))
    sarif = "reports/diffscore.sarif"
    first = runner.run(
        repo,
        pull_request(7, shas["main"], shas["noisy"]),
        {"comment": "true", "sarif": sarif},
    )
    check(
        "Install diffscore" in first["ran"]
        and "Building wheel for diffscore (pyproject.toml)" in first["log"]
        and f"Successfully installed diffscore-{VERSION}" in first["log"],
        "a first run builds and installs diffscore from the action's own source (pip, maturin)",
        first["log"],
    )
    check(
        first["failed"] == ("Apply the gate", 1),
        "a noisy pull request fails the gate step, after every other step",
        f"{first['failed']}\n{first['log']}",
    )
    score = first["outputs"]["score"]
    check(
        first["outputs"]["passed"] == "false" and score.isdigit() and int(score) > 50,
        f"outputs: score {score}, passed false",
        first["outputs"],
    )
    check(
        re.search(
            r"^::notice file=calc\.py,line=\d+,endLine=\d+,title=diffscore%3A rename::", first["log"], re.MULTILINE
        )
        is not None
        and f"::error title=diffscore::score {score}" in first["log"],
        "format github: annotations on calc.py and an error for the gate",
        first["log"],
    )
    report = json.loads((repo / sarif).read_text())
    check(
        report["version"] == "2.1.0" and len(report["runs"][0]["results"]) > 0,
        f"sarif: {sarif} written, {len(report['runs'][0]['results'])} results",
        report,
    )
    calls = gh_calls(gh_log)
    check(
        [c["args"] for c in calls]
        == [
            ["--paginate", "repos/octo/app/issues/7/comments"],
            ["--method", "PATCH", "repos/octo/app/issues/comments/42", "--input", calls[-1]["args"][-2], "--silent"],
        ]
        and all(c["token"] == "fake-token" for c in calls),
        "comment: the bot's marked comment (second page) is updated, not the person's quoting it",
        calls,
    )
    check(
        calls[-1]["input"]["body"] == expected_body(first["home"], shas["noisy"], []),
        "comment: the body is the marker line and diffscore's markdown report",
        calls[-1]["input"],
    )
    (repo / sarif).unlink()
    shutil.rmtree(repo / "reports")

    # 2. A clean pull request, second run: the cache hit skips the install; max-noise and format
    #    inputs reach diffscore; no comment yet, so one is posted.
    pages.write_text(json.dumps([[other_bot]]))
    second = runner.run(
        repo,
        pull_request(8, shas["main"], shas["fix"]),
        {"comment": "true", "max-noise": "10", "format": "human"},
    )
    check(
        "Install diffscore" not in second["ran"] and second["failed"] is None,
        "a second run restores diffscore from the cache and passes",
        f"{second['ran']} {second['failed']}\n{second['log']}",
    )
    check(second["outputs"] == {"score": "0", "passed": "true"}, "outputs: score 0, passed true", second["outputs"])
    check(
        "PASS: score 0 is within max_noise 10" in second["log"],
        "format human and max-noise 10 reach diffscore",
        second["log"],
    )
    calls = gh_calls(gh_log)
    check(
        [c["args"][:3] for c in calls]
        == [
            ["--paginate", "repos/octo/app/issues/8/comments"],
            ["--method", "POST", "repos/octo/app/issues/8/comments"],
        ]
        and calls[-1]["input"]["body"] == expected_body(second["home"], shas["fix"], ["--max-noise", "10"]),
        "comment: none of ours yet, so one is posted",
        calls,
    )

    # 3. A comment that cannot be posted (a fork's read-only token) warns and does not fail the run;
    #    without comment: true, GitHub is not called at all.
    environ["FAKE_GH_FAIL"] = "1"
    third = runner.run(repo, pull_request(9, shas["main"], shas["fix"]), {"comment": "true"})
    del environ["FAKE_GH_FAIL"]
    check(
        third["failed"] is None
        and "::warning title=diffscore::could not post the pull-request comment" in third["log"],
        "comment: a refused post is a warning",
        third["log"],
    )
    gh_calls(gh_log)
    quiet = runner.run(repo, pull_request(9, shas["main"], shas["noisy"]), {"max-noise": "100"})
    check(
        quiet["failed"] is None and quiet["outputs"]["passed"] == "true" and not gh_log.exists(),
        "comment: false (the default) calls no GitHub API; max-noise 100 passes a noisy diff",
        f"{quiet['failed']} {quiet['outputs']}",
    )

    # 4. Missing commits (a shallow clone) and a run outside a pull request fail with the fix named.
    missing = runner.run(repo, pull_request(10, shas["main"], "0" * 40), {})
    check(
        missing["failed"] == ("Score the diff", 2) and "check out with fetch-depth: 0" in missing["log"],
        "a head commit missing from the clone fails, naming fetch-depth: 0",
        missing["log"],
    )
    push = runner.run(repo, {"ref": "refs/heads/main"}, {})
    check(
        push["failed"] == ("Score the diff", 2)
        and "run on pull_request, or set the base and head inputs" in push["log"],
        "outside a pull request, without base and head inputs, it fails saying so",
        push["log"],
    )
    explicit = runner.run(repo, {}, {"base": shas["base"], "head": shas["fix"]})
    check(
        explicit["failed"] is None and explicit["outputs"] == {"score": "0", "passed": "true"},
        "base and head inputs score any two commits",
        explicit,
    )

    # 5. version: the PyPI path (pip resolves diffscore==VERSION; here from a local wheel, offline),
    #    under its own cache key; a working-directory inside the repository.
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--config-settings=build-args=--profile dev",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        env={**environ, "PATH": f"{Path(sys.executable).parent}:{environ['PATH']}"},
    )
    (repo / "pkg").mkdir()
    environ.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels))
    pinned = runner.run(
        repo,
        pull_request(11, shas["main"], shas["noisy"]),
        {"version": VERSION, "working-directory": "pkg", "format": "json"},
    )
    del environ["PIP_NO_INDEX"], environ["PIP_FIND_LINKS"]
    check(
        "Install diffscore" in pinned["ran"]
        and f"Successfully installed diffscore-{VERSION}" in pinned["log"]
        and (runner.cache / f"diffscore-Linux-X64-v0-pypi-{VERSION}").is_dir(),
        f"version {VERSION}: installed with pip by version, cached under its own key",
        pinned["log"],
    )
    check(
        pinned["failed"] == ("Apply the gate", 1) and '"version": 1' in pinned["log"],
        "working-directory pkg/ inside the repository scores the same pull request (format json)",
        pinned["log"],
    )


if __name__ == "__main__":
    try:
        main()
    except Failed as failure:
        print(f"action: FAILED {failure}", file=sys.stderr)
        print(f"action: {passed} passed, 1 failed")
        sys.exit(1)
