"""GraphQL documents and small steps shared by the udaf_workshops tests.

Everything goes through the real app: these are the calls a pole's staff makes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PARTNERS = "{ partners(first: 100) { edges { node { id name kind } } } }"
FAMILIES = "{ families(first: 50) { edges { node { id name } } } }"


def _mutation(field: str, arguments: str, selection: str) -> str:
    """A mutation document: ``field(arguments)`` answering ``selection`` and the
    payload's coded errors."""
    variables = "$input: " + arguments if arguments[0].isupper() else arguments
    call = "input: $input" if arguments[0].isupper() else "registrationId: $id"
    return (
        f"mutation({variables}) {{ {field}({call}) {{ {selection} "
        "errors { code field message } } }"
    )


RECORD_CONVENTION = _mutation(
    "udafWorkshopsRecordConvention",
    "UdafWorkshopsRecordConventionInput!",
    "convention { id year workshopsPlanned territory partner { id name } "
    "outcome { planned held toCome cancelled summary } }",
)
PLAN = _mutation(
    "udafWorkshopsPlanWorkshop",
    "UdafWorkshopsPlanWorkshopInput!",
    "workshop { id heldOn theme capacity minimumParticipants status { value label } "
    "commune { inseeCode name } "
    "facilitators { side { value } name staffMember { displayName } } }",
)
CHANGE = _mutation(
    "udafWorkshopsChangeStatus",
    "UdafWorkshopsChangeStatusInput!",
    "workshop { id status { value } cancelReason { value label } registered } notified",
)
REGISTER = _mutation(
    "udafWorkshopsRegister",
    "UdafWorkshopsRegisterInput!",
    "registration { id status { value } seats family { id name } parent { id firstName } } "
    "workshop { registered waiting }",
)
WITHDRAW = _mutation(
    "udafWorkshopsWithdraw",
    "$id: ID!",
    "workshop { registered waiting registrations { id status { value } } }",
)
ATTEND = _mutation(
    "udafWorkshopsRecordAttendance",
    "UdafWorkshopsRecordAttendanceInput!",
    "workshop { present attendanceRecorded }",
)
CONVENTIONS = """
query($year: Int) { udafWorkshops { conventions(year: $year) {
  id year partner { name }
  outcome { planned held toCome cancelled parentsRegistered parentsPresent summary
    cancellations { reason { value label } count } }
  workshops { id theme status { value } registered waiting present
    registrations { id status { value } family { name } parent { firstName } } }
} } }
"""

NEEDS_SUMMARY = """
query($year: Int!) { udafWorkshops { needsSummary(year: $year) {
  year answers threshold enough summary childcareShare usefulnessMean
  themes { value label count share } times { value label count share }
  places { value label count share } formats { value count }
} } }
"""
SEND_NEEDS = _mutation(
    "udafWorkshopsSendNeedsQuestionnaire",
    "UdafWorkshopsSendNeedsQuestionnaireInput!",
    "sent alreadySent withoutEmail workshop { id }",
)

# Real communes: Riom and Clermont-Ferrand (63), Arras (62).
RIOM, CLERMONT, ARRAS = "63300", "63113", "62041"
YEAR = dt.date.today().year + 1


def payload(result: dict[str, Any], field: str) -> dict[str, Any]:
    """The answer of ``field``, for a request the server accepted whole."""
    assert not result.get("errors"), result
    return result["data"][field]


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    """A mutation's payload without user errors."""
    answer = payload(result, field)
    assert not answer["errors"], answer["errors"]
    return answer


def error(result: dict[str, Any], field: str) -> tuple[str, str]:
    errors = payload(result, field)["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["message"]
    return errors[0]["code"], errors[0]["field"]


async def partner(graphql: Any, tenant: Any) -> dict[str, Any]:
    found = await graphql.execute(PARTNERS, tenant=tenant)
    nodes = [e["node"] for e in found["data"]["partners"]["edges"]]
    return next(n for n in nodes if n["kind"] == "family_association")


async def families(graphql: Any, tenant: Any) -> list[dict[str, Any]]:
    found = await graphql.execute(FAMILIES, tenant=tenant)
    return [e["node"] for e in found["data"]["families"]["edges"]]


def convention_input(partner_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "partnerId": partner_id,
        "year": YEAR,
        "workshopsPlanned": 5,
        "territory": "Tout le département",
        "funder": "CAF (REAAP)",
        "fundingAmount": "4500.00",
        **kw,
    }


async def convention(graphql: Any, tenant: Any, **kw: Any) -> dict[str, Any]:
    found = await partner(graphql, tenant)
    result = await graphql.execute(
        RECORD_CONVENTION, {"input": convention_input(found["id"], **kw)}, tenant=tenant
    )
    return ok(result, "udafWorkshopsRecordConvention")["convention"]


def workshop_input(convention_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "conventionId": convention_id,
        "heldOn": f"{YEAR}-03-14",
        "startTime": "09:30",
        "endTime": "11:30",
        "communeInsee": RIOM,
        "place": "Maison des associations",
        "theme": "Le sommeil du jeune enfant",
        "capacity": 4,
        "minimumParticipants": 2,
        "udafFacilitators": ["Hélène Marcadier"],
        **kw,
    }


async def plan(graphql: Any, tenant: Any, convention_id: str, **kw: Any) -> dict[str, Any]:
    result = await graphql.execute(
        PLAN, {"input": workshop_input(convention_id, **kw)}, tenant=tenant
    )
    return ok(result, "udafWorkshopsPlanWorkshop")["workshop"]


async def register(graphql: Any, tenant: Any, workshop_id: str, **kw: Any) -> dict[str, Any]:
    result = await graphql.execute(
        REGISTER, {"input": {"workshopId": workshop_id, **kw}}, tenant=tenant
    )
    return ok(result, "udafWorkshopsRegister")


async def change(graphql: Any, tenant: Any, workshop_id: str, status: str, **kw: Any) -> dict:
    return await graphql.execute(
        CHANGE, {"input": {"workshopId": workshop_id, "status": status, **kw}}, tenant=tenant
    )
