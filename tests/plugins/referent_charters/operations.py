"""GraphQL documents and small steps shared by the referent_charters tests.

Everything goes through the real app: these are the calls a pole's staff makes.
"""

from __future__ import annotations

import uuid
from typing import Any

from strawberry import relay

RECORD_SESSION = """
mutation($input: ReferentChartersRecordTrainingSessionInput!) {
  referentChartersRecordTrainingSession(input: $input) {
    trainingSession { id number title referentCount }
    errors { code field message }
  }
}
"""
CORRECT_SESSION = """
mutation($id: ID!, $input: ReferentChartersRecordTrainingSessionInput!) {
  referentChartersCorrectTrainingSession(id: $id, input: $input) {
    trainingSession { id number title startOn endOn days referentCount }
    errors { code field message }
  }
}
"""
REGISTER = """
mutation($input: ReferentChartersRegisterReferentInput!) {
  referentChartersRegisterReferent(input: $input) {
    referent {
      id firstName lastName job { value label } commune { inseeCode name }
      structureKind { value label } structureName
      trainingSession { number referentCount }
    }
    errors { code field message }
  }
}
"""
PUBLISH = """
mutation($input: ReferentChartersPublishCharterInput!) {
  referentChartersPublishCharter(input: $input) {
    charter { id version commitments publishedOn signatureCount }
    errors { code field message }
  }
}
"""
SIGN = """
mutation($input: ReferentChartersRecordSignatureInput!) {
  referentChartersRecordSignature(input: $input) {
    signature {
      charter { version signatureCount }
      signedOn establishmentSignedOn poleSignedOn complete
    }
    referent { id signatures { signedOn complete } }
    errors { code field message }
  }
}
"""
RECORD_MEETING = """
mutation($input: ReferentChartersRecordMeetingInput!) {
  referentChartersRecordMeeting(input: $input) {
    meeting { id heldOn kind { value label } title attendeeCount }
    errors { code field message }
  }
}
"""
ATTEND = """
mutation($input: ReferentChartersRecordAttendanceInput!) {
  referentChartersRecordAttendance(input: $input) {
    meeting { id attendeeCount }
    errors { code field message }
  }
}
"""
REFERENTS = """
{ referentCharters { referents(first: 50) {
    totalCount
    edges { node { id firstName lastName job { value } commune { name }
                   signatures { charter { version } complete } } }
} } }
"""
ATTENDANCE = """
query($year: Int, $behindOnly: Boolean! = false) {
  referentCharters { attendance(year: $year, behindOnly: $behindOnly) {
    referent { lastName } year attended expected behind
  } }
}
"""

# Real communes: Riom and Clermont-Ferrand (63), Arras (62).
RIOM, CLERMONT, ARRAS = "63300", "63113", "62041"


def payload(result: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"][field]


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    data = payload(result, field)
    assert data["errors"] == [], data["errors"]
    return data


def foreign_id(type_name: str) -> str:
    """A well-formed global ID that points at nothing."""
    return relay.to_base64(type_name, str(uuid.uuid4()))


async def record_session(graphql: Any, tenant: Any, **kw: Any) -> dict[str, Any]:
    variables = {"number": 7, "startOn": "2026-03-09", "endOn": "2026-04-13", **kw}
    result = await graphql.execute(RECORD_SESSION, {"input": variables}, tenant=tenant)
    return ok(result, "referentChartersRecordTrainingSession")["trainingSession"]


def referent_input(session_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "firstName": "Claire",
        "lastName": "Dumontel",
        "job": "eje",
        "communeInsee": RIOM,
        "structureKind": "eaje",
        "structureName": "Multi-accueil Les Petits Pas",
        "trainingSessionId": session_id,
        **kw,
    }


async def register(graphql: Any, tenant: Any, session_id: str, **kw: Any) -> dict[str, Any]:
    result = await graphql.execute(
        REGISTER, {"input": referent_input(session_id, **kw)}, tenant=tenant
    )
    return ok(result, "referentChartersRegisterReferent")["referent"]


async def publish(graphql: Any, tenant: Any, **kw: Any) -> dict[str, Any]:
    variables = {"version": "2021", "publishedOn": "2021-09-01", **kw}
    result = await graphql.execute(PUBLISH, {"input": variables}, tenant=tenant)
    return ok(result, "referentChartersPublishCharter")["charter"]


async def meeting(graphql: Any, tenant: Any, held_on: str, **kw: Any) -> dict[str, Any]:
    variables = {"heldOn": held_on, "kind": "follow_up", "title": "Réunion de suivi", **kw}
    result = await graphql.execute(RECORD_MEETING, {"input": variables}, tenant=tenant)
    return ok(result, "referentChartersRecordMeeting")["meeting"]


async def attend(graphql: Any, tenant: Any, meeting_id: str, *referent_ids: str) -> dict:
    variables = {"meetingId": meeting_id, "referentIds": list(referent_ids)}
    return await graphql.execute(ATTEND, {"input": variables}, tenant=tenant)
