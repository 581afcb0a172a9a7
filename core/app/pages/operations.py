"""The named GraphQL operations the pages run, loaded once at startup.

``graphql/operations/*.graphql`` (core's, shared with the tests and the docs) and each
page contribution's own folder. Every document is validated against the composed
schema when the app starts, and every operation a page declares must exist: a field
renamed in the schema, or a misspelt operation name, stops the app with a message
naming the file, instead of breaking one page in front of a person.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import strawberry
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse, validate

from core.plugins.host import PluginStartupError

# The source tree's folder (an editable install, the demo, the tests). An installed
# wheel carries no graphql/ folder: the image copies it and names it here.
OPERATIONS_ENV = "MAILLAGE_OPERATIONS_DIR"
SOURCE_TREE = Path(__file__).resolve().parents[3] / "graphql" / "operations"


def core_operations_dir() -> Path:
    return Path(os.environ.get(OPERATIONS_ENV) or SOURCE_TREE)


@dataclass(frozen=True)
class Operation:
    name: str
    source: str  # the whole file: its fragments travel with the operation
    path: Path


# Documents already parsed and validated against a schema of this process, by their
# text: the same composed schema serves every app of a process (core/app/schema.py), and
# the test suite builds an app for each of some five hundred tests; validating the pages'
# 180 operations again each time cost a quarter of a second.
_CHECKED: dict[tuple[int, str], tuple[strawberry.Schema, DocumentNode | None, list[str]]] = {}
_CHECKED_KEPT = 2000


def _checked(schema: strawberry.Schema, source: str) -> tuple[DocumentNode | None, list[str]]:
    """The parsed document (None if it does not parse) and the schema's objections."""
    key = (id(schema), source)
    known = _CHECKED.get(key)
    if known is not None and known[0] is schema:
        return known[1], known[2]
    try:
        document: DocumentNode | None = parse(source)
    except GraphQLError as exc:
        document, messages = None, [exc.message]
    else:
        messages = [error.message for error in validate(schema._schema, document)]
    if len(_CHECKED) >= _CHECKED_KEPT:
        _CHECKED.clear()
    _CHECKED[key] = (schema, document, messages)
    return document, messages


class OperationBook:
    """Operation name -> its document, validated against one schema."""

    def __init__(self, operations: Mapping[str, Operation]) -> None:
        self.operations = dict(operations)

    def __getitem__(self, name: str) -> Operation:
        return self.operations[name]

    def __contains__(self, name: object) -> bool:
        return name in self.operations

    @classmethod
    def load(cls, schema: strawberry.Schema, folders: Iterable[tuple[str, Path]]) -> OperationBook:
        """Read and validate every ``*.graphql`` of ``folders`` ((owner, folder))."""
        problems: list[tuple[str, str]] = []
        found: dict[str, Operation] = {}
        for owner, folder in folders:
            if not folder.is_dir():
                problems.append((owner, f"dossier d'opérations introuvable : {folder}"))
                continue
            for path in sorted(folder.glob("*.graphql")):
                source = path.read_text(encoding="utf-8")
                document, messages = _checked(schema, source)
                problems += [(owner, f"{path.name} : {message}") for message in messages]
                if document is None:
                    continue
                for definition in document.definitions:
                    if not isinstance(definition, OperationDefinitionNode):
                        continue
                    if definition.name is None:
                        problems.append((owner, f"{path.name} : opération sans nom"))
                        continue
                    name = definition.name.value
                    if name in found:
                        problems.append(
                            (
                                owner,
                                f"{path.name} : l'opération {name} existe déjà "
                                f"({found[name].path.name})",
                            )
                        )
                        continue
                    found[name] = Operation(name, source, path)
        if problems:
            raise PluginStartupError(problems)
        return cls(found)

    def check_declared(self, owner: str, names: Iterable[str], where: str) -> list[tuple[str, str]]:
        return [
            (owner, f"la page {where} utilise l'opération inconnue {name}")
            for name in names
            if name not in self.operations
        ]
