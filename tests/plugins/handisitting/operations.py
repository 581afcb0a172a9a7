"""GraphQL documents and small helpers shared by the handisitting tests."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from core.access.actions import Actor
from core.testing.accounts import sign_in

ERRORS = "errors { code field message }"
SITTER_FIELDS = (
    "id firstName lastName status { value } blocking"
    " documents { id kind { value } checked downloadPath }"
)
APPLY = f"""mutation($input: HandisittingApplyInput!) {{ handisittingApply(input: $input) {{
  sitter {{ {SITTER_FIELDS} }} {ERRORS} }} }}"""
ADD_DOCUMENT = f"""mutation($input: HandisittingAddDocumentInput!) {{
  handisittingAddDocument(input: $input) {{
  document {{ id checked size downloadPath }} {ERRORS} }} }}"""
CHECK_DOCUMENT = f"""mutation($id: ID!) {{ handisittingCheckDocument(documentId: $id) {{
  document {{ id checked }} {ERRORS} }} }}"""
VET = f"""mutation($input: HandisittingVetInput!) {{ handisittingVet(input: $input) {{
  sitter {{ {SITTER_FIELDS} vetting {{ status {{ value }} reason }} }} {ERRORS} }} }}"""
LINK = f"""mutation($input: HandisittingLinkAccountInput!) {{
  handisittingLinkAccount(input: $input) {{ sitter {{ id hasAccount }} {ERRORS} }} }}"""
RECORD_REQUEST = f"""mutation($input: HandisittingRecordRequestInput!) {{
  handisittingRecordRequest(input: $input) {{ request {{ id status {{ value }} weekdayLabel
  child {{ firstName }} }} {ERRORS} }} }}"""
CANDIDATES = """query($r: ID!) { handisitting { candidates(requestId: $r) {
  sitter { id lastName } total warnings parts { name label points weight detail } } } }"""
PROPOSE = f"""mutation($input: HandisittingProposeInput!) {{ handisittingPropose(input: $input) {{
  proposal {{ id status {{ value }} total warnings }} {ERRORS} }} }}"""
ANSWER = f"""mutation($input: HandisittingAnswerProposalInput!) {{
  handisittingAnswerProposal(input: $input) {{
  proposal {{ id status {{ value }} }} {ERRORS} }} }}"""
MEET = f"""mutation($input: HandisittingRecordMeetingInput!) {{
  handisittingRecordMeeting(input: $input) {{
  proposal {{ id status {{ value }} metOn }} {ERRORS} }} }}"""
AGREE = f"""mutation($input: HandisittingAgreeInput!) {{ handisittingAgree(input: $input) {{
  booking {{ id status {{ value }} shareUntil sittings {{ id on status {{ value }} hours }} }}
  {ERRORS} }} }}"""
CANCEL = f"""mutation($input: HandisittingCancelBookingInput!) {{
  handisittingCancelBooking(input: $input) {{ booking {{ id status {{ value }} }} {ERRORS} }} }}"""
SITTING = f"""mutation($input: HandisittingRecordSittingInput!) {{
  handisittingRecordSitting(input: $input) {{ sitting {{ id status {{ value }} }} {ERRORS} }} }}"""
FEEDBACK = f"""mutation($input: HandisittingLeaveFeedbackInput!) {{
  handisittingLeaveFeedback(input: $input) {{
  sitting {{ id feedback {{ side {{ value }} rating }} }}
  {ERRORS} }} }}"""
INCIDENT = f"""mutation($input: HandisittingReportIncidentInput!) {{
  handisittingReportIncident(input: $input) {{
  incident {{ id reportedBy {{ value }} }} {ERRORS} }} }}"""
NEEDS = """query($b: ID!) { handisitting { needsSheet(bookingId: $b) {
  childFirstName childAge needs startsAt endsAt openUntil } } }"""
MY_BOOKINGS = """{ handisitting { myBookings { id childFirstName needsSheetOpen
  sittings { id status { value } } } } }"""
MY_PROPOSALS = "{ handisitting { myProposals { id status { value } } } }"
FAMILIES = """{ families(first: 50) { edges { node { id name commune { inseeCode }
  children { id firstName } } } } }"""
RECORD_CONSENT = f"""mutation($f: ID!, $at: DateTime!) {{ recordConsent(input: {{familyId: $f,
  purpose: "share_with_sitter", givenBy: "La mère", givenAt: $at}}) {{
  family {{ consents {{ id purpose active }} }} {ERRORS} }} }}"""
WITHDRAW_CONSENT = (
    f"""mutation($id: ID!) {{ withdrawConsent(id: $id, by: "La mère") {{ {ERRORS} }} }}"""
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_WEEK = [{"weekday": d, "startsAt": "08:00", "endsAt": "20:00"} for d in range(7)]


def today() -> dt.date:
    """Today, asked when used: a constant taken when the module is imported goes stale
    when the run crosses midnight, while the app asks the date at each request."""
    return dt.date.today()


def data(result: dict[str, Any], *path: str) -> Any:
    assert not result.get("errors"), result.get("errors")
    found: Any = result["data"]
    for key in path:
        found = found[key]
    return found


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    payload = data(result, field)
    assert payload["errors"] == [], payload["errors"]
    return payload


def error_of(result: dict[str, Any], field: str) -> tuple[str, str]:
    errors = data(result, field)["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["message"]
    return errors[0]["code"], errors[0]["field"]


def sitter_input(commune: str, **change: Any) -> dict[str, Any]:
    return {
        "firstName": "Camille",
        "lastName": "Verdonck",
        "email": f"camille.{change.pop('tag', 'v')}@exemple.invalid",
        "communeInsee": commune,
        "travelKm": 20,
        "background": "medico_social",
        "backgroundDetail": "3e année d'éducatrice spécialisée",
        "skills": ["autism", "first_aid"],
        "availability": ALL_WEEK,
        **change,
    }


async def pole(make_tenant: Any, enable_plugin: Any, departement: str = "63") -> Any:
    """A pole with core's demo directory and families, the plugin enabled."""
    tenant = await make_tenant(departement, core_demo=True)
    await enable_plugin(tenant, "handisitting")
    return tenant


async def families(graphql: Any, tenant: Any) -> list[dict[str, Any]]:
    found = data(await graphql.execute(FAMILIES, tenant=tenant), "families", "edges")
    return [e["node"] for e in found if e["node"]["children"]]


async def approved_sitter(graphql: Any, tenant: Any, commune: str, **change: Any) -> dict[str, Any]:
    """A sitter through the whole vetting path, with checked documents."""
    sitter = ok(
        await graphql.execute(APPLY, {"input": sitter_input(commune, **change)}, tenant=tenant),
        "handisittingApply",
    )["sitter"]
    for kind in ("identity", "criminal_record"):
        doc = ok(
            await graphql.execute(
                ADD_DOCUMENT,
                {
                    "input": {
                        "sitterId": sitter["id"],
                        "kind": kind,
                        "filename": f"{kind}.pdf",
                        "contentBase64": base64.b64encode(PDF).decode(),
                        "issuedOn": (today() - dt.timedelta(days=30)).isoformat(),
                        "expiresOn": (today() + dt.timedelta(days=300)).isoformat(),
                    }
                },
                tenant=tenant,
            ),
            "handisittingAddDocument",
        )["document"]
        ok(
            await graphql.execute(CHECK_DOCUMENT, {"id": doc["id"]}, tenant=tenant),
            "handisittingCheckDocument",
        )
    for status in ("interview", "documents_checked", "approved"):
        sitter = ok(
            await graphql.execute(
                VET,
                {"input": {"sitterId": sitter["id"], "status": status, "reason": "Étape validée"}},
                tenant=tenant,
            ),
            "handisittingVet",
        )["sitter"]
    return sitter


async def request_for(
    graphql: Any,
    tenant: Any,
    family: dict[str, Any],
    *,
    first_on: dt.date,
    weeks: int = 0,
    **change: Any,
) -> dict[str, Any]:
    return ok(
        await graphql.execute(
            RECORD_REQUEST,
            {
                "input": {
                    "familyId": family["id"],
                    "childId": family["children"][0]["id"],
                    "needs": "Autiste, emploi du temps visuel, casque anti-bruit dans l'entrée.",
                    "skills": ["autism"],
                    "firstOn": first_on.isoformat(),
                    "lastOn": (first_on + dt.timedelta(weeks=weeks)).isoformat(),
                    "weekly": weeks > 0,
                    "startsAt": "14:00",
                    "endsAt": "17:30",
                    **change,
                }
            },
            tenant=tenant,
        ),
        "handisittingRecordRequest",
    )["request"]


async def sitter_account(graphql: Any, tenant: Any) -> tuple[Actor, str]:
    """A person with the ``sitter`` role in the pole, and their account id."""
    actor = Actor(
        subject=f"test:sitter-{id(tenant)}",
        display_name="Intervenante",
        roles=frozenset({"sitter"}),
    )
    _, user_id = await sign_in(graphql.app.state.auth, actor, tenant)
    return actor, str(user_id)


async def booked(
    graphql: Any, tenant: Any, request: dict[str, Any], sitter: dict[str, Any], agreed_on: dt.date
) -> dict[str, Any]:
    """Propose, accept, meet, agree: the booking."""
    proposal = ok(
        await graphql.execute(
            PROPOSE,
            {
                "input": {
                    "requestId": request["id"],
                    "sitterId": sitter["id"],
                    "confirmWarnings": True,
                }
            },
            tenant=tenant,
        ),
        "handisittingPropose",
    )["proposal"]
    ok(
        await graphql.execute(
            ANSWER, {"input": {"proposalId": proposal["id"], "accept": True}}, tenant=tenant
        ),
        "handisittingAnswerProposal",
    )
    ok(
        await graphql.execute(
            MEET,
            {
                "input": {
                    "proposalId": proposal["id"],
                    "metOn": (agreed_on - dt.timedelta(days=1)).isoformat(),
                }
            },
            tenant=tenant,
        ),
        "handisittingRecordMeeting",
    )
    return ok(
        await graphql.execute(
            AGREE,
            {"input": {"proposalId": proposal["id"], "agreedOn": agreed_on.isoformat()}},
            tenant=tenant,
        ),
        "handisittingAgree",
    )["booking"]
