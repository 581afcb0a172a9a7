"""What a page of the web app works with: the view a page's handler receives, the
form's errors as the GOV.UK pattern shows them, and dates and numbers the French way.

The pages are the API's first client (ARCHITECTURE, rule 4): a handler reads and
writes only by running named GraphQL operations (``view.run("RecordRequest", …)``)
in process, with the person's own request context, so permissions, audit, isolation
and coded errors are the API's. The engine that builds the view, loads the
operations and renders the layout is ``core.app.pages``; this module is what a
feature's (or a plugin's) pages import, low in the layers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from strawberry import relay

from core.api.context import Context

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# French typography: a narrow no-break space between thousands, a comma for decimals.
THOUSANDS = "\u202f"


def date_fr(value: dt.date | str | None) -> str:
    """« 6 décembre 2026 », « 1er mars 2027 »; an ISO string is read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def number_fr(value: float | int | Decimal | None, decimals: int | None = None) -> str:
    """« 1 234,5 » (narrow no-break spaces), « 12 »; ``decimals`` fixes the precision."""
    if value is None:
        return ""
    if decimals is None:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.10f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def global_id(type_name: str, raw: str | None) -> str | None:
    """The ``node(id:)`` id of a record the API names by its plain id (a request's
    ``familyId``, a task's ``followUpId``): what a page's URL carries."""
    return relay.to_base64(type_name, raw) if raw else None


def plain_id(node_id: str) -> str | None:
    """The plain id inside a ``node(id:)`` id (what the document routes take), or None
    for text that is not one."""
    try:
        return relay.from_base64(node_id)[1]
    except ValueError:  # not base64, not UTF-8, no « : »: simply not an id
        return None


@dataclass(frozen=True)
class OperationResult:
    """A named operation's answer: ``data`` and the top-level errors as
    ``{"code", "field", "message"}`` (a refused variable, FORBIDDEN, NOT_FOUND…)."""

    data: dict[str, Any] | None
    errors: list[dict[str, str | None]] = field(default_factory=list)

    def codes(self) -> set[str]:
        return {str(e["code"]) for e in self.errors}


@dataclass
class FormErrors:
    """A form's messages: one per field (shown next to it and linked from the summary
    at the top) and the ones that name no field of the form (summary only)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
        else:
            self.fields.setdefault(name, message)

    def summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message), fields first in the order they failed."""
        return [*self.fields.items(), *((None, m) for m in self.general)]

    @classmethod
    def of(
        cls,
        result: OperationResult,
        payload: str | None = None,
        *,
        form_fields: Iterable[str],
        aliases: Mapping[str, str] | None = None,
    ) -> FormErrors:
        """The errors of ``result``: its top-level errors, and those of the mutation
        payload ``payload`` (its ``errors { code field message }``). An API field
        (``input.receivedOn``, ``communeInsee``) names the form's field through
        ``aliases`` or by its last part; an unknown one goes to the summary alone."""
        known = set(form_fields)
        aliases = aliases or {}
        errors = cls()
        found = list(result.errors)
        if payload is not None and result.data and result.data.get(payload):
            found += result.data[payload].get("errors") or []
        for error in found:
            api_field = error.get("field") or ""
            name = aliases.get(api_field) or aliases.get(api_field.rsplit(".", 1)[-1])
            name = name or api_field.rsplit(".", 1)[-1]
            message = _sentence(str(error.get("message") or ""))
            errors.add(name if name in known else None, message)
        return errors


def _sentence(message: str) -> str:
    """The API's messages are lower-case clauses (« qui fait la demande ? »): a form
    shows them as sentences."""
    message = message.strip()
    return message[:1].upper() + message[1:] if message else message


@dataclass(frozen=True)
class ShownPanel:
    """A plugin's section as a page shows it: its heading and its rendered HTML, or
    ``failed`` when the plugin could not render it (the page still answers)."""

    owner: str
    title: str
    html: str
    failed: bool = False


# A file sent with a form is read up to this size; a larger one is only flagged
# (``Upload.too_large``): the page says so next to its field.
MAX_UPLOAD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A file sent with a form (``<input type=file>``), read in memory."""

    filename: str
    content_type: str
    data: bytes
    too_large: bool = False


@dataclass
class PageView:
    """What a page's handler gets: the request, the person's context (the same the
    API builds), the form posted, and the means to run operations, render and
    redirect. Made by ``core.app.pages`` for each request."""

    request: Request
    context: Context
    form: Mapping[str, list[str]]
    layout: dict[str, Any]
    _run: Callable[[str, Mapping[str, Any]], Awaitable[OperationResult]]
    _render: Callable[[str, Mapping[str, Any]], str]
    operations: frozenset[str] = frozenset()
    # The plugins' sections for one of core's pages (``maillage_panels``), rendered.
    _panels: Callable[[str, Mapping[str, Any]], Awaitable[list[ShownPanel]]] | None = None
    # The files of a multipart form, by field name (an empty file field is left out).
    files: Mapping[str, Upload] = field(default_factory=dict)

    async def run(self, operation: str, **variables: Any) -> OperationResult:
        """Run the named operation (declared by the page) with the person's context."""
        if operation not in self.operations:
            raise LookupError(f"operation {operation} is not declared by this page")
        return await self._run(operation, variables)

    async def panels(self, slot: str, **variables: Any) -> list[ShownPanel]:
        """The sections plugins add to this page of core (``slot``, e.g. "family"),
        rendered for this person and pole, in order; ``variables`` go to each panel's
        operation (``familyId``)."""
        return [] if self._panels is None else await self._panels(slot, variables)

    def can(self, action: str) -> bool:
        return action in self.layout.get("actions", ())

    def value(self, name: str, default: str = "") -> str:
        """The posted value of ``name`` (stripped), else the query string's."""
        given = self.form.get(name)
        if given:
            return given[0].strip()
        return self.request.query_params.get(name, default).strip()

    def values(self, name: str) -> list[str]:
        given = self.form.get(name)
        return list(given) if given is not None else self.request.query_params.getlist(name)

    def render(self, template: str, status_code: int = 200, **values: Any) -> Response:
        html = self._render(template, {**self.layout, **values})
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    def redirect(self, path: str, **query: str) -> Response:
        """Post/Redirect/Get: after a success, the browser GETs the result page (a
        reload does not post twice). ``query`` carries e.g. the notice to show."""
        target = f"{path}?{urlencode(query)}" if query else path
        return RedirectResponse(target, status_code=303)

    def not_found(self) -> Response:
        return self.render(
            "error.html",
            status_code=404,
            title="Page introuvable",
            message="Cette page n'existe pas, ou plus, pour votre pôle.",
        )


@dataclass(frozen=True)
class Pager:
    """The links of a list shown a page at a time: the next page (the API's cursor,
    given back as « apres ») and the first, each with the list's filters. Every list of
    the web app pages the same way, so that nothing past its first page is out of reach."""

    path: str
    next_query: str | None
    first_query: str
    paged: bool

    @classmethod
    def of(
        cls,
        view: PageView,
        path: str,
        connection: Mapping[str, Any],
        filters: Mapping[str, str | Sequence[str]],
        cursor: str = "apres",
    ) -> Pager:
        """``filters``: the list's filters, each a value or several (checkboxes: « type=a&
        type=b »), an empty one left out. ``cursor``: the query string's name for this
        list's position (a page with two lists gives each its own)."""
        info = connection.get("pageInfo") or {}
        kept: dict[str, list[str]] = {}
        for name, given in filters.items():
            values = [v for v in ([given] if isinstance(given, str) else given) if v]
            if values:
                kept[name] = values
        more = info.get("hasNextPage") and info.get("endCursor")
        return cls(
            path=path,
            next_query=urlencode({**kept, cursor: more}, doseq=True) if more else None,
            first_query=urlencode(kept, doseq=True),
            paged=bool(view.value(cursor)),
        )


# An empty page of a list the API refused: the template's loop shows « aucun ».
EMPTY_CONNECTION: Mapping[str, Any] = {
    "totalCount": 0,
    "edges": [],
    "pageInfo": {"hasNextPage": False, "endCursor": None},
}
