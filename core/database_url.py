"""What a ``postgresql+asyncpg://`` URL may carry after its ``?``.

PostgreSQL hosts document libpq's forms (``?sslmode=require&sslrootcert=…``), which
SQLAlchemy hands to ``asyncpg.connect()`` as keyword arguments it does not know (a
TypeError at the first connection). ``split_query`` sorts the query: libpq's SSL and
session parameters go back to asyncpg through its own DSN parser (the one that
implements libpq's rules, e.g. ``require`` + ``sslrootcert`` verifies the chain),
``connect_timeout`` becomes asyncpg's ``timeout``, SQLAlchemy's own options stay in
the URL, and anything else is refused before a connection is tried.

Kept at the bottom of the layers (no import from ``core``): the settings validate with
it and ``core.db.engine`` translates with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parsed by asyncpg's DSN parser exactly as libpq does (application_name and options
# travel as startup parameters, which is what libpq sends too).
LIBPQ_PARAMETERS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcrl",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "target_session_attrs",
        "application_name",
        "options",
        "krbsrvname",
        "gsslib",
        "passfile",
    }
)
# Understood by SQLAlchemy's asyncpg dialect or asyncpg's keywords: left in the URL.
DIALECT_PARAMETERS = frozenset({"ssl", "prepared_statement_cache_size", "direct_tls"})
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class DatabaseUrlError(ValueError):
    """The URL's query holds something no driver here understands (French message)."""


@dataclass(frozen=True)
class PostgresQuery:
    url: str  # the URL without the libpq parameters
    libpq: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None

    def connect_args(self) -> dict[str, object]:
        """Keyword arguments for ``asyncpg.connect`` (via SQLAlchemy's connect_args)."""
        args: dict[str, object] = {}
        if self.libpq:
            # Host, user and database come from the URL's keywords, which win over the
            # DSN; the DSN only carries the query.
            args["dsn"] = "postgresql://?" + urlencode(self.libpq)
        if self.timeout is not None:
            args["timeout"] = self.timeout
        return args


def split_query(url: str) -> PostgresQuery:
    """Sort a PostgreSQL URL's query; raise DatabaseUrlError on what cannot be used."""
    parts = urlsplit(url)
    kept: list[tuple[str, str]] = []
    libpq: dict[str, str] = {}
    timeout: float | None = None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in LIBPQ_PARAMETERS:
            libpq[name] = value
        elif name == "connect_timeout":
            try:
                timeout = float(value)
            except ValueError:
                raise DatabaseUrlError(
                    f"connect_timeout attend un nombre de secondes, reçu {value!r}"
                ) from None
            if timeout <= 0:
                # libpq reads 0 as "wait forever"; asyncpg needs a bound: keep its default.
                timeout = None
        elif name in DIALECT_PARAMETERS:
            kept.append((name, value))
        else:
            known = ", ".join(sorted(LIBPQ_PARAMETERS | DIALECT_PARAMETERS | {"connect_timeout"}))
            raise DatabaseUrlError(f"paramètre d'URL inconnu {name!r} (acceptés : {known})")
    mode = libpq.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise DatabaseUrlError(f"sslmode={mode!r} inconnu (acceptés : {', '.join(SSL_MODES)})")
    bare = urlunsplit(parts._replace(query=urlencode(kept)))
    return PostgresQuery(url=bare, libpq=libpq, timeout=timeout)
