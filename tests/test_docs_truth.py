"""The docs say what is true, and the tests keep them there.

* every fenced block of every Markdown file closes (an unclosed fence swallows whole
  sections of the rendered page);
* the README's demo-accounts table is the one generated from the demo accounts and the
  role × action table (``maillage roles --write README.md``);
* every ``maillage …`` command and every ``make`` target the README, the runbook and the
  deploy notes tell a person to run exists.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from core.access.roles import ROLES
from core.auth.demo import DEMO_PASSWORD, demo_accounts_block
from core.cli.main import build_parser
from core.plugins.host import PluginHost
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = sorted(
    [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("deploy/*.md")]
    + [p for p in ROOT.glob("benchmarks/*.md")],
)
# Where a reader is told to type commands.
COMMAND_DOCS = [
    ROOT / "README.md",
    ROOT / "docs" / "operator-runbook.md",
    ROOT / "deploy" / "README.md",
]
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def unclosed_fences(text: str) -> list[int]:
    """Line numbers of fences that never close, following CommonMark: a fence closes on
    a line of the same character, at least as long, with no info string. An opening
    fence with an info string met while a block is open means the block before it was
    never closed (nothing in our docs nests fences)."""
    problems: list[int] = []
    open_at: int | None = None
    opener = ""
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if not match:
            continue
        marks, info = match.group(2), match.group(3).strip()
        if open_at is None:
            open_at, opener = number, marks
        elif marks[0] == opener[0] and len(marks) >= len(opener) and not info:
            open_at = None
        elif info:
            problems.append(open_at)
            open_at, opener = number, marks
    if open_at is not None:
        problems.append(open_at)
    return problems


def test_unclosed_fence_is_found() -> None:
    assert unclosed_fences("```sh\nmake\n```\n") == []
    assert unclosed_fences("```graphql\n{ a }\n\n## Section\n```graphql\n{ b }\n```\n") == [1]
    assert unclosed_fences("text\n```\nnever closed\n") == [2]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fenced_block_closes(path: Path) -> None:
    assert unclosed_fences(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)}: fence opened on these lines never closes"
    )


def test_readme_demo_accounts_table_is_the_generated_one() -> None:
    host = PluginHost.from_settings(Settings.from_env({}))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert demo_accounts_block(host.actions) in readme, "run: maillage roles --write README.md"


def test_demo_accounts_block_names_every_role_and_the_password() -> None:
    host = PluginHost.from_settings(Settings.from_env({}))
    block = demo_accounts_block(host.actions)
    for role in ROLES:
        assert f"`{role.replace('_', '-')}@<pole>.maillage.example`" in block
    assert DEMO_PASSWORD not in block  # said once in the prose, never per row


def shell_commands(text: str) -> list[str]:
    """Commands a reader is told to type: lines of sh/bash/console fences and inline
    code spans starting with ``maillage `` or ``make ``."""
    found: list[str] = []
    in_shell = False
    for line in text.splitlines():
        match = FENCE.match(line)
        if match:
            opens_shell = match.group(3).strip() in {"sh", "bash", "console", "shell"}
            in_shell = not in_shell and opens_shell
            continue
        if in_shell:
            found.append(line.strip().removeprefix("$ "))
    found += re.findall(r"`((?:maillage|make) [^`]+)`", text)
    return found


def maillage_invocations(command: str) -> list[list[str]]:
    """The argument lists of every ``maillage`` call in a shell line (after ``&&``,
    ``docker compose run app`` …), placeholders such as ``<slug>`` replaced."""
    try:
        words = shlex.split(command.replace("\\", " "), comments=True)
    except ValueError:
        return []
    calls: list[list[str]] = []
    for index, word in enumerate(words):
        if word.endswith("maillage") and (
            index == 0
            or words[index - 1] in {"&&", ";", "app", "exec", "run", "init", "--rm"}
            or words[index - 1].endswith("/bin")
        ):
            args: list[str] = []
            for arg in words[index + 1 :]:
                if arg in {"&&", ";", "|", "||"}:
                    break
                args.append(arg)
            calls.append(args)
    return calls


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9_-]*):", text, re.M))


def unknown_words(parser: argparse.ArgumentParser, args: list[str]) -> list[str]:
    """The sub-commands and options of ``args`` that the parser does not know. Required
    arguments a sentence leaves out are not an error: docs may name a command briefly."""
    problems: list[str] = []
    current = parser
    for word in args:
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            if option not in current._option_string_actions:
                problems.append(word)
            continue
        choices = next(
            (
                action.choices
                for action in current._actions
                if isinstance(action, argparse._SubParsersAction)
            ),
            None,
        )
        if choices is None:
            continue  # a value or a positional argument
        if word in choices:
            current = choices[word]
        elif not word.startswith(("<", "…", "...")):
            problems.append(word)
            break
    return problems


@pytest.mark.parametrize("path", COMMAND_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_documented_command_exists(path: Path) -> None:
    parser = build_parser(PluginHost.from_settings(Settings.from_env({})))
    targets = make_targets()
    unknown: list[str] = []
    for command in shell_commands(path.read_text(encoding="utf-8")):
        if command.startswith("make "):
            for target in command.split()[1:]:
                if not target.startswith("-") and "=" not in target and target not in targets:
                    unknown.append(command)
            continue
        for args in maillage_invocations(command):
            if unknown_words(parser, args):
                unknown.append("maillage " + " ".join(args))
    assert unknown == [], f"{path.relative_to(ROOT)} tells to run commands that do not exist"


GRAPHQL_DOCS = [ROOT / "README.md", ROOT / "docs" / "user-guide.md"]


def graphql_blocks(text: str) -> list[tuple[int, str]]:
    """(line, text) of every ```graphql block."""
    blocks: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if match and current is None and match.group(3).strip() == "graphql":
            current, start = [], number
        elif match and current is not None:
            blocks.append((start, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


@pytest.mark.parametrize("path", GRAPHQL_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_graphql_example_is_valid_against_the_schema(path: Path) -> None:
    """An example a person copies into GraphiQL must run: it parses and validates against
    the committed schema (core and first-party plugins). Ids written « … » are values."""
    from graphql import build_schema, parse, validate

    schema = build_schema((ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8"))
    wrong: list[str] = []
    for line, block in graphql_blocks(path.read_text(encoding="utf-8")):
        try:
            errors = validate(schema, parse(block))
        except Exception as exc:  # a syntax error is the finding itself
            errors = [exc]
        wrong += [f"line {line}: {error}" for error in errors]
    assert wrong == [], f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_a_command_that_does_not_exist_is_found() -> None:
    parser = build_parser(PluginHost.from_settings(Settings.from_env({})))
    assert unknown_words(parser, ["tenants", "sync", "--dry-run"]) == []
    assert unknown_words(parser, ["tenants", "synchronise"]) == ["synchronise"]
    assert unknown_words(parser, ["gdpr", "purge", "--everything"]) == ["--everything"]
    assert maillage_invocations("docker compose run --rm app maillage db upgrade") == [
        ["db", "upgrade"]
    ]
