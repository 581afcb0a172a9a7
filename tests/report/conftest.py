"""Report tests run the real app with the referent_charters plugin installed (its section
is part of the report) through the maillage pytest plugin's fixtures: ``client`` is its
GraphQL client, ``db`` its database, ``two_poles`` two fresh poles."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles


@pytest.fixture
def maillage_plugins() -> list[str]:
    return ["referent_charters"]


@pytest.fixture
def client(graphql: GraphQLClient) -> GraphQLClient:
    return graphql


@pytest.fixture
def db(maillage_db: Database) -> Database:
    return maillage_db


@pytest_asyncio.fixture
async def two_poles(make_tenant: Any) -> TwoPoles:
    return TwoPoles(await make_tenant("62"), await make_tenant("63"))
