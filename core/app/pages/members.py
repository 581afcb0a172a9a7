"""Core feature: « Membres du pôle » — who works in the pole, with which roles and
sensitive grants; a pole admin invites a person (the activation link goes by mail) and
changes a member's roles, grants or state. Through the named operations of
graphql/operations/Members.graphql: the API's checks (a network role is not given in a
pole, a grant needs a role that may receive it, the last admin stays) answer next to
the field."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from core.access.roles import NETWORK_ROLES
from core.api.pages import FormErrors, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.hooks import hookimpl

READ, MANAGE = "members.read", "members.manage"
STATES = {
    "active": "Actif",
    "invited": "Invité·e (mot de passe à choisir)",
    "disabled": "Compte désactivé",
}
NOTICES = {
    "invited": "Invitation envoyée : la personne choisit son mot de passe par le lien reçu "
    "par courriel.",
    "updated": "Le membre est enregistré.",
}
INVITE_FIELDS = ("displayName", "email", "roles")
# Roles a pole gives (the platform's and the network's sit on the account, given by
# the install's operator).
NOT_GIVEN_HERE = NETWORK_ROLES | {"platform_admin"}


def _choices(data: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The roles a pole gives and the sensitive grants, as checkbox options."""
    roles = [
        {"value": r["name"], "label": r["label"]}
        for r in data.get("roles") or ()
        if r["name"] not in NOT_GIVEN_HERE
    ]
    grants = [
        {"value": p["name"], "label": p["title"]}
        for p in data.get("permissions") or ()
        if p["sensitive"]
    ]
    return roles, grants


def _shown(member: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {
        **member,
        "role_labels": [labels.get(r, r) for r in member["roles"]],
        "grant_labels": [labels.get(g, g) for g in member["grants"]],
        # The membership's own switch first: a member disabled in the pole is so
        # whatever the account's state (« invited » until a password is chosen).
        "state": STATES.get(member["status"], member["status"])
        if member["active"]
        else "Désactivé dans le pôle",
    }


def _labels(data: dict[str, Any]) -> dict[str, str]:
    labels = {r["name"]: r["label"] for r in data.get("roles") or ()}
    labels.update({p["name"]: p["title"] for p in data.get("permissions") or ()})
    return labels


async def members(view: PageView) -> Response:
    errors = FormErrors()
    given: dict[str, Any] = {"displayName": "", "email": "", "roles": ["staff"]}
    if view.request.method == "POST" and view.can(MANAGE):
        given = {
            "displayName": view.value("displayName"),
            "email": view.value("email"),
            "roles": view.values("roles"),
        }
        answer = await view.run("InviteMember", input=given)
        errors = FormErrors.of(answer, "inviteMember", form_fields=INVITE_FIELDS)
        if not errors:
            return view.redirect("/membres", ok="invited")
    answer = await view.run("Members")
    if answer.errors:
        errors = FormErrors.of(answer, form_fields=())
    data = answer.data or {}
    labels = _labels(data)
    found = data.get("members") or {"totalCount": 0, "edges": []}
    listed = [_shown(edge["node"], labels) for edge in found["edges"]]
    roles, _grants = _choices(data)
    return view.render(
        "members/list.html",
        status_code=400 if errors else 200,
        title="Membres du pôle",
        members=listed,
        total=found["totalCount"],
        roles=roles,
        given=given,
        errors=errors,
        can_manage=view.can(MANAGE),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def member(view: PageView) -> Response:
    member_id = view.value("id")
    if not member_id:
        return view.not_found()
    errors = FormErrors()
    answer = await view.run("MemberToEdit", id=member_id)
    data = answer.data or {}
    current = data.get("node")
    if not current:
        return view.not_found()
    given: dict[str, Any] = {
        "roles": current["roles"],
        "grants": current["grants"],
        "active": current["active"],
    }
    if view.request.method == "POST" and view.can(MANAGE):
        given = {
            "roles": view.values("roles"),
            "grants": view.values("grants"),
            "active": view.value("active") == "oui",
        }
        result = await view.run("UpdateMember", id=member_id, input=given)
        errors = FormErrors.of(result, "updateMember", form_fields=("roles", "grants", "active"))
        if not errors:
            return view.redirect("/membres", ok="updated")
    roles, grants = _choices(data)
    return view.render(
        "members/edit.html",
        status_code=400 if errors else 200,
        title=f"Membre : {current['displayName']}",
        member=_shown(current, _labels(data)),
        roles=roles,
        grants=grants,
        given=given,
        errors=errors,
        can_manage=view.can(MANAGE),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/membres",
                members,
                methods=("GET", "POST"),
                action=READ,
                operations=("Members", "InviteMember"),
            ),
            Page(
                "/membre",
                member,
                methods=("GET", "POST"),
                action=READ,
                operations=("MemberToEdit", "UpdateMember"),
            ),
        ]
    )


@hookimpl
def maillage_pages() -> PageContribution:
    return contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return [NavEntry("Membres", "/membres", action=READ, order=95)]
