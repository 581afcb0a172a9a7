"""Isolation probe on the annual report: pole B records a year of its own — a child in
its commune, an awareness session, a funder, a written section, referents trained in its
own session and met at its own meeting — with words found nowhere else; pole A's report, in
each of its four files (HTML, PDF, XLSX, DOCX), contains none of them, while pole B's own
report does (the probe is seen when it should be). Runs on SQLite, and on PostgreSQL in the
Makefile's PostgreSQL pass (``--maillage-db=postgres``), where row-level security applies
too."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl

from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.domain.test_casework import OPEN
from tests.pdf import read
from tests.plugins.referent_charters.operations import (
    ATTEND,
    RECORD_MEETING,
    RECORD_SESSION,
    REGISTER,
)
from tests.report.year import (
    CHILD,
    ENABLE,
    FAMILY,
    FUNDING,
    NARRATIVE,
    SESSION,
    YEAR,
    _ok,
    enter_year,
)

VOLVIC, RIOM = "63470", "63300"
TEXT = "Texte-sonde du pôle B"
# Pole B's words, each printed in its own report: its communes (the child's and the
# referent's, the session's) and their EPCI, its funder, its section, its referents' training
# session and meeting. Pole A (Pas-de-Calais) has none of them.
PROBES = (
    "Volvic",
    "Riom",
    "Limagne",
    "Fondation Sonde-Auvergne",
    TEXT,
    "Session sonde B",
    "Rencontre sonde B",
)


async def enter_probe(client: GraphQLClient, pole: Any) -> None:
    async def ok(query: str, field: str, **variables: Any) -> Any:
        return await _ok(client, pole, query, field, **variables)

    family = (await ok(FAMILY, "createFamily", name="Famille Sonde", commune=VOLVIC))["family"]
    child = (
        await ok(
            CHILD,
            "addChild",
            family=family["id"],
            name="Sonde",
            born="2021-04-04",
            commune=VOLVIC,
            needs=["motor"],
        )
    )["child"]["id"]
    await ok(OPEN, "openFollowUp", child=child, on=f"{YEAR}-02-02")
    await ok(
        SESSION,
        "recordAwarenessSession",
        input={
            "kind": "territorial",
            "audience": "youth",
            "communeInsee": RIOM,
            "heldOn": f"{YEAR}-03-03",
            "halfDays": 3,
            "participantsCount": 17,
        },
    )
    await ok(
        FUNDING,
        "recordFunding",
        input={
            "year": YEAR,
            "funder": "Fondation Sonde-Auvergne",
            "kind": "grant",
            "amountCents": 777_700,
        },
    )
    await ok(
        NARRATIVE,
        "writeReportNarrative",
        input={
            "year": YEAR,
            "kind": "free",
            "title": "Texte-sonde du pôle B",
            "body": "Texte-sonde du pôle B, qui ne doit paraître que chez lui.",
        },
    )
    await ok(ENABLE, "enablePlugin")
    session = (
        await ok(
            RECORD_SESSION,
            "referentChartersRecordTrainingSession",
            input={
                "number": 3,
                "startOn": f"{YEAR}-04-01",
                "endOn": f"{YEAR}-04-02",
                "title": "Session sonde B",
            },
        )
    )["trainingSession"]["id"]
    referent = await ok(
        REGISTER,
        "referentChartersRegisterReferent",
        input={
            "firstName": "Sondine",
            "lastName": "Exemple",
            "job": "eje",
            "communeInsee": VOLVIC,
            "structureKind": "eaje",
            "trainingSessionId": session,
            "structureName": "Halte-garderie Sonde",
        },
    )
    meeting = (
        await ok(
            RECORD_MEETING,
            "referentChartersRecordMeeting",
            input={"heldOn": f"{YEAR}-06-06", "kind": "follow_up", "title": "Rencontre sonde B"},
        )
    )["meeting"]
    await ok(
        ATTEND,
        "referentChartersRecordAttendance",
        input={"meetingId": meeting["id"], "referentIds": [referent["referent"]["id"]]},
    )


def _texts(fmt: str, content: bytes) -> str:
    """Everything a reader of the file sees, as one text."""
    if fmt == "html":
        return content.decode("utf-8")
    if fmt == "pdf":
        return " ".join(read(content).text.split())
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    word = docx.Document(io.BytesIO(content))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return "\n".join([*(p.text for p in word.paragraphs), *cells])


async def _files(client: GraphQLClient, pole: Any) -> dict[str, str]:
    headers = await client.auth_headers(pole)
    found = {}
    for fmt in ("html", "pdf", "xlsx", "docx"):
        answer = await client.http.get(f"/reports/activity/{YEAR}.{fmt}", headers=headers)
        assert answer.status_code == 200, (fmt, answer.text[-500:])
        found[fmt] = _texts(fmt, answer.content)
    return found


async def test_no_word_of_another_pole_in_any_of_the_four_files(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    await enter_year(client, two_poles.a)
    await enter_probe(client, two_poles.b)

    # The probe is visible where it belongs: each of pole B's own files has every word,
    # so their absence from pole A's means something.
    own = await _files(client, two_poles.b)
    missing = {
        # The spreadsheet holds the tables, not the written sections.
        fmt: [p for p in PROBES if p not in text and (fmt, p) != ("xlsx", TEXT)]
        for fmt, text in own.items()
    }
    assert missing == {"html": [], "pdf": [], "xlsx": [], "docx": []}

    files = await _files(client, two_poles.a)
    assert all("Béthune" in text for text in files.values())  # pole A's own, in each file
    leaks = {fmt: [p for p in PROBES if p in text] for fmt, text in files.items()}
    assert leaks == {"html": [], "pdf": [], "xlsx": [], "docx": []}
