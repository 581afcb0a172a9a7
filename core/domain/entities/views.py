"""The stable views a look-up answers: plain frozen records, the fields a plugin may
rely on, whatever core's tables become (API 1.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class FamilyView:
    id: uuid.UUID
    name: str
    commune_insee: str
    anonymised: bool


@dataclass(frozen=True)
class ChildView:
    id: uuid.UUID
    family_id: uuid.UUID
    first_name: str
    birth_date: dt.date
    commune_insee: str


@dataclass(frozen=True)
class StructureView:
    id: uuid.UUID
    name: str
    kind: str
    commune_insee: str


@dataclass(frozen=True)
class OrganisationView:
    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class PartnerView:
    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class StaffMemberView:
    """A member of the pole's team (``id`` is the person's account id)."""

    id: uuid.UUID
    display_name: str


@dataclass(frozen=True)
class CommuneView:
    id: str  # the INSEE code
    name: str
    departement_code: str
    epci_siren: str | None


@dataclass(frozen=True)
class EpciView:
    id: str  # the SIREN
    name: str


@dataclass(frozen=True)
class KitView:
    id: uuid.UUID
    name: str
    theme: str
    status: str
