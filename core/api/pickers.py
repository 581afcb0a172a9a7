"""The pickers of the web app's forms: a family, a structure, a gestionnaire, a kit or
a partner chosen in a list that works without JavaScript whatever the pole's size
(decisions 196 and 217).

A plain ``<select>`` of the first hundred lost the family chosen from its file when it
was not among them: the form fell back to « Aucune famille » and the request was saved
without it. A picker is the list of the first ``PAGE`` that match what the person typed
in its search field (all of them when nothing is typed), plus the item(s) already
chosen, always read by their id. The search field sits in the form itself with its own
« Chercher » button: searching posts the whole form and the page comes back with the
list narrowed and everything else the person typed kept, nothing saved. A search typed
and sent with Enter (which presses the form's default button) is a search too: the
form carries the search its list shows (``<search>-liste``), and a different one typed
means the person has not seen the list they are choosing from. A link may also open
the form with a search (``?famille=dupont``) or a choice (``?familyId=…``).

Pages declare ``OPERATIONS`` (graphql/operations/Pickers.graphql) with their own and
render a ``Picker`` with the ``picker`` (one choice) or ``picker_checkboxes`` (several)
macro of forms.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.api.pages import PageView
from core.territory.names import normalize_name

# How many a picker lists: a list a person can still scroll, as before.
PAGE = 100
SEARCH_BUTTON = "chercher"
OPERATIONS = (
    "PickFamilies",
    "PickStructures",
    "PickOrganisations",
    "PickKits",
    "PickPartners",
    "PickedNode",
)


@dataclass(frozen=True)
class Kind:
    """What a picker picks: the API type, its list operation and the search field's
    name (the GET parameter), and the words the page shows."""

    type_name: str
    operation: str
    search: str
    search_label: str
    plural: str
    feminine: bool


FAMILY = Kind(
    "Family",
    "PickFamilies",
    "famille",
    "Chercher une famille par son nom ou le prénom d'un enfant",
    "familles",
    True,
)
STRUCTURE = Kind(
    "Structure",
    "PickStructures",
    "structure",
    "Chercher une structure par son nom",
    "structures",
    True,
)
ORGANISATION = Kind(
    "Organisation",
    "PickOrganisations",
    "gestionnaire",
    "Chercher un gestionnaire par son nom",
    "gestionnaires",
    False,
)

# The pole's kits and partners, for plugins' forms (an SNU day's kits, its groups'
# partners): lists that grow past a hundred in a large pole.
KIT = Kind("Kit", "PickKits", "malle", "Chercher une malle par son nom", "malles", True)
PARTNER = Kind(
    "Partner",
    "PickPartners",
    "partenaire",
    "Chercher un partenaire par son nom",
    "partenaires",
    False,
)


@dataclass
class Picker:
    """One picker as its macro renders it."""

    field: str  # the form field that carries the chosen id(s): familyId, structureIds…
    kind: Kind
    search: str  # what the person typed in the search field
    chosen: list[str]
    options: list[dict[str, str]] = field(default_factory=list)  # value, label
    total: int = 0  # how many match the search
    listed: int = 0  # how many of them the list shows
    # The ids the form asked for, offered or not: ``chosen`` is those among ``options``.
    asked: list[str] = field(default_factory=list)

    @property
    def search_name(self) -> str:
        return self.kind.search

    def put_first(self, options: list[dict[str, str]]) -> None:
        """``options`` (value, label) at the top of the list, whether or not the search
        found them: a follow-up's own structures before the pole's others."""
        values = {o["value"] for o in options}
        self.options = list(options) + [o for o in self.options if o["value"] not in values]
        # An id the form asked for that only these options hold is chosen too (a kit the
        # day took, withdrawn since: sent back unchanged, not dropped).
        offered = {o["value"] for o in self.options}
        self.chosen = [i for i in self.asked if i in offered]

    @property
    def status(self) -> str:
        """What the list holds, in the hint under the search field."""
        plural, e = self.kind.plural, "e" if self.kind.feminine else ""
        firsts = "premières" if self.kind.feminine else "premiers"
        if self.search:
            if self.total == 0:
                return f"Aucun{e} {plural[:-1]} ne correspond à « {self.search} »."
            if self.total > self.listed:
                return (
                    f"{self.total} {plural} correspondent à « {self.search} » : "
                    f"les {self.listed} {firsts} sont dans la liste, précisez la recherche."
                )
            noun = plural if self.total > 1 else plural[:-1]
            return f"{self.total} {noun} pour « {self.search} »."
        if self.total > self.listed:
            return (
                f"La liste montre les {self.listed} {firsts} des {self.total} {plural} "
                "par ordre alphabétique : cherchez les autres par leur nom."
            )
        return ""


def search_asked(view: PageView, *pickers: Picker | Kind) -> bool:
    """The form was sent to search, not to be saved: its « Chercher » button, or a
    search typed that differs from the one its list shows (Enter in the search field)."""
    if view.request.method != "POST":
        return False
    if view.form.get(SEARCH_BUTTON):
        return True
    names = [p.search_name if isinstance(p, Picker) else p.search for p in pickers]
    return any(view.value(name) != view.value(f"{name}-liste") for name in names)


async def pick(
    view: PageView, kind: Kind, field_name: str, chosen: str | list[str] | None = None
) -> Picker:
    """The picker of ``field_name``: the first ``PAGE`` of ``kind`` matching the search
    typed (``view.value(kind.search)``), and ``chosen`` (by default the form's value of
    ``field_name``, one or several ids) first, read by id when the list misses it."""
    if chosen is None:
        chosen = view.values(field_name)
    ids = [chosen] if isinstance(chosen, str) else list(chosen)
    ids = [i for i in dict.fromkeys(i.strip() for i in ids) if i]
    found = Picker(field_name, kind, view.value(kind.search), ids)
    if kind is ORGANISATION:
        answer = await view.run(kind.operation)
        every = [_option(kind, o) for o in (answer.data or {}).get("organisations") or []]
        words = normalize_name(found.search).split()
        matching = [o for o in every if all(w in normalize_name(o["label"]) for w in words)]
        found.total, listed = len(matching), matching[:PAGE]
    else:
        answer = await view.run(kind.operation, search=found.search or None, first=PAGE)
        connection = next(iter((answer.data or {}).values()), None) or {}
        found.total = connection.get("totalCount", 0)
        listed = [_option(kind, e["node"]) for e in connection.get("edges", [])]
    found.listed = len(listed)
    shown = {o["value"] for o in listed}
    # The chosen ones the list misses come first, read by their id; the others keep
    # their place in the list.
    missed: list[dict[str, str]] = []
    for node_id in ids:
        if node_id in shown:
            continue
        answer = await view.run("PickedNode", id=node_id)
        node = (answer.data or {}).get("node") or {}
        # An id of another kind (or of nothing the person may see) is not a choice.
        if node.get("__typename") == kind.type_name:
            missed.append(_option(kind, node))
    found.options = missed + listed
    kept = {o["value"] for o in found.options}
    found.asked = ids
    found.chosen = [i for i in ids if i in kept]
    return found


def structure_options(structures: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A structure picker's options for structures read elsewhere (id, name, kindLabel)."""
    return [_option(STRUCTURE, s) for s in structures]


def _option(kind: Kind, node: dict[str, Any]) -> dict[str, str]:
    label = node["name"]
    if kind is STRUCTURE and node.get("kindLabel"):
        label = f"{label} ({node['kindLabel']})"
    return {"value": node["id"], "label": label}
