"""A person's record: every read audited once per request with the fields read, and
sensitive fields (diagnosis, health notes) only with an explicit grant.

Uses the ``records`` test plugin (tests/auth/records_plugin), written against
core.sdk the way an integrator's plugin is, through the real app and real tokens.
Runs on SQLite, and on PostgreSQL with ``--maillage-db=postgres`` (make test).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from core.audit.models import AuditEvent
from core.auth.models import SecurityEvent
from core.testing.client import error_codes
from tests.auth import records_plugin
from tests.auth.records_plugin import RecordsChild

CHILD = """query($id: ID!) { records { child(id: $id) {
  id firstName commune diagnosis healthNotes } } }"""
NAMES = "{ records { children { firstName commune } } }"


@pytest.fixture
def maillage_plugins() -> list[Any]:
    return [records_plugin]


@pytest.fixture
async def pole(make_tenant: Any, enable_plugin: Any, maillage_db: Any) -> Any:
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "records")
    async with maillage_db.session(tenant.id) as session:
        for name in ("Léo", "Inès", "Noah"):
            session.add(
                RecordsChild(
                    first_name=name,
                    commune="63300",
                    diagnosis="(fictif) trouble du spectre de l'autisme",
                    health_notes="(fictif) allergie",
                )
            )
        await session.commit()
    return tenant


async def _children(db: Any, tenant: Any) -> list[RecordsChild]:
    async with db.session(tenant.id) as session:
        rows = await session.execute(select(RecordsChild).order_by(RecordsChild.first_name))
        return list(rows.scalars())


async def _reads(db: Any, tenant: Any) -> list[AuditEvent]:
    async with db.session(tenant.id) as session:
        rows = await session.execute(select(AuditEvent).where(AuditEvent.action == "read"))
        return list(rows.scalars())


async def test_reading_a_record_writes_one_event_with_the_fields_read(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    psy = make_actor("psychologist", grants=["records.health.read"])
    child = (await _children(maillage_db, pole))[0]
    result = await graphql.execute(CHILD, {"id": str(child.id)}, tenant=pole, actor=psy)
    assert "errors" not in result
    assert result["data"]["records"]["child"]["diagnosis"].startswith("(fictif)")
    events = await _reads(maillage_db, pole)
    assert len(events) == 1
    event = events[0]
    assert (event.object_type, event.object_id) == ("RecordsChildRecord", str(child.id))
    assert event.fields == ["commune", "diagnosis", "firstName", "healthNotes"]
    assert event.actor.startswith("user:") and event.request_id
    # Names of fields, never their values.
    assert "fictif" not in repr(event.fields) and child.first_name not in repr(event.fields)


async def test_sensitive_fields_need_an_explicit_grant(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    child = (await _children(maillage_db, pole))[0]
    # The role may hold the action, but only with the grant on the membership.
    coordinator = make_actor("coordinator")
    result = await graphql.execute(CHILD, {"id": str(child.id)}, tenant=pole, actor=coordinator)
    record = result["data"]["records"]["child"]
    assert record["firstName"] == child.first_name
    assert record["diagnosis"] is None and record["healthNotes"] is None
    assert set(error_codes(result)) == {"FORBIDDEN"}
    assert {tuple(e["path"][-1:]) for e in result["errors"]} == {("diagnosis",), ("healthNotes",)}
    # A refused field is not recorded as read.
    (event,) = await _reads(maillage_db, pole)
    assert event.fields == ["commune", "firstName"]
    # A grant to a role that is not eligible for it opens nothing.
    staff = make_actor("staff", grants=["records.health.read"])
    result = await graphql.execute(CHILD, {"id": str(child.id)}, tenant=pole, actor=staff)
    assert result["data"]["records"]["child"]["diagnosis"] is None
    assert "FORBIDDEN" in error_codes(result)


async def test_a_list_writes_one_event_per_record(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    result = await graphql.execute(NAMES, tenant=pole, actor=make_actor("staff"))
    assert len(result["data"]["records"]["children"]) == 3
    events = await _reads(maillage_db, pole)
    assert len(events) == 3
    assert all(e.fields == ["commune", "firstName"] for e in events)
    assert len({e.object_id for e in events}) == 3


async def test_roles_outside_the_pole_team_do_not_read_records(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    for role in ("family", "partner_structure", "network_analyst", "platform_admin", "referent"):
        result = await graphql.execute(NAMES, tenant=pole, actor=make_actor(role))
        assert result["data"]["records"] is None, role
        assert error_codes(result) == ["FORBIDDEN"], role
    assert await _reads(maillage_db, pole) == []


async def test_a_pole_admin_queries_the_audit_trail_with_filters(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    child = (await _children(maillage_db, pole))[0]
    staff = make_actor("staff")
    await graphql.execute(CHILD, {"id": str(child.id)}, tenant=pole, actor=staff)
    await graphql.execute(NAMES, tenant=pole, actor=staff)
    query = """query($type: String, $id: String, $action: String) {
      auditEvents(objectType: $type, objectId: $id, action: $action, first: 10) {
        totalCount edges { node { actor action objectType objectId fields requestId } } } }"""
    variables = {"type": "RecordsChildRecord", "id": str(child.id), "action": "read"}
    result = await graphql.execute(query, variables, tenant=pole)
    page = result["data"]["auditEvents"]
    assert page["totalCount"] == 2  # the record read alone, then within the list
    assert all(edge["node"]["objectId"] == str(child.id) for edge in page["edges"])
    refused = await graphql.execute(query, variables, tenant=pole, actor=staff)
    assert error_codes(refused) == ["FORBIDDEN"]


@pytest.mark.postgres
async def test_the_runtime_role_cannot_change_the_trails(
    graphql: Any, make_actor: Any, maillage_db: Any, pole: Any
) -> None:
    if maillage_db.is_sqlite:
        pytest.skip("database roles exist on PostgreSQL only (--maillage-db=postgres)")
    child = (await _children(maillage_db, pole))[0]
    await graphql.execute(CHILD, {"id": str(child.id)}, tenant=pole, actor=make_actor("staff"))
    assert await _reads(maillage_db, pole)
    for statement in (
        delete(AuditEvent),
        update(AuditEvent).values(fields=[]),
    ):
        async with maillage_db.session(pole.id) as session:
            with pytest.raises(DBAPIError, match="permission denied"):
                await session.execute(statement)
    async with maillage_db.reference_session() as session:
        with pytest.raises(DBAPIError, match="permission denied"):
            await session.execute(delete(SecurityEvent))
    async with maillage_db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="permission denied"):
            await connection.execute(text("TRUNCATE audit_events"))
    assert len(await _reads(maillage_db, pole)) == 1
