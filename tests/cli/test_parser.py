"""The command line as people expect it: help for every command and option, French
words from argparse itself, ``--version``, usage errors with status 2."""

from __future__ import annotations

import argparse
import ast
import inspect
from collections.abc import Iterator
from importlib.metadata import version

import pytest

from core.cli import french
from core.cli.main import build_parser
from core.plugins.host import PluginHost
from core.settings import Settings
from tests.cli.run import maillage


def undocumented(parser: argparse.ArgumentParser, path: str = "maillage") -> Iterator[str]:
    """Every sub-command and option without a help text, as ``maillage x --option``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    yield f"{path} {name}"
                yield from undocumented(sub, f"{path} {name}")
        elif not action.help:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    # Every installed plugin (entry points), as the real command loads them.
    return build_parser(PluginHost.from_settings(Settings.from_env({})))


def test_every_command_and_option_has_a_help_text(parser: argparse.ArgumentParser) -> None:
    assert list(undocumented(parser)) == []


def test_the_walk_finds_a_missing_help() -> None:
    parser = argparse.ArgumentParser(prog="maillage")
    commands = parser.add_subparsers(dest="command")
    sub = commands.add_parser("quiet")  # no help
    sub.add_argument("--flag", action="store_true")
    assert list(undocumented(parser)) == ["maillage quiet", "maillage quiet --flag"]


def test_every_argparse_message_has_a_french_translation() -> None:
    """A Python upgrade that adds a message to argparse fails here, not in front of
    an operator."""
    tree = ast.parse(inspect.getsource(argparse))
    singular, plural = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            first = node.args[0] if node.args else None
            if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                continue
            if node.func.id == "_":
                singular.add(first.value)
            elif node.func.id == "ngettext":
                plural.add(first.value)
    assert singular and plural
    assert sorted(singular - french.MESSAGES.keys()) == []
    assert sorted(plural - french.PLURALS.keys()) == []


def test_version_is_printed() -> None:
    # The installed script, started cold: the entry point itself.
    result = maillage("--version", env={}, cold=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"maillage {version('maillage')}"


def test_bad_usage_speaks_french_and_exits_2() -> None:
    unknown = maillage("tenants", "frobnicate", env={}, cold=True)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("utilisation : maillage tenants")
    assert "choix invalide : 'frobnicate'" in unknown.stderr
    assert "usage" not in unknown.stderr and "invalid choice" not in unknown.stderr

    missing = maillage("members", "invite", "--tenant", "x", env={})
    assert missing.returncode == 2
    assert "arguments obligatoires manquants : --email, --name, --roles" in missing.stderr

    helped = maillage("gdpr", "purge", "--help", env={})
    assert helped.returncode == 0
    assert "afficher cette aide et quitter" in helped.stdout
    assert "show this help" not in helped.stdout and "options:" in helped.stdout
