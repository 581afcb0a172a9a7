"""A real local OpenID Connect provider for tests, and a browser-less sign-in.

`LocalOidcProvider` runs ``node tests/auth/oidc_provider/provider.mjs`` (panva's OpenID-certified
``oidc-provider``) on plain http on 127.0.0.1 with the given clients and accounts; see the header
of ``provider.mjs`` for what it serves. `sign_in` plays the user's browser: it follows the
authorization request to the provider's login page, submits the account's ``login`` (its ``sub``
or its email) and hands back the redirect to the relying party (code and state in the query),
without requesting it.

The provider needs Node.js (>= 20) and its npm packages::

    npm ci --prefix tests/auth/oidc_provider

`node_available()` says why the provider cannot run, if it cannot.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
PROVIDER_SCRIPT = PROVIDER_DIR / "provider.mjs"
NPM_INSTALL_COMMAND = "npm ci --prefix tests/auth/oidc_provider"
MIN_NODE_MAJOR = 20

# The ProConnect-shaped scopes the provider knows (see provider.mjs): "profile" carries name,
# given_name and usual_name; "given_name" and "usual_name" are also scopes of their own.
DEFAULT_SCOPE = "openid email profile"


class OidcProviderUnavailable(RuntimeError):
    """Node.js or the provider's npm packages are missing (see `node_available`)."""


class OidcProviderError(RuntimeError):
    """The provider process did not start, or stopped."""


class OidcSignInError(RuntimeError):
    """`sign_in` could not get through the provider's interaction pages."""


@dataclass(frozen=True)
class OidcClient:
    """A relying party registered at the provider (oidc-provider client metadata)."""

    client_id: str
    client_secret: str
    redirect_uris: Sequence[str]
    # "client_secret_basic" (HTTP Basic) or "client_secret_post" (secret in the form body).
    token_endpoint_auth_method: str = "client_secret_basic"
    # Any other oidc-provider client metadata, e.g. post_logout_redirect_uris,
    # userinfo_signed_response_alg="RS256" (userinfo as a signed JWT, as ProConnect does).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            **self.extra,
        }


@dataclass(frozen=True)
class OidcAccount:
    """A user of the provider; its claims are the ProConnect ones (plus `extra`)."""

    sub: str
    email: str
    email_verified: bool = True
    given_name: str | None = None
    usual_name: str | None = None
    # More claims, each also requestable by a scope of the same name (e.g. {"siret": "..."}).
    extra: Mapping[str, str | int | bool] = field(default_factory=dict)

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "given_name": self.given_name,
            "usual_name": self.usual_name,
            **self.extra,
        }
        return {key: value for key, value in claims.items() if value is not None}


def _client_metadata(client: OidcClient | Mapping[str, Any]) -> dict[str, Any]:
    return client.metadata() if isinstance(client, OidcClient) else dict(client)


def _account_claims(account: OidcAccount | Mapping[str, Any]) -> dict[str, Any]:
    return account.claims() if isinstance(account, OidcAccount) else dict(account)


@functools.cache
def _node_version(node: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        return tuple(int(part) for part in out.strip().lstrip("v").split("."))
    except ValueError:
        return None


def _pinned_version() -> str | None:
    package = json.loads((PROVIDER_DIR / "package.json").read_text(encoding="utf-8"))
    pinned = package.get("dependencies", {}).get("oidc-provider")
    return pinned if isinstance(pinned, str) else None


def node_available() -> str | None:
    """Why the local provider cannot run here (None when it can)."""
    node = shutil.which("node")
    if node is None:
        return (
            f"no `node` binary on PATH: the local OIDC provider needs Node.js >= {MIN_NODE_MAJOR}"
        )
    version = _node_version(node)
    if version is None or version[0] < MIN_NODE_MAJOR:
        shown = ".".join(map(str, version)) if version else "unknown"
        return f"`{node}` is Node.js {shown}; the local OIDC provider needs >= {MIN_NODE_MAJOR}"
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not installed.is_file():
        return (
            f"the local OIDC provider's npm packages are not installed: run `{NPM_INSTALL_COMMAND}`"
        )
    have = json.loads(installed.read_text(encoding="utf-8")).get("version")
    pinned = _pinned_version()
    if pinned is not None and have != pinned:
        return (
            f"oidc-provider {have} is installed but package.json pins {pinned}: "
            f"run `{NPM_INSTALL_COMMAND}`"
        )
    return None


class LocalOidcProvider:
    """``node provider.mjs`` on 127.0.0.1, for the life of a ``with`` block.

    >>> with LocalOidcProvider(clients=[...], accounts=[...]) as op:
    ...     op.issuer  # "http://127.0.0.1:<port>"

    The issuer is always the IP literal 127.0.0.1 (never "localhost"), on plain http. Startup
    takes about half a second (a fresh RS256 key is made each time); `startup_seconds` says.
    """

    def __init__(
        self,
        clients: Iterable[OidcClient | Mapping[str, Any]],
        accounts: Iterable[OidcAccount | Mapping[str, Any]],
        *,
        port: int = 0,
        conform_id_token_claims: bool = False,
        debug: bool = False,
        startup_timeout: float = 20.0,
    ) -> None:
        """`conform_id_token_claims`: True keeps scope claims out of the ID token (userinfo only);
        by default the ID token carries email, email_verified, given_name, usual_name, name."""
        self._clients = [_client_metadata(c) for c in clients]
        self._accounts = [_account_claims(a) for a in accounts]
        self._port = port
        self._conform = conform_id_token_claims
        self._debug = debug
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._issuer: str | None = None
        self.startup_seconds: float | None = None

    # -- what tests use -------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        if self._issuer is None:
            raise OidcProviderError("the provider is not running")
        return self._issuer

    @property
    def port(self) -> int:
        port = urlsplit(self.issuer).port
        assert port is not None
        return port

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def logs(self) -> str:
        """What the provider wrote to stderr so far (warnings, server errors, debug lines)."""
        return self._read("stderr.log")

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._process is not None:
            raise OidcProviderError("the provider is already started")
        reason = node_available()
        if reason is not None:
            raise OidcProviderUnavailable(reason)
        node = shutil.which("node")
        assert node is not None
        self._workdir = tempfile.TemporaryDirectory(prefix="maillage-oidc-")
        env = {
            **os.environ,
            "OIDC_PORT": str(self._port),
            "OIDC_CLIENTS": json.dumps(self._clients),
            "OIDC_ACCOUNTS": json.dumps(self._accounts),
            "OIDC_CONFORM_ID_TOKEN_CLAIMS": "1" if self._conform else "0",
            "OIDC_DEBUG": "1" if self._debug else "0",
            "OIDC_EXIT_ON_STDIN_CLOSE": "1",
            "NODE_ENV": "test",
        }
        started = time.monotonic()
        # Output goes to files, not pipes: nobody has to drain them while the tests run.
        with (
            open(self._path("stdout.log"), "ab") as stdout,
            open(self._path("stderr.log"), "ab") as stderr,
        ):
            self._process = subprocess.Popen(
                [node, str(PROVIDER_SCRIPT)],
                cwd=PROVIDER_DIR,
                env=env,
                stdin=subprocess.PIPE,  # closed by stop(), or by the OS if this process dies
                stdout=stdout,
                stderr=stderr,
            )
        try:
            self._issuer = self._wait_ready(started + self._startup_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        self._issuer = None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        assert self._workdir is not None
        return Path(self._workdir.name) / name

    def _read(self, name: str) -> str:
        if self._workdir is None:
            return ""
        try:
            return self._path(name).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _wait_ready(self, deadline: float) -> str:
        assert self._process is not None
        while True:
            for line in self._read("stdout.log").splitlines():
                if line.startswith("READY "):
                    return line.removeprefix("READY ").strip()
            code = self._process.poll()
            if code is not None:
                raise OidcProviderError(
                    f"the OIDC provider exited with code {code} before it was ready; "
                    f"stderr:\n{self.logs()}"
                )
            if time.monotonic() > deadline:
                raise OidcProviderError(
                    f"the OIDC provider was not ready after {self._startup_timeout:g} s; "
                    f"stderr:\n{self.logs()}"
                )
            time.sleep(0.01)


# -- the browser's part ---------------------------------------------------------------------------


@dataclass
class _Form:
    name: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Page(HTMLParser):
    """The forms of a provider page (by name) and its message (the element with id="error")."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, _Form] = {}
        self._form: _Form | None = None
        self._error_depth = 0
        self._error: list[str] = []
        self._auto_submit = "document.forms[0].submit()" in html
        self.feed(html)
        self.close()

    @property
    def auto_submit(self) -> _Form | None:
        """The form the page's script submits on load (``document.forms[0].submit()``)."""
        if self._auto_submit and self.forms:
            return next(iter(self.forms.values()))
        return None

    @property
    def error(self) -> str:
        return " ".join(" ".join(self._error).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if self._error_depth:
            self._error_depth += 1
        elif attributes.get("id") == "error":
            self._error_depth = 1
        if tag == "form":
            name = attributes.get("name") or attributes.get("id") or ""
            self._form = _Form(name=name, action=attributes.get("action", ""))
            self.forms[name] = self._form
        elif tag == "input" and self._form is not None and attributes.get("name"):
            self._form.fields[attributes["name"]] = attributes.get("value", "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        depth = self._error_depth
        self.handle_starttag(tag, attrs)
        self._error_depth = depth

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if self._error_depth:
            self._error_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._error_depth:
            self._error.append(data)


def _page(response: httpx.Response) -> _Page:
    html = response.text if "html" in response.headers.get("content-type", "") else ""
    return _Page(html)


def _describe(response: httpx.Response, page: _Page) -> str:
    return page.error or response.text[:500]


def _without_query(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


async def _drive(
    http: httpx.AsyncClient, authorize_url: str, *, form_name: str, login: str | None
) -> str:
    query = parse_qs(urlsplit(authorize_url).query)
    redirect_uri = query.get("redirect_uri", [""])[0]
    if not redirect_uri:
        raise OidcSignInError(f"the authorization URL has no redirect_uri: {authorize_url}")
    provider_origin = _origin(authorize_url)
    submitted = False

    response = await http.get(authorize_url, follow_redirects=False)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if (
                _without_query(location) == _without_query(redirect_uri)
                or _origin(location) != provider_origin
            ):
                back = parse_qs(urlsplit(location).query)
                if login is not None and not submitted and "code" in back:
                    raise OidcSignInError(
                        f"the provider signed in without asking who: the client already has a "
                        f"session there, so login={login!r} was not used. Use a fresh "
                        f"httpx client (or clear its cookies), or pass login=None for SSO."
                    )
                return location
            response = await http.get(location, follow_redirects=False)
            continue

        page = _page(response)
        if page.auto_submit is not None and form_name not in page.forms:
            # A page a browser submits by itself: oidc-provider uses one to end the current
            # session when another account signs in (prompt=login); response_mode=form_post too.
            target = urljoin(str(response.url), page.auto_submit.action)
            if _origin(target) != provider_origin:
                raise OidcSignInError(
                    f"the provider answers with a form POST to {target} "
                    "(response_mode=form_post?): sign_in only returns query redirects"
                )
            response = await http.post(target, data=page.auto_submit.fields, follow_redirects=False)
            continue
        form = page.forms.get(form_name)
        if form is not None and submitted:
            raise OidcSignInError(
                f"the provider refused login={login!r}: {_describe(response, page)}"
            )
        if form is None:
            raise OidcSignInError(
                f"unexpected response {response.status_code} from {response.url}: "
                f"{_describe(response, page)}"
            )
        if form_name == "login" and login is None:
            raise OidcSignInError("the provider asks who signs in, but login=None was given")
        data = dict(form.fields)
        if login is not None:
            data["login"] = login
        target = urljoin(str(response.url), form.action)
        response = await http.post(target, data=data, follow_redirects=False)
        submitted = True
    raise OidcSignInError(f"too many redirects while signing in at {authorize_url}")


async def sign_in(http: httpx.AsyncClient, authorize_url: str, login: str | None) -> str:
    """Sign in at the provider like a browser would; return the redirect back to the RP.

    `http` is a plain ``httpx.AsyncClient`` (its cookie jar holds the provider's session);
    `authorize_url` is the full authorization request the relying party built (client_id,
    redirect_uri, state, nonce, code_challenge…); `login` is an account's ``sub`` or email.
    The returned URL (the redirect_uri with ``code``, ``state`` and ``iss``, or ``error``) is
    not requested. Consent is given automatically by the provider.

    If this client already has a provider session, the provider does not ask who signs in:
    with a `login` that is an error (it would be ignored); pass ``login=None`` to test SSO or
    ``prompt=none``.
    """
    return await _drive(http, authorize_url, form_name="login", login=login)


async def deny_sign_in(http: httpx.AsyncClient, authorize_url: str) -> str:
    """Cancel on the provider's login page; return the redirect back to the RP
    (``error=access_denied``), not requested."""
    return await _drive(http, authorize_url, form_name="abort", login=None)
