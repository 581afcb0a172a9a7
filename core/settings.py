"""Settings read from the environment, with documented defaults (README, "Configuration").

Every variable starts with ``MAILLAGE_``. Defaults suit the demo: an embedded SQLite
database under ``var/`` and a demo secret. Production mode refuses both unless the
operator says so explicitly, so a forgotten variable cannot ship a toy install.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from core.errors import ConfigurationError

DEMO_SECRET_KEY = "demo-secret-key-do-not-use-in-production-0000"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class Mode(StrEnum):
    DEMO = "demo"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Settings:
    mode: Mode = Mode.DEMO
    var_dir: Path = Path("var")
    # URLs may carry passwords: kept out of repr() so a logged Settings leaks nothing.
    database_url: str = field(default="", repr=False)
    migration_database_url: str = field(default="", repr=False)
    platform_database_url: str = field(default="", repr=False)
    runtime_role: str = "maillage_app"
    platform_role: str = "maillage_platform"
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
    # "console" (logs the mail; the demo) or an smtp:// / smtps:// URL.
    mail: str = field(default="console", repr=False)
    mail_from: str = "maillage <no-reply@maillage.invalid>"
    # Largest request body read (JSON GraphQL documents, forms): 413 above it.
    max_body_bytes: int = 1024 * 1024

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

        var_dir = Path(get("VAR_DIR", "var")).resolve()
        default_url = f"sqlite+aiosqlite:///{var_dir / 'maillage.sqlite3'}"
        database_url = get("DATABASE_URL", default_url)
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
        if mail != "console" and not mail.startswith(("smtp://", "smtps://")):
            raise ConfigurationError(
                "attendu 'console' ou smtp://utilisateur:mot-de-passe@hôte:port",
                field="MAILLAGE_MAIL",
            )

        settings = cls(
            mode=mode,
            var_dir=var_dir,
            database_url=database_url,
            migration_database_url=migration_url,
            platform_database_url=platform_url,
            runtime_role=get("DB_RUNTIME_ROLE", "maillage_app"),
            platform_role=get("DB_PLATFORM_ROLE", "maillage_platform"),
            secret_key=get("SECRET_KEY", "" if production else DEMO_SECRET_KEY),
            log_level=log_level,
            log_format=log_format,
            tenants_dir=Path(get("TENANTS_DIR", "tenants")),
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
            mail_from=get("MAIL_FROM", "maillage <no-reply@maillage.invalid>"),
            max_body_bytes=integer("MAX_BODY_BYTES", 1024 * 1024, 1024, 1024 * 1024 * 1024),
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
                "invitations) par un relais SMTP : smtp://utilisateur:mot-de-passe@hôte:587",
                field="MAILLAGE_MAIL",
            )
        if self.is_sqlite and not self.allow_sqlite_in_production:
            raise ConfigurationError(
                "le mode production attend PostgreSQL ; pour une installation embarquée "
                "assumée, définissez MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION=1",
                field="MAILLAGE_DATABASE_URL",
            )
