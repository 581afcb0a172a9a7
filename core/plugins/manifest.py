"""A plugin's manifest: who it is, which API it speaks, what a pole may configure.

The manifest is data, checked at startup before anything of the plugin runs: a
wrong name, an API version this core does not speak or a malformed settings schema
stops startup with a message naming the plugin and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# The plugin API this core speaks. A plugin declares the API it was written for;
# the major number must match and the minor must not be newer than ours: a plugin
# written for 1.0 runs unchanged on 1.1 (1.1 only adds, docs/changelog.md).
API_VERSION = "1.1"

PLUGIN_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
RESERVED_NAMES = frozenset({"core", "maillage", "plugins", "tenant", "tenants", "node"})

SettingType = Literal["bool", "int", "float", "str", "list[str]"]
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "list[str]": (list,),
}


@dataclass(frozen=True)
class Setting:
    """One per-pole setting of a plugin, with its French label.

    Values are checked against ``type``, ``choices`` and ``minimum``/``maximum`` by
    core; a plugin adds cross-field rules in ``maillage_validate_settings``.
    """

    name: str
    type: SettingType
    label: str
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    def check(self, value: Any) -> str | None:
        """The problem with ``value``, in French, or None."""
        expected = _PYTHON_TYPES[self.type]
        if isinstance(value, bool) and self.type in ("int", "float"):
            return f"attendu un nombre ({self.type}), reçu un booléen"
        if not isinstance(value, expected):
            return f"attendu {self.type}, reçu {type(value).__name__}"
        if self.type == "list[str]" and not all(isinstance(v, str) for v in value):
            return "attendu une liste de textes"
        if self.type == "list[str]" and self.choices:
            outside = [v for v in value if v not in self.choices]
            if outside:
                return "valeur(s) hors des choix : " + ", ".join(outside)
        elif self.choices and value not in self.choices:
            return "valeur hors des choix : " + ", ".join(map(str, self.choices))
        if self.minimum is not None and value < self.minimum:
            return f"minimum {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"maximum {self.maximum:g}"
        return None


@dataclass(frozen=True)
class Plugin:
    """The manifest every plugin exposes as ``manifest`` on its entry-point object."""

    name: str
    version: str
    api_version: str
    title: str
    description: str
    requires: tuple[str, ...] = ()
    default_enabled: bool = False
    settings: tuple[Setting, ...] = ()
    homepage: str = ""
    _setting_index: dict[str, Setting] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "requires", tuple(self.requires))
        object.__setattr__(self, "settings", tuple(self.settings))
        object.__setattr__(self, "_setting_index", {s.name: s for s in self.settings})

    @property
    def prefix(self) -> str:
        """PascalCase prefix of the plugin's GraphQL type names: ``referent_charters`` →
        ``ReferentCharters``."""
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def field_name(self) -> str:
        """camelCase name of the namespace field and mutation prefix."""
        prefix = self.prefix
        return prefix[:1].lower() + prefix[1:]

    def problems(self) -> list[str]:
        found = []
        if not PLUGIN_NAME_RE.match(self.name) or self.name in RESERVED_NAMES:
            found.append(
                f"nom invalide {self.name!r} : minuscules, chiffres et _ (2 à 41 caractères), "
                "hors noms réservés"
            )
        if not re.match(r"^\d+\.\d+(\.\d+)?([.+-]?\w+)*$", self.version):
            found.append(f"version invalide {self.version!r} (attendu par exemple 1.0.0)")
        api_problem = api_version_problem(self.api_version)
        if api_problem:
            found.append(api_problem)
        if not self.title.strip() or not self.description.strip():
            found.append("titre et description (en français) obligatoires")
        for required in self.requires:
            if not PLUGIN_NAME_RE.match(required) or required == self.name:
                found.append(f"dépendance invalide {required!r}")
        seen: set[str] = set()
        for setting in self.settings:
            if setting.name in seen:
                found.append(f"réglage {setting.name} déclaré deux fois")
            seen.add(setting.name)
            if setting.type not in _PYTHON_TYPES:
                found.append(f"réglage {setting.name} : type inconnu {setting.type!r}")
            elif setting.default is not None and setting.check(setting.default):
                found.append(
                    f"réglage {setting.name} : valeur par défaut invalide "
                    f"({setting.check(setting.default)})"
                )
        return found

    def settings_problems(self, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(setting, problem) pairs for a pole's settings, core rules only."""
        found = []
        for key in sorted(values):
            setting = self._setting_index.get(key)
            if setting is None:
                known = ", ".join(sorted(self._setting_index)) or "aucun"
                found.append((key, f"réglage inconnu (réglages connus : {known})"))
                continue
            problem = setting.check(values[key])
            if problem:
                found.append((key, problem))
        for setting in self.settings:
            if setting.required and setting.name not in values and setting.default is None:
                found.append((setting.name, "réglage obligatoire"))
        return found

    def with_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        merged = {s.name: s.default for s in self.settings if s.default is not None}
        merged.update(values)
        return merged


def api_version_problem(declared: str) -> str | None:
    """Why a plugin written for API ``declared`` cannot run on this core, or None."""
    try:
        major, minor = (int(part) for part in declared.split("."))
    except ValueError:
        return f"api_version {declared!r} illisible (attendu « majeur.mineur », ex. {API_VERSION})"
    our_major, our_minor = (int(part) for part in API_VERSION.split("."))
    if major != our_major or minor > our_minor:
        return (
            f"écrit pour l'API {declared}, ce cœur parle l'API {API_VERSION} : "
            "mettez à jour le plugin ou maillage"
        )
    return None
