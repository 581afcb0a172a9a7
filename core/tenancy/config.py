"""The poles' own description: one ``tenants/<slug>.toml`` file per pole.

The files are the source of truth an operator edits and reviews in version control;
``maillage tenants sync`` copies them into the ``tenants`` table. Parsing is strict
(unknown keys refused, typed settings) because a typo in a setting name would
otherwise be silently ignored and the pole would run on a default nobody chose.

Every problem of every file is collected before anything is raised, so the operator
fixes the whole directory in one pass instead of one error per run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ConfigurationError
from core.territory.models import Commune, Departement

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
PLUGIN_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DEPARTEMENT_RE = re.compile(r"^(?:[0-9]{2}|2[AB]|9[78][0-9])$")
INSEE_RE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,25}$")
WEBSITE_RE = re.compile(r"^https?://\S+$")
TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

FIRST_YEAR = 1900

TOP_LEVEL_KEYS = (
    "slug",
    "name",
    "short_name",
    "operator",
    "departement",
    "since",
    "description",
    "active",
    "contact",
    "settings",
    "plugins",
    "oidc",
)
# [oidc]: the pole's OpenID Connect provider (ProConnect or its own). The secret never
# sits in the file (the tenants directory is public): the file names the variable.
OIDC_KEYS = (
    "issuer",
    "client_id",
    "client_secret_env",
    "label",
    "scopes",
    "acr_values",
    "email_verification",
)
# "claim": the email_verified claim must be true; "provider": the federation vouches
# for its addresses (ProConnect sends no email_verified), only false is refused.
OIDC_EMAIL_VERIFICATION = ("claim", "provider")
OIDC_DEFAULT_SCOPES = "openid email given_name usual_name"
ENV_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]{2,99}$")
CONTACT_KEYS = ("email", "phone", "address", "commune", "website")
PLUGIN_KEYS = ("enabled", "settings")


# --- Errors -------------------------------------------------------------------------------


class TenantConfigError(ConfigurationError):
    """One problem in one tenant file; ``field`` is ``"<file>:<key path>"``."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(reason, field=f"{file}:{key}" if key else file)


class TenantConfigErrors(TenantConfigError):
    """Every problem found in a tenants directory, raised once.

    With a single problem it reads exactly like that problem (same ``field`` and
    message), so the CLI's one-line report stays precise.
    """

    def __init__(self, problems: Sequence[TenantConfigError]) -> None:
        if not problems:
            raise ValueError("TenantConfigErrors needs at least one problem")
        self.problems: list[TenantConfigError] = list(problems)
        if len(self.problems) == 1:
            only = self.problems[0]
            super().__init__(only.file, only.key, only.reason)
            return
        lines = [f"{len(self.problems)} problèmes dans les fichiers des pôles :"]
        lines += [f"  {problem.field}: {problem.reason}" for problem in self.problems]
        ConfigurationError.__init__(self, "\n".join(lines), field=None)
        self.file = ""
        self.key = ""
        self.reason = self.message


# --- Settings registry --------------------------------------------------------------------


def _check_timezone(value: Any) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"fuseau horaire inconnu « {value} » (exemple : « Europe/Paris »)"
    return None


# Lower bounds (in years) of the age brackets a pole's figures use; the last one is open.
DEFAULT_AGE_BRACKETS = (0, 3, 6, 12)


def age_brackets_problem(value: Any) -> str | None:
    """French reason why ``value`` is not a list of age brackets' lower bounds."""
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        return f"liste d'âges entiers attendue (exemple : [0, 3, 6, 12]), reçu {_describe(value)}"
    if value[0] != 0 or any(b <= a for a, b in itertools.pairwise(value)):
        return "les âges commencent à 0 et croissent strictement (exemple : [0, 3, 6, 12])"
    if value[-1] > 25 or len(value) > 12:
        return "au plus 12 tranches, et des âges jusqu'à 25 ans"
    return None


@dataclass(frozen=True)
class SettingSpec:
    """A per-pole setting: its type, default and bounds, checked when the file is read."""

    name: str
    type: type
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    check: Callable[[Any], str | None] | None = None

    def problem(self, value: Any) -> str | None:
        """French reason why ``value`` is refused, or None when it is acceptable."""
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return f"nombre entier attendu, reçu {_describe(value)}"
            if self.minimum is not None and value < self.minimum:
                return f"{value} est trop petit (entre {self.minimum} et {self.maximum})"
            if self.maximum is not None and value > self.maximum:
                return f"{value} est trop grand (entre {self.minimum} et {self.maximum})"
        elif self.type is str:
            if not isinstance(value, str):
                return f"texte attendu, reçu {_describe(value)}"
            if self.choices is not None and value not in self.choices:
                return f"valeur « {value} » non admise (valeurs : {', '.join(self.choices)})"
        elif self.type is bool and not isinstance(value, bool):
            return f"booléen attendu (true/false), reçu {_describe(value)}"
        if self.check is not None:
            return self.check(value)
        return None


TENANT_SETTINGS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        SettingSpec(
            "default_loan_days", int, 21, "durée de prêt par défaut (jours)", minimum=1, maximum=365
        ),
        SettingSpec(
            "retention_years_after_closing",
            int,
            5,
            "conservation des dossiers après clôture (années)",
            minimum=1,
            maximum=30,
        ),
        SettingSpec(
            "follow_up_idle_days",
            int,
            60,
            "suivi sans activité signalé après (jours)",
            minimum=1,
            maximum=365,
        ),
        SettingSpec(
            "request_unanswered_days",
            int,
            7,
            "demande sans réponse signalée après (jours)",
            minimum=1,
            maximum=90,
        ),
        SettingSpec(
            "questionnaire_link_days",
            int,
            60,
            "validité d'un lien de questionnaire (jours)",
            minimum=1,
            maximum=365,
        ),
        SettingSpec(
            "timezone", str, "Europe/Paris", "fuseau horaire du pôle", check=_check_timezone
        ),
        SettingSpec("locale", str, "fr", "langue de l'interface", choices=("fr", "en")),
        SettingSpec(
            "age_brackets",
            list,
            list(DEFAULT_AGE_BRACKETS),
            "tranches d'âge des chiffres et du rapport (âge de début de chaque tranche)",
            check=age_brackets_problem,
        ),
        SettingSpec(
            "report_publication_threshold",
            int,
            5,
            "copie publiée du rapport : effectifs de personnes en dessous affichés « < seuil »",
            minimum=2,
            maximum=20,
        ),
    )
}


def default_settings() -> dict[str, Any]:
    return {name: spec.default for name, spec in TENANT_SETTINGS.items()}


# --- Parsed configuration -----------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    commune: str | None = None
    website: str | None = None

    def as_dict(self) -> dict[str, str]:
        """Only the keys the file gives: an absent key stays absent in the database."""
        return {key: value for key in CONTACT_KEYS if (value := getattr(self, key)) is not None}


@dataclass(frozen=True)
class PluginConfig:
    enabled: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "settings": dict(self.settings)}


@dataclass(frozen=True)
class TenantConfig:
    """One pole as its file describes it, structurally valid (references not yet checked)."""

    file: str
    slug: str
    name: str
    short_name: str
    operator: str
    departement: str
    since: int | None = None
    description: str = ""
    active: bool = True
    contact: Contact = field(default_factory=Contact)
    settings: dict[str, Any] = field(default_factory=default_settings)
    plugins: dict[str, PluginConfig] = field(default_factory=dict)
    oidc: dict[str, str] | None = None

    @property
    def enabled_plugins(self) -> list[str]:
        return sorted(name for name, plugin in self.plugins.items() if plugin.enabled)

    def plugins_dict(self) -> dict[str, dict[str, Any]]:
        return {name: plugin.as_dict() for name, plugin in sorted(self.plugins.items())}


# --- Parsing ------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    kinds = {
        bool: "un booléen",
        int: "un nombre",
        float: "un nombre décimal",
        str: "un texte",
        list: "une liste",
        dict: "une table",
    }
    return kinds.get(type(value), type(value).__name__)


class _FileReader:
    """Reads one parsed file, recording each problem instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[TenantConfigError] = []
        self.slug: str | None = None

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(TenantConfigError(self.file, key, reason))

    def refuse_unknown(self, table: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}",
                    f"clé inconnue « {key} » (clés admises : {', '.join(allowed)})",
                )

    def text(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_help: str = "",
    ) -> str | None:
        if key not in table:
            if required:
                self.fail(path, "clé obligatoire absente")
            return None
        value = table[key]
        if not isinstance(value, str):
            self.fail(path, f"texte attendu, reçu {_describe(value)}")
            return None
        if not value.strip():
            self.fail(path, "ne doit pas être vide")
            return None
        if max_length is not None and len(value) > max_length:
            self.fail(path, f"{len(value)} caractères, {max_length} au plus")
            return None
        if pattern is not None and not pattern.match(value):
            self.fail(path, f"« {value} » invalide : {pattern_help}")
            return None
        return value

    def table(self, parent: Mapping[str, Any], key: str, path: str) -> dict[str, Any] | None:
        if key not in parent:
            return None
        value = parent[key]
        if not isinstance(value, dict):
            self.fail(path, f"table attendue ([{path}]), reçu {_describe(value)}")
            return None
        return value

    def read(self, data: dict[str, Any]) -> TenantConfig | None:
        self.refuse_unknown(data, TOP_LEVEL_KEYS, "")

        slug = self.text(
            data,
            "slug",
            "slug",
            required=True,
            pattern=SLUG_RE,
            pattern_help="3 à 63 caractères parmi a-z, 0-9 et « - », "
            "sans tiret au début ni à la fin",
        )
        self.slug = slug
        if slug is not None and self.file != f"{slug}.toml":
            self.fail("slug", f"le fichier doit s'appeler « {slug}.toml » (nom = slug + .toml)")
        name = self.text(data, "name", "name", required=True, max_length=200)
        short_name = self.text(data, "short_name", "short_name", required=True, max_length=60)
        operator = self.text(data, "operator", "operator", required=True, max_length=200)
        departement = self.text(
            data,
            "departement",
            "departement",
            required=True,
            pattern=DEPARTEMENT_RE,
            pattern_help="code de département en texte, par exemple « 62 », « 2A » ou « 974 »",
        )
        since = self._since(data)
        description = ""
        if "description" in data:
            if isinstance(data["description"], str):
                description = data["description"].strip()
            else:
                self.fail("description", f"texte attendu, reçu {_describe(data['description'])}")
        active = True
        if "active" in data:
            if isinstance(data["active"], bool):
                active = data["active"]
            else:
                self.fail(
                    "active", f"booléen attendu (true/false), reçu {_describe(data['active'])}"
                )
        contact = self._contact(data)
        settings = self._settings(data)
        plugins = self._plugins(data)
        oidc = self._oidc(data)

        if self.problems:
            return None
        assert slug and name and short_name and operator and departement
        return TenantConfig(
            file=self.file,
            slug=slug,
            name=name.strip(),
            short_name=short_name.strip(),
            operator=operator.strip(),
            departement=departement,
            since=since,
            description=description,
            active=active,
            contact=contact,
            settings=settings,
            plugins=plugins,
            oidc=oidc,
        )

    def _oidc(self, data: Mapping[str, Any]) -> dict[str, str] | None:
        table = self.table(data, "oidc", "oidc")
        if table is None:
            return None
        self.refuse_unknown(table, OIDC_KEYS, "oidc.")
        issuer = self.text(table, "issuer", "oidc.issuer", required=True, max_length=300)
        if issuer is not None:
            parts = urlsplit(issuer)
            loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                self.fail("oidc.issuer", "URL https:// attendue (http seulement en boucle locale)")
        client_id = self.text(table, "client_id", "oidc.client_id", required=True, max_length=200)
        secret_env = self.text(
            table,
            "client_secret_env",
            "oidc.client_secret_env",
            required=True,
            pattern=ENV_NAME_RE,
            pattern_help="nom de variable d'environnement (MAJUSCULES, chiffres, _) : le "
            "secret lui-même ne va jamais dans ce fichier public",
        )
        label = self.text(table, "label", "oidc.label", required=False, max_length=60)
        scopes = self.text(table, "scopes", "oidc.scopes", required=False, max_length=300)
        if scopes is not None and "openid" not in scopes.split():
            self.fail("oidc.scopes", "la portée « openid » est obligatoire")
        acr = self.text(table, "acr_values", "oidc.acr_values", required=False, max_length=100)
        verification = self.text(
            table, "email_verification", "oidc.email_verification", required=False
        )
        if verification is not None and verification not in OIDC_EMAIL_VERIFICATION:
            self.fail(
                "oidc.email_verification",
                f"« {verification} » : attendu {' ou '.join(OIDC_EMAIL_VERIFICATION)}",
            )
        if issuer is None or client_id is None or secret_env is None:
            return None
        found = {
            "issuer": issuer.rstrip("/"),
            "client_id": client_id,
            "client_secret_env": secret_env,
            "label": label or "ProConnect",
            "scopes": scopes or OIDC_DEFAULT_SCOPES,
        }
        if acr:
            found["acr_values"] = acr
        if verification:
            found["email_verification"] = verification
        return found

    def _since(self, data: Mapping[str, Any]) -> int | None:
        if "since" not in data:
            return None
        value = data["since"]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail("since", f"année attendue (nombre entier), reçu {_describe(value)}")
            return None
        this_year = dt.date.today().year
        if not FIRST_YEAR <= value <= this_year:
            self.fail("since", f"année {value} improbable (entre {FIRST_YEAR} et {this_year})")
            return None
        return value

    def _contact(self, data: Mapping[str, Any]) -> Contact:
        table = self.table(data, "contact", "contact")
        if table is None:
            return Contact()
        self.refuse_unknown(table, CONTACT_KEYS, "contact.")
        checks: dict[str, tuple[re.Pattern[str] | None, str]] = {
            "email": (EMAIL_RE, "adresse électronique attendue"),
            "phone": (PHONE_RE, "numéro de téléphone attendu, par exemple « 03 00 00 00 00 »"),
            "address": (None, ""),
            "commune": (INSEE_RE, "code INSEE de commune attendu (5 caractères, ex. « 62119 »)"),
            "website": (WEBSITE_RE, "adresse web attendue, commençant par https://"),
        }
        values = {
            key: self.text(
                table,
                key,
                f"contact.{key}",
                required=False,
                max_length=300,
                pattern=pattern,
                pattern_help=help_text,
            )
            for key, (pattern, help_text) in checks.items()
        }
        return Contact(**values)

    def _settings(self, data: Mapping[str, Any]) -> dict[str, Any]:
        merged = default_settings()
        table = self.table(data, "settings", "settings")
        if table is None:
            return merged
        self.refuse_unknown(table, TENANT_SETTINGS, "settings.")
        for key, value in table.items():
            spec = TENANT_SETTINGS.get(key)
            if spec is None:
                continue
            reason = spec.problem(value)
            if reason is not None:
                self.fail(f"settings.{key}", reason)
            else:
                merged[key] = value
        return merged

    def _plugins(self, data: Mapping[str, Any]) -> dict[str, PluginConfig]:
        table = self.table(data, "plugins", "plugins")
        if table is None:
            return {}
        plugins: dict[str, PluginConfig] = {}
        for name, body in table.items():
            path = f"plugins.{name}"
            if not PLUGIN_NAME_RE.match(name):
                self.fail(
                    path,
                    f"nom d'extension « {name} » invalide : une minuscule puis minuscules, "
                    "chiffres ou « _ »",
                )
                continue
            if not isinstance(body, dict):
                self.fail(path, f"table attendue ([{path}]), reçu {_describe(body)}")
                continue
            self.refuse_unknown(body, PLUGIN_KEYS, f"{path}.")
            enabled = body.get("enabled")
            if "enabled" not in body:
                self.fail(f"{path}.enabled", "clé obligatoire absente (enabled = true ou false)")
            elif not isinstance(enabled, bool):
                self.fail(
                    f"{path}.enabled", f"booléen attendu (true/false), reçu {_describe(enabled)}"
                )
            settings = self.table(body, "settings", f"{path}.settings")
            if isinstance(enabled, bool):
                plugins[name] = PluginConfig(enabled=enabled, settings=dict(settings or {}))
        return plugins


def _toml_problem(file: str, exc: tomllib.TOMLDecodeError) -> TenantConfigError:
    message = str(exc)
    position = TOML_POSITION_RE.search(message)
    if position is None:
        return TenantConfigError(file, "", f"TOML invalide : {message}")
    line, column = position.groups()
    reason = message[: position.start()]
    return TenantConfigError(file, f"line {line}", f"TOML invalide (colonne {column}) : {reason}")


@dataclass(frozen=True)
class FileResult:
    """One file read: its config (None if anything is wrong), its problems, and the slug
    it claims when readable, so duplicates are caught even in a file with other faults."""

    config: TenantConfig | None
    problems: list[TenantConfigError]
    slug: str | None = None


def read_tenant_file(path: Path) -> FileResult:
    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return FileResult(None, [_toml_problem(file, exc)])
    except UnicodeDecodeError:
        return FileResult(None, [TenantConfigError(file, "", "le fichier doit être en UTF-8")])
    except OSError as exc:
        return FileResult(
            None, [TenantConfigError(file, "", f"lecture impossible : {exc.strerror}")]
        )
    reader = _FileReader(file)
    config = reader.read(data)
    return FileResult(config, reader.problems, reader.slug)


def tenant_files(directory: Path) -> list[Path]:
    """The ``*.toml`` files of the directory, sorted; hidden files (editor swaps) skipped."""
    return sorted(
        path
        for path in directory.glob("*.toml")
        if path.is_file() and not path.name.startswith(".")
    )


def scan_tenant_dir(directory: Path) -> tuple[list[TenantConfig], list[TenantConfigError]]:
    """Parse every file and cross-check slugs; never raises for a problem in a file."""
    where = str(directory)
    if not directory.is_dir():
        return [], [TenantConfigError(where, "", "dossier des pôles introuvable")]
    paths = tenant_files(directory)
    if not paths:
        return [], [
            TenantConfigError(
                where,
                "",
                "aucun fichier *.toml : un dossier vide désactiverait tous les pôles, "
                "vérifiez --dir ou MAILLAGE_TENANTS_DIR",
            )
        ]
    configs: list[TenantConfig] = []
    problems: list[TenantConfigError] = []
    owners: dict[str, str] = {}
    for path in paths:
        result = read_tenant_file(path)
        problems += result.problems
        if result.slug is not None:
            if result.slug in owners:
                problems.append(
                    TenantConfigError(
                        path.name,
                        "slug",
                        f"slug « {result.slug} » déjà utilisé par {owners[result.slug]}",
                    )
                )
                continue
            owners[result.slug] = path.name
        if result.config is not None:
            configs.append(result.config)
    return configs, problems


def load_tenant_dir(path: Path) -> list[TenantConfig]:
    """Parse and structurally validate a tenants directory; raise every problem at once."""
    configs, problems = scan_tenant_dir(Path(path))
    if problems:
        raise TenantConfigErrors(problems)
    return configs


# --- Reference checks ---------------------------------------------------------------------


async def reference_problems(
    session: AsyncSession, configs: Sequence[TenantConfig]
) -> list[TenantConfigError]:
    """Départements and communes the files name must exist; two queries, whatever the count."""
    codes = {config.departement for config in configs}
    insee_codes = {config.contact.commune for config in configs if config.contact.commune}
    known_departements: dict[str, str] = {}
    if codes:
        rows = await session.execute(
            select(Departement.code, Departement.name).where(Departement.code.in_(codes))
        )
        known_departements = {code: name for code, name in rows.all()}
    communes: dict[str, tuple[str, str]] = {}
    if insee_codes:
        rows = await session.execute(
            select(Commune.insee_code, Commune.name, Commune.departement_code).where(
                Commune.insee_code.in_(insee_codes)
            )
        )
        communes = {insee: (name, departement) for insee, name, departement in rows.all()}

    problems: list[TenantConfigError] = []
    for config in configs:
        if config.departement not in known_departements:
            problems.append(
                TenantConfigError(
                    config.file,
                    "departement",
                    f"département « {config.departement} » inconnu du référentiel "
                    "(chargé par « maillage territory load »)",
                )
            )
        insee = config.contact.commune
        if insee is None:
            continue
        if insee not in communes:
            problems.append(
                TenantConfigError(
                    config.file, "contact.commune", f"commune INSEE « {insee} » inconnue"
                )
            )
            continue
        commune_name, commune_departement = communes[insee]
        if commune_departement != config.departement:
            problems.append(
                TenantConfigError(
                    config.file,
                    "contact.commune",
                    f"{commune_name} ({insee}) est dans le département {commune_departement}, "
                    f"pas dans celui du pôle ({config.departement})",
                )
            )
    return problems


async def validate_against_reference(
    session: AsyncSession, configs: Sequence[TenantConfig]
) -> None:
    """Raise every reference problem at once; ``session`` is a reference session."""
    problems = await reference_problems(session, configs)
    if problems:
        raise TenantConfigErrors(problems)
