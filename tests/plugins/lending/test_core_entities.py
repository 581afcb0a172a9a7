"""The tutorial's plugin against core's families through the real app: it lends to a
family and a child of its pole, answers another pole's ids exactly as core does, shows
core's objects in its types without N+1 and with the reads audited, and its rows are in
the family's export and go with its erasure."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import event, func, select

from core.audit.models import AuditEvent
from tests.plugins.lending.plugin.models import Loan

FAMILIES = "{ families(first: 50) { edges { node { id name children { id } } } } }"
LEND = """mutation($f: ID!, $c: ID, $item: String!) {
  lendingRecordLoan(familyId: $f, childId: $c, item: $item, lentOn: "2026-11-02") {
    loan { id item family { id name } child { id firstName } lentBy { displayName } }
    errors { code field message } } }"""
ADD_CHILD = """mutation($f: ID!) {
  addChild(input: { familyId: $f, firstName: "Zoé", birthDate: "2020-01-01" }) {
    errors { code field message } } }"""
LOANS = """query($f: ID) { lending { loans(familyId: $f, first: 100) { totalCount
  edges { node { item family { name commune { name } } child { firstName } } } } } }"""
EXPORT = "query($f: ID!) { familyDataExport(familyId: $f) { data } }"
INDICATOR = """{ indicators(start: "2026-11-01", end: "2026-12-01", names: ["lending.loans"])
  { name total } }"""
ERASE = """mutation($f: ID!) { eraseFamilyData(input: { familyId: $f, receivedOn: "2026-11-03",
  requester: "guardian" }) { request { status counts } errors { code field message } } }"""


async def _families(graphql: Any, tenant: Any) -> list[dict[str, Any]]:
    found = await graphql.execute(FAMILIES, tenant=tenant)
    return [e["node"] for e in found["data"]["families"]["edges"] if e["node"]["children"]]


async def _pole(make_tenant: Any, enable_plugin: Any, departement: str = "62") -> Any:
    pole = await make_tenant(departement)
    await enable_plugin(pole, "lending")
    return pole


async def test_lends_to_its_pole_and_refuses_another_poles_ids_as_core_does(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    a, b = await _pole(make_tenant, enable_plugin), await make_tenant("63")
    mine, other = (await _families(graphql, a))[0], (await _families(graphql, b))[0]
    child = mine["children"][0]["id"]

    lent = await graphql.execute(
        LEND, {"f": mine["id"], "c": child, "item": "Verticalisateur"}, tenant=a
    )
    payload = lent["data"]["lendingRecordLoan"]
    assert payload["errors"] == []
    assert payload["loan"]["family"] == {"id": mine["id"], "name": mine["name"]}
    assert payload["loan"]["child"]["id"] == child
    assert payload["loan"]["lentBy"]["displayName"]

    # Another pole's family: the very answer core's own mutation gives for it.
    core = await graphql.execute(ADD_CHILD, {"f": other["id"]}, tenant=a)
    refused = await graphql.execute(LEND, {"f": other["id"], "item": "Casque"}, tenant=a)
    expected = core["data"]["addChild"]["errors"]
    assert expected == [
        {"code": "NOT_FOUND", "field": "familyId", "message": "introuvable dans ce pôle"}
    ]
    assert refused["data"]["lendingRecordLoan"] == {"loan": None, "errors": expected}
    for junk in ("pas-un-id", "RmFtaWx5OjEyMw=="):
        junked = await graphql.execute(LEND, {"f": junk, "item": "Casque"}, tenant=a)
        assert junked["data"]["lendingRecordLoan"]["errors"] == expected

    # Another pole's child, and a child of another family of the pole.
    theirs = other["children"][0]["id"]
    for c, code in (
        (theirs, "NOT_FOUND"),
        ((await _families(graphql, a))[1]["children"][0]["id"], "VALIDATION"),
    ):
        answer = await graphql.execute(LEND, {"f": mine["id"], "c": c, "item": "Casque"}, tenant=a)
        errors = answer["data"]["lendingRecordLoan"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [(code, "childId")]

    # A query argument naming another pole's family: NOT_FOUND naming it, nothing shown.
    listed = await graphql.execute(LOANS, {"f": other["id"]}, tenant=a)
    assert listed["data"]["lending"] is None
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in listed["errors"]] == [
        ("NOT_FOUND", "familyId")
    ]


async def test_core_objects_load_in_batches_and_person_reads_are_audited(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    a = await _pole(make_tenant, enable_plugin)
    families = await _families(graphql, a)
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for families_lent in (2, 8):
        for family in families[len(measured) * 2 : families_lent]:
            child = family["children"][0]["id"]
            await graphql.execute(
                LEND, {"f": family["id"], "c": child, "item": "Coussin"}, tenant=a
            )
        await graphql.execute(LOANS, tenant=a)  # sign-in and caches outside the count
        event.listen(maillage_db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            listed = await graphql.execute(LOANS, tenant=a)
        finally:
            event.remove(maillage_db.engine.sync_engine, "before_cursor_execute", count)
        assert "errors" not in listed, listed
        nodes = [e["node"] for e in listed["data"]["lending"]["loans"]["edges"]]
        assert all(n["family"]["name"] and n["family"]["commune"]["name"] for n in nodes)
        measured.append((len(nodes), len(statements)))
    (few, first), (many, second) = measured
    assert many > few and first == second, measured

    async with maillage_db.session(a.id) as session:
        reads = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "read", AuditEvent.object_type == "Family"
                )
            )
        ).all()
    assert reads and all("name" in r.fields for r in reads)


async def test_loans_are_counted_exported_and_go_with_the_familys_erasure(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any, make_actor: Any
) -> None:
    a = await _pole(make_tenant, enable_plugin)
    first, second = (await _families(graphql, a))[:2]
    for family in (first, second):
        await graphql.execute(LEND, {"f": family["id"], "item": "Fauteuil adapté"}, tenant=a)
    dpo = make_actor("coordinator", grants=["gdpr.manage"])
    counted = await graphql.execute(INDICATOR, tenant=a)
    assert counted["data"]["indicators"] == [{"name": "lending.loans", "total": 2.0}]

    exported = await graphql.execute(EXPORT, {"f": first["id"]}, tenant=a, actor=dpo)
    sections = {s["source"]: s for s in exported["data"]["familyDataExport"]["data"]["sections"]}
    records = sections["lending_loans"]["records"]
    assert sections["lending_loans"]["title"] == "Prêts de matériel adapté"
    assert [r["fields"]["Matériel"] for r in records] == ["Fauteuil adapté"]

    erased = await graphql.execute(ERASE, {"f": first["id"]}, tenant=a, actor=dpo)
    request = erased["data"]["eraseFamilyData"]["request"]
    assert request["status"] == "done" and request["counts"]["lending_loans"] == 1
    async with maillage_db.session(a.id) as session:
        left = (
            await session.execute(select(Loan.family_id, func.count()).group_by(Loan.family_id))
        ).all()
    # The erased family's loan is gone; the other family's stays.
    assert {str(family_id) for family_id, _ in left}.isdisjoint({_raw(first["id"])})
    assert _raw(second["id"]) in {str(family_id) for family_id, _ in left}
    # An anonymised file takes no new loan.
    again = await graphql.execute(LEND, {"f": first["id"], "item": "Coussin"}, tenant=a)
    assert [(e["code"], e["field"]) for e in again["data"]["lendingRecordLoan"]["errors"]] == [
        ("VALIDATION", "familyId")
    ]


def _raw(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]
