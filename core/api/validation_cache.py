"""Validate a document once per schema, not once per request.

Clients send the same few operations again and again; validating one walks the whole
document through some thirty rules each time. strawberry's own ``ValidationCache``
keys on the rule classes, and the depth and alias limiters build new rule classes for
every request: it would never hit. Here the key is the document's text and the rules'
names, and the cache belongs to one composed schema (``compose`` makes one per
schema): a rule set is fixed per schema instance, so the names stand for it — a
document valid where introspection is allowed is not thereby valid where it is not.

Only valid documents are remembered: an invalid one is validated, and refused,
every time, and its errors are never shared between requests.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

# Named operations, the web app's and integrators' documents: a few hundred at most.
MAX_DOCUMENTS = 512

Key = tuple[str, tuple[str, ...]]


class ValidDocuments:
    """The documents one schema found valid (least recently used dropped first)."""

    def __init__(self, maxsize: int = MAX_DOCUMENTS) -> None:
        self.maxsize = maxsize
        self._keys: OrderedDict[Key, None] = OrderedDict()

    def __contains__(self, key: Key) -> bool:
        if key not in self._keys:
            return False
        self._keys.move_to_end(key)
        return True

    def add(self, key: Key) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.maxsize:
            self._keys.popitem(last=False)


class CachedValidation(SchemaExtension):
    """Skip validation for a document this schema already found valid."""

    def __init__(self, documents: ValidDocuments) -> None:
        super().__init__()
        self.documents = documents

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key: Key | None = None
        if context.query is not None and context.pre_execution_errors is None:
            rules = tuple(f"{r.__module__}.{r.__qualname__}" for r in context.validation_rules)
            key = (context.query, rules)
            if key in self.documents:
                # strawberry validates only while no result is there.
                context.pre_execution_errors = []
                key = None
        yield
        if key is not None and context.pre_execution_errors == []:
            self.documents.add(key)
