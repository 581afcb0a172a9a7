"""A plugin registered at runtime (the scaffold's output) through the real app: its model,
types, query, mutation, action, indicator and route work for the pole that enabled it;
the other pole gets PLUGIN_DISABLED. Admin mutations enable, configure and disable it,
audited; disabling keeps the data; events arrive after commit."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.contributions import Event
from core.hooks import hookimpl
from core.plugins.manifest import API_VERSION, Plugin
from core.plugins.models import TenantPlugin
from core.testing.client import error_codes

RECORD = """
mutation Record($input: SortiesRecordActivityInput!) {
  sortiesRecordActivity(input: $input) {
    activity { id title participants }
    errors { code field message }
  }
}
"""
LIST = "{ sorties { activities(first: 10) { totalCount edges { node { id title } } } } }"
PLUGINS = """
{ plugins { name enabled managedByFile settings settingsSchema { name type default } } }
"""
ENABLE = """
mutation Enable($name: String!, $settings: JSON) {
  enablePlugin(name: $name, settings: $settings) {
    plugin { name enabled settings }
    errors { code field message }
  }
}
"""
DISABLE = """
mutation Disable($name: String!) {
  disablePlugin(name: $name) { plugin { name enabled } errors { code field message } }
}
"""
UPDATE = """
mutation Update($name: String!, $settings: JSON!) {
  updatePluginSettings(name: $name, settings: $settings) {
    plugin { settings } errors { code field message }
  }
}
"""


def activity(**kw: object) -> dict[str, object]:
    return {
        "title": "Sortie à la ferme pédagogique",
        "happenedOn": "2026-05-12",
        "communeInsee": "62041",
        "participants": 9,
        **kw,
    }


async def test_works_for_the_pole_that_enabled_it_and_answers_disabled_elsewhere(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    a, b = await make_tenant("62"), await make_tenant("63")
    await enable_plugin(a, "sorties")

    recorded = await graphql.execute(RECORD, {"input": activity()}, tenant=a)
    payload = recorded["data"]["sortiesRecordActivity"]
    assert payload["errors"] == []
    node_id = payload["activity"]["id"]

    listed = await graphql.execute(LIST, tenant=a)
    assert listed["data"]["sorties"]["activities"]["totalCount"] == 1

    for query, variables in ((LIST, None), (RECORD, {"input": activity()})):
        refused = await graphql.execute(query, variables, tenant=b)
        assert error_codes(refused) == ["PLUGIN_DISABLED"]
        assert refused["errors"][0]["extensions"]["field"] == "sorties"
    # The node of another pole, and of a plugin the pole did not enable, is null.
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await graphql.execute(node, {"id": node_id}, tenant=a))["data"]["node"] == {
        "id": node_id
    }
    assert (await graphql.execute(node, {"id": node_id}, tenant=b))["data"]["node"] is None

    indicators = """query($n: [String!]) {
      indicators(start: "2026-01-01", end: "2027-01-01", names: $n) { name total owner }
    }"""
    got = await graphql.execute(indicators, {"n": ["sorties.participants"]}, tenant=a)
    assert got["data"]["indicators"] == [
        {"name": "sorties.participants", "total": 9.0, "owner": "sorties"}
    ]
    other = await graphql.execute(indicators, {"n": ["sorties.participants"]}, tenant=b)
    assert error_codes(other) == ["NOT_FOUND"]
    # An IndicatorSpec of plugin API 1.0 (compute, no dimensions) still answers: its own
    # breakdown, whose keys are both code and label, and a `figure` that is its total.
    breakdown = """{ indicators(start: "2026-01-01", end: "2027-01-01",
      names: ["sorties.participants"]) { breakdown { code label value } dimensions { code } } }"""
    got = await graphql.execute(breakdown, tenant=a)
    assert got["data"]["indicators"] == [
        {"breakdown": [{"code": "62", "label": "62", "value": 9.0}], "dimensions": []}
    ]
    figure = """query($d: [String!]) { figure(name: "sorties.participants", year: 2026,
      dimensions: $d) { total cells { value } countsPersons } }"""
    got = await graphql.execute(figure, tenant=a)
    assert got["data"]["figure"] == {"total": 9.0, "cells": [], "countsPersons": False}
    refused = await graphql.execute(figure, {"d": ["departement"]}, tenant=a)
    assert error_codes(refused) == ["VALIDATION"]
    assert refused["errors"][0]["extensions"]["field"] == "dimensions"


async def test_actions_guard_the_plugin_fields(
    make_tenant: Any, make_actor: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await make_tenant()
    await enable_plugin(tenant, "sorties")
    family, staff = make_actor("family"), make_actor("staff")
    refused = await graphql.execute(RECORD, {"input": activity()}, tenant=tenant, actor=family)
    assert error_codes(refused) == ["FORBIDDEN"]
    done = await graphql.execute(RECORD, {"input": activity()}, tenant=tenant, actor=staff)
    assert done["data"]["sortiesRecordActivity"]["errors"] == []
    listed = await graphql.execute(LIST, tenant=tenant, actor=family)
    assert error_codes(listed) == ["FORBIDDEN"]


async def test_admin_mutations_enable_configure_and_disable_keeping_the_data(
    make_tenant: Any, make_actor: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant()
    states = await graphql.execute(PLUGINS, tenant=tenant)
    sorties = next(p for p in states["data"]["plugins"] if p["name"] == "sorties")
    assert sorties["enabled"] is False
    assert sorties["settingsSchema"] == [{"name": "max_participants", "type": "int", "default": 30}]

    bad = await graphql.execute(
        ENABLE, {"name": "sorties", "settings": {"max_participants": 0}}, tenant=tenant
    )
    assert bad["data"]["enablePlugin"]["plugin"] is None
    [error] = bad["data"]["enablePlugin"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", "settings.max_participants")
    unknown = await graphql.execute(ENABLE, {"name": "absent"}, tenant=tenant)
    assert unknown["data"]["enablePlugin"]["errors"][0]["code"] == "NOT_FOUND"
    staff = await graphql.execute(
        ENABLE, {"name": "sorties"}, tenant=tenant, actor=make_actor("staff")
    )
    assert error_codes(staff) == ["FORBIDDEN"]
    assert error_codes(await graphql.execute(LIST, tenant=tenant)) == ["PLUGIN_DISABLED"]

    ok = await graphql.execute(
        ENABLE, {"name": "sorties", "settings": {"max_participants": 12}}, tenant=tenant
    )
    assert ok["data"]["enablePlugin"]["plugin"] == {
        "name": "sorties",
        "enabled": True,
        "settings": {"max_participants": 12},
    }
    too_many = await graphql.execute(RECORD, {"input": activity(participants=13)}, tenant=tenant)
    assert too_many["data"]["sortiesRecordActivity"]["errors"][0]["field"] == "input.participants"
    await graphql.execute(RECORD, {"input": activity()}, tenant=tenant)

    updated = await graphql.execute(
        UPDATE, {"name": "sorties", "settings": {"max_participants": 40}}, tenant=tenant
    )
    assert updated["data"]["updatePluginSettings"]["plugin"]["settings"] == {"max_participants": 40}

    off = await graphql.execute(DISABLE, {"name": "sorties"}, tenant=tenant)
    assert off["data"]["disablePlugin"]["plugin"] == {"name": "sorties", "enabled": False}
    assert error_codes(await graphql.execute(LIST, tenant=tenant)) == ["PLUGIN_DISABLED"]

    await graphql.execute(ENABLE, {"name": "sorties"}, tenant=tenant)
    again = await graphql.execute(LIST, tenant=tenant)
    assert again["data"]["sorties"]["activities"]["totalCount"] == 1, "data kept on disable"

    async with maillage_db.session(tenant.id) as session:
        audit = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.object_id, AuditEvent.fields).order_by(
                    AuditEvent.at, AuditEvent.id
                )
            )
        ).all()
        row = (await session.execute(select(TenantPlugin))).scalar_one()
    actions = [a for a, obj, _ in audit if obj == "sorties"]
    assert actions == [
        "plugins.enable",
        "plugins.configure",
        "plugins.disable",
        "plugins.enable",
    ]
    assert ("plugins.configure", "sorties", ["max_participants"]) in audit
    assert all("12" not in str(fields) and "40" not in str(fields) for _, _, fields in audit)
    assert row.enabled and row.source == "admin" and row.version == "0.1.0"


async def test_a_plugin_governed_by_the_tenant_file_refuses_admin_mutations(
    make_tenant: Any, maillage_db: Any, graphql: Any
) -> None:
    tenant = await make_tenant()
    async with maillage_db.session(tenant.id) as session:
        session.add(TenantPlugin(plugin="sorties", enabled=False, settings={}, source="file"))
        await session.commit()
    refused = await graphql.execute(ENABLE, {"name": "sorties"}, tenant=tenant)
    [error] = refused["data"]["enablePlugin"]["errors"]
    assert error["code"] == "CONFLICT"
    assert f"{tenant.slug}.toml" in error["message"]
    states = await graphql.execute(PLUGINS, tenant=tenant)
    assert next(p for p in states["data"]["plugins"] if p["name"] == "sorties")["managedByFile"]


async def test_the_plugin_route_is_behind_the_pole_and_the_plugin_gate(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await enable_plugin(a, "sorties")
    await graphql.execute(RECORD, {"input": activity()}, tenant=a)
    url = "/plugins/sorties/activities.csv"
    assert (await graphql.http.get(url)).status_code == 401
    forged = await graphql.http.get(url, headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401
    refused = await graphql.http.get(url, headers=await graphql.auth_headers(b))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "PLUGIN_DISABLED"
    # A member of A asking for B through the header gets nothing of B.
    member_of_a = await graphql.auth_headers(a, make_actor("pole_admin"))
    crossing = await graphql.http.get(url, headers={**member_of_a, "x-maillage-tenant": b.slug})
    assert crossing.status_code == 403
    assert crossing.json()["error"]["code"] == "FORBIDDEN"
    both = await graphql.http.get(url, headers={**member_of_a, "X-Maillage-Tenant": b.slug})
    assert both.status_code == 401  # two poles named in one request: refused
    ok = await graphql.http.get(url, headers=member_of_a)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/csv")
    assert ok.text.splitlines()[1] == "2026-05-12;Sortie à la ferme pédagogique;62041;9"


# --- events -------------------------------------------------------------------------------

RECEIVED: list[Event] = []


def echo_plugin() -> ModuleType:
    module = ModuleType(__name__)
    module.manifest = Plugin(  # type: ignore[attr-defined]
        name="echo",
        version="1.0.0",
        api_version=API_VERSION,
        title="Écho",
        description="Reçoit les événements.",
    )

    @hookimpl
    def maillage_event(event: Event) -> None:
        RECEIVED.append(event)
        if event.name == "demo.boom":
            raise RuntimeError("a faulty handler")

    module.maillage_event = maillage_event  # type: ignore[attr-defined]
    return module


@pytest.fixture
def maillage_plugins(runtime_plugin: ModuleType) -> list[object]:
    return [runtime_plugin, echo_plugin()]


async def test_events_reach_only_the_plugins_enabled_for_the_events_pole_after_commit(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_host: Any, maillage_db: Any
) -> None:
    RECEIVED.clear()
    a, b = await make_tenant(), await make_tenant()
    await graphql.execute(ENABLE, {"name": "echo"}, tenant=a)
    await graphql.execute(ENABLE, {"name": "sorties"}, tenant=a)
    await graphql.execute(ENABLE, {"name": "sorties"}, tenant=b)
    # A failing mutation (bad settings) rolls back: its event is never delivered.
    await graphql.execute(ENABLE, {"name": "sorties", "settings": {"x": 1}}, tenant=a)
    await maillage_host.drain()
    assert [(e.name, e.tenant_id, dict(e.payload)) for e in RECEIVED] == [
        ("plugin.enabled", a.id, {"plugin": "echo"}),
        ("plugin.enabled", a.id, {"plugin": "sorties"}),
    ]


async def test_an_event_queued_in_a_rolled_back_transaction_is_never_delivered(
    make_tenant: Any, enable_plugin: Any, maillage_host: Any, maillage_db: Any
) -> None:
    from core.plugins.events import emit

    RECEIVED.clear()
    tenant = await make_tenant()
    await enable_plugin(tenant, "echo")
    RECEIVED.clear()
    async with maillage_db.session(tenant.id) as session:
        emit(session, Event("demo.rolled_back", tenant.id, {}))
        await session.rollback()
        emit(session, Event("demo.committed", tenant.id, {"n": 1}))
        await session.commit()
    await maillage_host.drain()
    assert [e.name for e in RECEIVED] == ["demo.committed"]


async def test_a_failing_event_handler_is_logged_and_does_not_stop_the_others(
    make_tenant: Any,
    enable_plugin: Any,
    maillage_host: Any,
    maillage_db: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from core.plugins.events import emit

    tenant = await make_tenant()
    await enable_plugin(tenant, "echo")
    RECEIVED.clear()
    async with maillage_db.session(tenant.id) as session:
        emit(session, Event("demo.boom", tenant.id, {}))
        emit(session, Event("demo.after", tenant.id, {}))
        await session.commit()
    await maillage_host.drain()
    assert [e.name for e in RECEIVED] == ["demo.boom", "demo.after"]
    assert "event handler failed" in caplog.text
