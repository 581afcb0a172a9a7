"""Settings read from the environment, with documented defaults (README, "Configuration").

Every variable starts with ``MAILLAGE_``. Defaults suit the demo: an embedded SQLite
database under ``var/`` and a demo secret. Production mode refuses both unless the
operator says so explicitly, so a forgotten variable cannot ship a toy install.

``var/`` and ``tenants/`` are the install's, not the current folder's (decision 107):
they sit in the install's folder (``MAILLAGE_HOME``; by default the checkout the code
runs from, else the Python environment's prefix), so a command run from a plugin's
folder finds the same database. ``maillage db where`` says which one and why.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from core.database_url import DatabaseUrlError, split_query
from core.errors import ConfigurationError

DEMO_SECRET_KEY = "demo-secret-key-do-not-use-in-production-0000"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# core/auth/passwords.py's profiles (the settings sit below the auth layer).
PASSWORD_PROFILES = ("rfc9106", "tests")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class Mode(StrEnum):
    DEMO = "demo"
    PRODUCTION = "production"


# Mail relay URLs (docs/decisions.md, 76). The certificate is always verified.
MAIL_SCHEMES = {
    "smtps": "TLS dès la connexion (port 465)",
    "smtp+starttls": "STARTTLS obligatoire (port 587)",
    "smtp": "sans chiffrement : relais local uniquement (port 25)",
}
MAIL_EXAMPLE = "smtp+starttls://utilisateur:mot-de-passe@smtp.exemple.fr:587"


def is_local_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_mail_url(mail: str, *, allow_plain: bool) -> None:
    """Refuse a relay URL that would send badly: unknown scheme, no host, or mail in
    clear text across a network without the operator saying so."""
    if mail == "console":
        return
    parts = urlsplit(mail)
    if parts.scheme not in MAIL_SCHEMES or not parts.hostname:
        schemes = ", ".join(f"{s}:// ({what})" for s, what in MAIL_SCHEMES.items())
        raise ConfigurationError(
            f"attendu 'console' ou une URL de relais : {schemes} ; ex. {MAIL_EXAMPLE}",
            field="MAILLAGE_MAIL",
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigurationError("port du relais invalide", field="MAILLAGE_MAIL") from None
    if parts.scheme == "smtp" and not allow_plain and not is_local_host(parts.hostname):
        raise ConfigurationError(
            f"smtp:// envoie sans chiffrement : réservé à un relais sur cette machine "
            f"(localhost, 127.0.0.1) ; pour {parts.hostname}, écrivez smtp+starttls:// "
            "(STARTTLS, ce que smtp:// voulait dire avant) ou smtps:// (TLS), ou "
            "acceptez le clair avec MAILLAGE_MAIL_ALLOW_PLAIN=1",
            field="MAILLAGE_MAIL",
        )


def trusted_proxies(raw: str) -> tuple[str, ...]:
    """Parse MAILLAGE_FORWARDED_ALLOW_IPS strictly: uvicorn silently reads a mistyped
    address as a name that never matches, which is the very failure this guards."""
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if items == ("*",):
        return items
    for item in items:
        try:
            if "/" in item:
                ipaddress.ip_network(item)
            else:
                ipaddress.ip_address(item)
        except ValueError:
            raise ConfigurationError(
                f"adresse ou réseau invalide {item!r} : attendu par ex. 127.0.0.1, "
                "172.30.57.0/24 (adresse de réseau exacte) ou *",
                field="MAILLAGE_FORWARDED_ALLOW_IPS",
            ) from None
    return items


def install_home(env: Mapping[str, str]) -> tuple[Path, str]:
    """The install's folder and what chose it: ``MAILLAGE_HOME``; else the source
    checkout holding this code (``make demo``, an editable install); else the Python
    environment maillage is installed in. Never the current folder."""
    raw = env.get("MAILLAGE_HOME", "").strip()
    if raw:
        return Path(raw).expanduser().resolve(), "MAILLAGE_HOME"
    checkout = Path(__file__).resolve().parents[1]
    project = checkout / "pyproject.toml"
    if project.is_file() and 'name = "maillage"' in project.read_text(encoding="utf-8"):
        return checkout, "checkout"
    return Path(sys.prefix).resolve(), "environment"


@dataclass(frozen=True)
class Settings:
    mode: Mode = Mode.DEMO
    # The install's folder (install_home) and what chose it; relative folders below are
    # read from it.
    home: Path = Path(".")
    home_source: str = "environment"
    var_dir: Path = Path("var")
    # Which setting chose the database: MAILLAGE_DATABASE_URL, MAILLAGE_VAR_DIR or home.
    database_source: str = "home"
    # URLs may carry passwords: kept out of repr() so a logged Settings leaks nothing.
    database_url: str = field(default="", repr=False)
    migration_database_url: str = field(default="", repr=False)
    platform_database_url: str = field(default="", repr=False)
    runtime_role: str = "maillage_app"
    platform_role: str = "maillage_platform"
    # The national network's database role: a network request reads the releases as
    # this role (SELECT on the release tables only; decision 151).
    network_role: str = "maillage_network"
    secret_key: str = field(default=DEMO_SECRET_KEY, repr=False)
    log_level: str = "INFO"
    log_format: str = "json"
    tenants_dir: Path = Path("tenants")
    host: str = "127.0.0.1"
    port: int = 8000
    graphiql: bool = True
    introspection: bool = True
    allow_sqlite_in_production: bool = False
    plugins: tuple[str, ...] | None = None
    # Auth (docs/decisions.md, "Authentication"): the issuer of access tokens and the
    # base of every link sent by mail.
    public_url: str = "http://127.0.0.1:8000"
    access_token_seconds: int = 300
    session_hours: int = 12
    login_max_failures: int = 5
    login_max_failures_per_address: int = 30
    login_window_seconds: int = 900
    # "console" (logs the mail; the demo) or a relay URL (MAIL_SCHEMES, decision 76).
    mail: str = field(default="console", repr=False)
    # CA bundle that signs the relay's certificate (a private CA); None: the system's.
    mail_ca_file: Path | None = None
    # smtp:// (no encryption) to a relay that is not on this machine: explicit opt-in.
    mail_allow_plain: bool = False
    # The bearer token Prometheus sends to read /metrics; empty: /metrics is not served.
    metrics_token: str = field(default="", repr=False)
    mail_from: str = "maillage <no-reply@maillage.invalid>"
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (the reverse proxy):
    # addresses or networks; "*" trusts everyone; empty trusts none (decision 78).
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1",)
    # Largest request body read (JSON GraphQL documents, forms): 413 above it.
    max_body_bytes: int = 1024 * 1024
    # The runtime role's connection pool, per worker process (decision 93): connections
    # kept open, opened beyond them under load, and the age after which one is replaced.
    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_pool_recycle: int = 1800
    # The cost of a password hash (core/auth/passwords.py, decision 214): "rfc9106", or
    # "tests" for a test suite's installs (production refuses it).
    password_profile: str = "rfc9106"

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the environment; raise ConfigurationError naming the variable."""
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str) -> str:
            return env.get(f"MAILLAGE_{name}", default).strip()

        def flag(name: str, default: bool) -> bool:
            raw = get(name, "1" if default else "0").lower()
            if raw in _TRUE:
                return True
            if raw in _FALSE:
                return False
            raise ConfigurationError(
                f"valeur booléenne attendue (1/0, true/false), reçu {raw!r}",
                field=f"MAILLAGE_{name}",
            )

        raw_mode = get("MODE", "demo").lower()
        try:
            mode = Mode(raw_mode)
        except ValueError:
            raise ConfigurationError(
                f"mode inconnu {raw_mode!r} : attendu 'demo' ou 'production'",
                field="MAILLAGE_MODE",
            ) from None
        production = mode is Mode.PRODUCTION

        home, home_source = install_home(env)
        var_dir = (home / Path(get("VAR_DIR", "var")).expanduser()).resolve()
        default_url = f"sqlite+aiosqlite:///{var_dir / 'maillage.sqlite3'}"
        database_url = get("DATABASE_URL", default_url)
        database_source = next(
            (f"MAILLAGE_{n}" for n in ("DATABASE_URL", "VAR_DIR") if get(n, "")), "home"
        )
        migration_url = get("MIGRATION_DATABASE_URL", database_url)
        platform_url = get("PLATFORM_DATABASE_URL", migration_url)
        for name, url in (
            ("DATABASE_URL", database_url),
            ("MIGRATION_DATABASE_URL", migration_url),
            ("PLATFORM_DATABASE_URL", platform_url),
        ):
            if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
                raise ConfigurationError(
                    "URL non prise en charge : utilisez sqlite+aiosqlite:///chemin "
                    "ou postgresql+asyncpg://utilisateur@hôte/base",
                    field=f"MAILLAGE_{name}",
                )
            if url.startswith("postgresql"):
                try:
                    split_query(url)
                except DatabaseUrlError as exc:
                    raise ConfigurationError(str(exc), field=f"MAILLAGE_{name}") from None

        log_level = get("LOG_LEVEL", "INFO").upper()
        if log_level not in _LOG_LEVELS:
            raise ConfigurationError(
                f"niveau inconnu {log_level!r} : {', '.join(sorted(_LOG_LEVELS))}",
                field="MAILLAGE_LOG_LEVEL",
            )
        log_format = get("LOG_FORMAT", "json").lower()
        if log_format not in {"json", "console"}:
            raise ConfigurationError(
                "format attendu 'json' ou 'console'", field="MAILLAGE_LOG_FORMAT"
            )

        raw_port = get("PORT", "8000")
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise ConfigurationError(f"port invalide {raw_port!r}", field="MAILLAGE_PORT")

        raw_plugins = env.get("MAILLAGE_PLUGINS")
        plugins = (
            tuple(sorted({p.strip() for p in raw_plugins.split(",") if p.strip()}))
            if raw_plugins is not None
            else None
        )

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = get(name, str(default))
            if not raw.isdigit() or not low <= int(raw) <= high:
                raise ConfigurationError(
                    f"entier attendu entre {low} et {high}, reçu {raw!r}", field=f"MAILLAGE_{name}"
                )
            return int(raw)

        public_url = get("PUBLIC_URL", f"http://{get('HOST', '127.0.0.1')}:{raw_port}").rstrip("/")
        if not public_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                "URL publique attendue (https://maillage.exemple.fr)", field="MAILLAGE_PUBLIC_URL"
            )
        mail = get("MAIL", "console")
        mail_ca_file = get("MAIL_CA_FILE", "")
        mail_allow_plain = flag("MAIL_ALLOW_PLAIN", False)
        check_mail_url(mail, allow_plain=mail_allow_plain)
        if mail_ca_file and not Path(mail_ca_file).is_file():
            raise ConfigurationError(
                f"fichier de certificats introuvable : {mail_ca_file}",
                field="MAILLAGE_MAIL_CA_FILE",
            )

        forwarded_allow_ips = trusted_proxies(get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
        metrics_token = get("METRICS_TOKEN", "")
        if metrics_token and len(metrics_token) < 16:
            raise ConfigurationError(
                "jeton d'au moins 16 caractères attendu (il protège /metrics)",
                field="MAILLAGE_METRICS_TOKEN",
            )

        password_profile = get("PASSWORD_PROFILE", "rfc9106").lower()
        if password_profile not in PASSWORD_PROFILES:
            raise ConfigurationError(
                f"profil inconnu {password_profile!r} : attendu "
                + " ou ".join(repr(p) for p in PASSWORD_PROFILES),
                field="MAILLAGE_PASSWORD_PROFILE",
            )

        settings = cls(
            mode=mode,
            home=home,
            home_source=home_source,
            var_dir=var_dir,
            database_source=database_source,
            database_url=database_url,
            migration_database_url=migration_url,
            platform_database_url=platform_url,
            runtime_role=get("DB_RUNTIME_ROLE", "maillage_app"),
            platform_role=get("DB_PLATFORM_ROLE", "maillage_platform"),
            network_role=get("DB_NETWORK_ROLE", "maillage_network"),
            secret_key=get("SECRET_KEY", "" if production else DEMO_SECRET_KEY),
            log_level=log_level,
            log_format=log_format,
            tenants_dir=home / Path(get("TENANTS_DIR", "tenants")).expanduser(),
            host=get("HOST", "127.0.0.1"),
            port=int(raw_port),
            graphiql=flag("GRAPHIQL", not production),
            introspection=flag("INTROSPECTION", not production),
            allow_sqlite_in_production=flag("ALLOW_SQLITE_IN_PRODUCTION", False),
            plugins=plugins,
            public_url=public_url,
            access_token_seconds=integer("ACCESS_TOKEN_SECONDS", 300, 30, 3600),
            session_hours=integer("SESSION_HOURS", 12, 1, 24 * 30),
            login_max_failures=integer("LOGIN_MAX_FAILURES", 5, 1, 1000),
            login_max_failures_per_address=integer("LOGIN_MAX_FAILURES_PER_ADDRESS", 30, 1, 10000),
            login_window_seconds=integer("LOGIN_WINDOW_SECONDS", 900, 1, 86400),
            mail=mail,
            mail_ca_file=Path(mail_ca_file) if mail_ca_file else None,
            mail_allow_plain=mail_allow_plain,
            mail_from=get("MAIL_FROM", "maillage <no-reply@maillage.invalid>"),
            forwarded_allow_ips=forwarded_allow_ips,
            metrics_token=metrics_token,
            max_body_bytes=integer("MAX_BODY_BYTES", 1024 * 1024, 1024, 1024 * 1024 * 1024),
            db_pool_size=integer("DB_POOL_SIZE", 20, 1, 1000),
            db_max_overflow=integer("DB_MAX_OVERFLOW", 10, 0, 1000),
            db_pool_recycle=integer("DB_POOL_RECYCLE", 1800, 30, 86400),
            password_profile=password_profile,
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unsafe combinations; production must be configured on purpose."""
        if not self.secret_key:
            raise ConfigurationError(
                "aucune clé secrète : définissez une valeur aléatoire d'au moins 32 caractères",
                field="MAILLAGE_SECRET_KEY",
            )
        if not self.is_production:
            return
        if self.secret_key == DEMO_SECRET_KEY or len(self.secret_key) < 32:
            raise ConfigurationError(
                "le mode production refuse la clé de démonstration ou une clé de moins "
                "de 32 caractères (générez-en une : python -c "
                "'import secrets; print(secrets.token_urlsafe(48))')",
                field="MAILLAGE_SECRET_KEY",
            )
        if not self.public_url.startswith("https://"):
            raise ConfigurationError(
                "le mode production sert l'API en HTTPS : donnez son adresse publique "
                "(https://…), qui est aussi l'émetteur des jetons",
                field="MAILLAGE_PUBLIC_URL",
            )
        if self.mail == "console":
            raise ConfigurationError(
                "le mode production envoie les courriels (liens de réinitialisation, "
                f"invitations) par un relais SMTP : {MAIL_EXAMPLE} (sans relais, "
                "« maillage members invite --print-link » donne le lien d'invitation)",
                field="MAILLAGE_MAIL",
            )
        if self.password_profile == "tests":
            raise ConfigurationError(
                "le mode production refuse le profil « tests » : les mots de passe y "
                "seraient hachés au coût d'une suite de tests (retirez la variable ou "
                "donnez rfc9106)",
                field="MAILLAGE_PASSWORD_PROFILE",
            )
        if self.is_sqlite and not self.allow_sqlite_in_production:
            raise ConfigurationError(
                "le mode production attend PostgreSQL ; pour une installation embarquée "
                "assumée, définissez MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION=1",
                field="MAILLAGE_DATABASE_URL",
            )
