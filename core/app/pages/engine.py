"""The page engine: every screen contributed through ``maillage_pages`` becomes a
route behind one gate, renders in one layout, and reads and writes through the named
operations executed in process with the person's own request context.

The gate, for every page:

* no session (or a refused one) → ``/auth/login?next=<this page>``;
* no pole chosen → the pole page (choose one; it says so when there is none);
* a plugin's page for a pole that did not enable it → 404;
* the page's action not among the person's actions (the API's ``viewer.actions``) →
  403, and the navigation never links there;
* a POST from another site is refused (core.app.cross_site), and a cookie session's
  form must carry the session's CSRF token (hidden field ``csrf``): the request's
  context then lets mutations through exactly as the ``X-CSRF-Token`` header does
  for GraphiQL.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import strawberry
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.api.context import Context
from core.api.pages import (
    MAX_UPLOAD_BYTES,
    OperationResult,
    PageView,
    ShownPanel,
    Upload,
    date_fr,
    number_fr,
)
from core.app.cross_site import from_our_pages
from core.app.pages.operations import OperationBook, core_operations_dir
from core.auth import sessions
from core.auth.secrets import same
from core.auth.service import AuthService
from core.contributions import NavEntry, Page
from core.plugins.host import CORE, PluginHost, PluginStartupError

log = logging.getLogger("maillage.pages")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).resolve().parents[1] / "static" / "pages"
STATIC_PREFIX = "/static/pages"
ContextFactory = Callable[[Request], Awaitable[Context]]


def environment(folders: list[Path]) -> jinja2.Environment:
    return _environment(tuple(folders))


# One per set of folders in a process: an environment keeps its compiled templates (and
# reloads one whose file changed), so every app of a process — the test suite builds one
# per test — compiles a page's template once, not once per app.
@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in folders]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_fr"] = date_fr
    env.filters["number_fr"] = number_fr
    return env


class PageEngine:
    def __init__(
        self,
        *,
        schema: strawberry.Schema,
        host: PluginHost,
        auth: AuthService,
        make_context: ContextFactory,
    ) -> None:
        self.schema, self.host, self.auth, self.make_context = schema, host, auth, make_context
        contributed = host.contributions.pages
        self.book = OperationBook.load(
            schema,
            [(CORE, core_operations_dir())]
            + [(owner, c.operations) for owner, c in contributed if c.operations is not None],
        )
        problems = self.book.check_declared(CORE, ["Layout"], "(gabarit)")
        for owner, panel in host.contributions.panels:
            where = f"(panneau {panel.title})"
            problems += self.book.check_declared(owner, [panel.operation], where)
        for owner, contribution in contributed:
            for page in contribution.pages:
                problems += self.book.check_declared(owner, page.operations, page.path)
        if problems:
            raise PluginStartupError(problems)
        self.env = environment(
            [TEMPLATES] + [c.templates for _, c in contributed if c.templates is not None]
        )
        missing = [
            (owner, f"le panneau {panel.title} utilise le gabarit introuvable {panel.template}")
            for owner, panel in host.contributions.panels
            if not self._template_exists(panel.template)
        ]
        if missing:
            raise PluginStartupError(missing)

    def _template_exists(self, name: str) -> bool:
        try:
            self.env.get_template(name)
        except jinja2.TemplateNotFound:
            return False
        return True

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route(page.path, self._endpoint(owner, page), methods=list(page.methods))
            for owner, contribution in self.host.contributions.pages
            for page in contribution.pages
        ]
        routes.append(Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC), name="pages-static"))
        return routes

    # --- one request -------------------------------------------------------------------

    def _endpoint(self, owner: str, page: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            ctx = await self.make_context(request)
            try:
                return await self._serve(request, ctx, owner, page)
            finally:
                await ctx.close()

        endpoint.__name__ = getattr(page.handler, "__name__", "page")
        return endpoint

    async def _serve(self, request: Request, ctx: Context, owner: str, page: Page) -> Response:
        if ctx.principal.refused_credential or ctx.actor is None:
            return _to_login(request)
        if ctx.tenant is None and page.needs_pole:
            # Several memberships and none chosen yet (or none at all): the pole page
            # lets the person choose, or says there is none.
            return RedirectResponse("/pole", status_code=303)
        form: dict[str, list[str]] = {}
        files: dict[str, Upload] = {}
        if request.method == "POST":
            if not from_our_pages(request):
                return self._bare_error(403, "Envoi refusé", "Ce formulaire vient d'un autre site.")
            async with request.form() as data:
                for key, value in data.multi_items():
                    if isinstance(value, str):
                        form.setdefault(key, []).append(value)
                    elif value.filename:
                        content = await value.read(MAX_UPLOAD_BYTES + 1)
                        files[key] = Upload(
                            value.filename,
                            value.content_type or "",
                            content[:MAX_UPLOAD_BYTES],
                            too_large=len(content) > MAX_UPLOAD_BYTES,
                        )
            ctx.csrf_failed = not self._csrf_ok(ctx, form)
            if ctx.csrf_failed:
                return self._bare_error(
                    403,
                    "Session changée",
                    "Votre session a changé depuis l'affichage de cette page : "
                    "revenez en arrière, rechargez la page et renvoyez le formulaire.",
                )
        layout = await self._layout(request, ctx)
        view = PageView(
            request=request,
            context=ctx,
            form=form,
            layout=layout,
            _run=lambda name, variables: self.run(ctx, name, variables),
            _render=self._render,
            operations=frozenset(page.operations),
            _panels=lambda slot, variables: self._panels(ctx, layout, slot, variables),
            files=files,
        )
        if owner != CORE and owner not in await ctx.enabled_plugins():
            return view.not_found()
        if page.action is not None and page.action not in layout["actions"]:
            return view.render(
                "error.html",
                status_code=403,
                title="Accès refusé",
                message="Votre rôle dans ce pôle ne donne pas accès à cette page.",
            )
        return await page.handler(view)  # type: ignore[no-any-return]

    def _csrf_ok(self, ctx: Context, form: Mapping[str, list[str]]) -> bool:
        principal = ctx.principal
        if not principal.via_cookie or principal.session_id is None:
            return True
        given = (form.get("csrf") or [""])[0]
        return bool(given) and same(given, sessions.csrf_token(self.auth, principal.session_id))

    async def run(self, ctx: Context, name: str, variables: Mapping[str, Any]) -> OperationResult:
        """Execute the named operation through the composed schema, in ``ctx``: the
        request's own session, actor, audit and loaders, as an API call would."""
        operation = self.book[name]
        result = await self.schema.execute(
            operation.source,
            variable_values=dict(variables),
            context_value=ctx,
            operation_name=name,
        )
        errors = [
            {
                "code": str((e.extensions or {}).get("code", "INTERNAL")),
                "field": (e.extensions or {}).get("field"),
                "message": e.message,
            }
            for e in result.errors or []
        ]
        return OperationResult(result.data, errors)

    async def _layout(self, request: Request, ctx: Context) -> dict[str, Any]:
        """The layout's values: the pole, the person, their other poles, the
        navigation their actions allow, the form token — read through the API."""
        answer = await self.run(ctx, "Layout", {})
        data = answer.data or {}
        viewer = data.get("viewer") or {}
        actions = frozenset(viewer.get("actions") or ())
        enabled = await ctx.enabled_plugins()
        entries: list[NavEntry] = [
            entry
            for group in self.host.tenant_caller("maillage_navigation", enabled)()
            for entry in group or ()
            if entry.action is None or entry.action in actions
        ]
        entries.sort(key=lambda e: (e.order, e.label))
        path = request.url.path
        principal = ctx.principal
        csrf = (
            sessions.csrf_token(self.auth, principal.session_id)
            if principal.session_id is not None
            else ""
        )
        return {
            "pole": (data.get("tenant") or {}).get("name", ""),
            "departement": (data.get("tenant") or {}).get("departementCode", ""),
            "person": viewer.get("displayName", ""),
            "several_poles": len(viewer.get("memberships") or ()) > 1,
            "actions": actions,
            "csrf": csrf,
            "nav": [
                {
                    "label": e.label,
                    "path": e.path,
                    "current": path == e.path or (e.path != "/" and path.startswith(e.path)),
                }
                for e in entries
            ],
        }

    async def _panels(
        self, ctx: Context, layout: Mapping[str, Any], slot: str, variables: Mapping[str, Any]
    ) -> list[ShownPanel]:
        """The panels of ``slot`` this pole enabled and this person may see, each run
        through its operation in the person's request (audited, gated as the API) and
        rendered with its template. A failing panel is logged and shown as failed: a
        plugin never takes core's page down with it."""
        enabled = await ctx.enabled_plugins()
        shown = []
        for owner, panel in self.host.contributions.panels:
            if panel.slot != slot or (owner != CORE and owner not in enabled):
                continue
            if panel.action is not None and panel.action not in layout["actions"]:
                continue
            try:
                answer = await self.run(ctx, panel.operation, variables)
                if "INTERNAL" in answer.codes():
                    raise RuntimeError(f"{panel.operation}: {answer.errors}")
                html = self._render(
                    panel.template,
                    {**layout, "data": answer.data or {}, "errors": answer.errors, **variables},
                )
                shown.append(ShownPanel(owner, panel.title, Markup(html)))
            except Exception:
                log.exception("panel failed", extra={"plugin": owner, "panel": panel.title})
                shown.append(ShownPanel(owner, panel.title, "", failed=True))
        return shown

    def _render(self, template: str, values: Mapping[str, Any]) -> str:
        return self.env.get_template(template).render(values)

    def _bare_error(self, status: int, title: str, message: str) -> Response:
        view_values = {"pole": "", "person": "", "nav": [], "csrf": "", "several_poles": False}
        html = self._render(
            "error.html", {**view_values, "title": title, "message": message, "bare": True}
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/login?{urlencode({'next': target})}", status_code=303)
