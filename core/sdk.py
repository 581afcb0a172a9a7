"""``core.sdk`` — the one module a plugin imports.

Everything a plugin needs to declare itself, store data in the pole's walls, join
the GraphQL schema, declare permissions and indicators, and react to events — and,
since API 1.1, to point at core's families, children, structures, organisations,
partners, staff members, communes and EPCI (``FAMILY.key(…)``, ``find_family``,
``sdk.Family``), to show its rows on the family's page (``Panel``) and in the
family's export and erasure (``family_records``), and to ship, send and read a
questionnaire of its own (``load_questionnaire``, ``send_questionnaire``…). What is
not here is not part of the plugin API (``API_VERSION``): it may change without
notice. ``ADDED_IN`` says which names each minor version added. docs/plugins.md is
the guide and lists every name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from core.access.actions import Action, Actor
from core.access.roles import POLE_ROLES, ROLES
from core.api.context import Context, PluginDisabledError
from core.api.forms import (
    commune_field,
    connection_nodes,
    count_field,
    date_field,
    decimal_field,
    optional,
    year_param,
)
from core.api.gates import action_gate, plugin_gate
from core.api.limits import chars, chars_field
from core.api.pages import (
    FormErrors,
    OperationResult,
    Pager,
    PageView,
    ShownPanel,
    date_fr,
    number_fr,
)
from core.api.pagination import MAX_FIRST, connection, in_order, paginate, window
from core.api.payloads import UserError, user_errors
from core.api.pickers import FAMILY as FAMILY_PICKER
from core.api.pickers import KIT as KIT_PICKER
from core.api.pickers import OPERATIONS as PICKER_OPERATIONS
from core.api.pickers import PARTNER as PARTNER_PICKER
from core.api.pickers import STRUCTURE as STRUCTURE_PICKER
from core.api.pickers import Picker, pick, search_asked
from core.api.reads import person_field
from core.api.staff import StaffMember
from core.audit.trail import record as audit
from core.audit.trail import record_deletions
from core.auth.mail import queue_soon as queue_mail
from core.auth.secrets import seal, unseal
from core.contributions import (
    Event,
    ExportRecord,
    FamilyScope,
    GraphQLContribution,
    IndicatorResult,
    IndicatorSpec,
    MigrationSource,
    NavEntry,
    Page,
    PageContribution,
    Panel,
    Period,
    PersonalDataSource,
)
from core.db.base import Base, Reference, Timestamped
from core.db.limits import LONG, NAME, NOTE, clean_text, max_chars, text_limit
from core.db.sql import enable_tenant_rls
from core.domain.entities.personal_data import family_records
from core.domain.entities.references import (
    CHILD,
    COMMUNE,
    EPCI,
    FAMILY,
    ORGANISATION,
    PARTNER,
    STAFF_MEMBER,
    STRUCTURE,
    CoreEntity,
    consent_active,
    find_child,
    find_commune,
    find_epci,
    find_family,
    find_organisation,
    find_partner,
    find_staff_member,
    find_structure,
    list_children,
    list_families,
    list_partners,
)
from core.domain.entities.views import (
    ChildView,
    CommuneView,
    EpciView,
    FamilyView,
    OrganisationView,
    PartnerView,
    StaffMemberView,
    StructureView,
)
from core.domain.families.graphql import Child, Family
from core.domain.structures.graphql import KindOption, Organisation, Partner, Structure
from core.errors import (
    ConflictError,
    ErrorCode,
    ForbiddenError,
    MaillageError,
    NotFoundError,
    ValidationError,
)
from core.hooks import hookimpl
from core.plugins.events import emit
from core.plugins.manifest import API_VERSION, Plugin, Setting
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_join, tenant_unique
from core.territory.geo import UnknownPlace, distance_km
from core.territory.geo import point as commune_point
from core.territory.graphql import COMMUNE_INSEE_DEPRECATED, optional_commune, required_commune
from core.territory.graphql import Commune as CommuneNode
from core.territory.graphql import Epci as EpciNode
from core.territory.models import Commune, Departement, Epci

# isort: split
# --- Kits as materials of a plugin's activity (plugin API 1.1, issue 19) -----------------
from core.domain.entities.references import KIT, find_kit
from core.domain.entities.views import KitView
from core.domain.kits.graphql import Kit

# isort: split
# --- Public pages of a pole, without an account (plugin API 1.1, decision 143) ----------
from core.app.cross_site import refuse_other_sites
from core.app.public import PublicPole, pole_of, public_page

# isort: split
# --- A plugin's questionnaires (plugin API 1.1, decision 163) ---------------------------
from core.domain.questionnaires.plugin_api import (
    QuestionnaireDefinition,
    QuestionnaireResults,
    SentQuestionnaire,
    answer_questionnaire,
    install_questionnaire,
    load_questionnaire,
    questionnaire_records,
    questionnaire_results,
    register_questionnaire_subject,
    send_questionnaire,
)

# isort: split
# --- Indicators and dimensions (plugin API 1.1, decision 119) ---------------------------
from core.contributions import Dimension, DimensionLabels, FigureScope
from core.plugins.dimensions import AGE_BRACKET as AGE_BRACKET_DIMENSION
from core.plugins.dimensions import COMMUNE as COMMUNE_DIMENSION
from core.plugins.dimensions import EPCI as EPCI_DIMENSION
from core.plugins.dimensions import (
    age_bracket,
    age_brackets,
    age_on,
    epci_of,
    json_elements,
    later_of,
)

# isort: split
# --- The annual report's sections (plugin API 1.1, decision 130) -------------------------
from core.plugins.figures import FigureTable
from core.plugins.report_scope import ReportScope
from core.plugins.sections import (
    Area,
    Cell,
    Chart,
    Column,
    Hidden,
    KeyFigure,
    KeyFigures,
    Map,
    NarrativeSlot,
    Paragraph,
    ReportSection,
    Series,
    Table,
)

__all__ = [
    "ADDED_IN",
    "API_VERSION",
    "CHILD",
    "COMMUNE",
    "COMMUNE_INSEE_DEPRECATED",
    "EPCI",
    "FAMILY",
    "JSON",
    "LONG",
    "MAX_FIRST",
    "NAME",
    "NOTE",
    "ORGANISATION",
    "PARTNER",
    "POLE_ROLES",
    "ROLES",
    "STAFF_MEMBER",
    "STRUCTURE",
    "Action",
    "Actor",
    "Base",
    "Child",
    "ChildView",
    "Commune",
    "CommuneNode",
    "CommuneView",
    "ConflictError",
    "Context",
    "CoreEntity",
    "CountedConnection",
    "Database",
    "Departement",
    "Epci",
    "EpciNode",
    "EpciView",
    "ErrorCode",
    "Event",
    "ExportRecord",
    "Family",
    "FamilyScope",
    "FamilyView",
    "ForbiddenError",
    "FormErrors",
    "GraphQLContribution",
    "IndicatorResult",
    "IndicatorSpec",
    "Info",
    "KindOption",
    "MaillageError",
    "MigrationSource",
    "NavEntry",
    "NotFoundError",
    "OperationResult",
    "Organisation",
    "OrganisationView",
    "Page",
    "PageContribution",
    "PageView",
    "Panel",
    "Partner",
    "PartnerView",
    "Period",
    "PersonalDataSource",
    "Plugin",
    "PluginDisabledError",
    "Reference",
    "Setting",
    "ShownPanel",
    "StaffMember",
    "StaffMemberView",
    "Structure",
    "StructureView",
    "Tenant",
    "TenantScoped",
    "Timestamped",
    "UserError",
    "ValidationError",
    "audit",
    "chars",
    "chars_field",
    "clean_text",
    "commune_field",
    "connection",
    "connection_nodes",
    "count_field",
    "date_field",
    "date_fr",
    "decimal_field",
    "emit",
    "enable_tenant_rls",
    "family_records",
    "find_child",
    "find_commune",
    "find_epci",
    "find_family",
    "find_organisation",
    "find_partner",
    "find_staff_member",
    "find_structure",
    "get",
    "hookimpl",
    "in_order",
    "list_children",
    "list_families",
    "list_partners",
    "max_chars",
    "number_fr",
    "optional",
    "optional_commune",
    "paginate",
    "person_field",
    "plugin_mutation",
    "plugin_namespace",
    "queue_mail",
    "record_deletions",
    "relay",
    "required_commune",
    "requires",
    "tenant_fk",
    "tenant_index",
    "tenant_join",
    "tenant_unique",
    "text_limit",
    "user_errors",
    "window",
    "year_param",
]
# Indicators and dimensions (plugin API 1.1, decision 119).
__all__ += [
    "AGE_BRACKET_DIMENSION",
    "COMMUNE_DIMENSION",
    "EPCI_DIMENSION",
    "Dimension",
    "DimensionLabels",
    "FigureScope",
    "age_bracket",
    "age_brackets",
    "age_on",
    "epci_of",
    "json_elements",
    "later_of",
]
# Distances, consents and sealed files (plugin API 1.1, decision 136).
__all__ += [
    "UnknownPlace",
    "commune_point",
    "consent_active",
    "distance_km",
    "seal",
    "unseal",
]
# The annual report's sections (plugin API 1.1, decision 130).
_BEFORE_REPORT = len(__all__)
__all__ += [
    "Area",
    "Cell",
    "Chart",
    "Column",
    "FigureTable",
    "Hidden",
    "KeyFigure",
    "KeyFigures",
    "Map",
    "NarrativeSlot",
    "Paragraph",
    "ReportScope",
    "ReportSection",
    "Series",
    "Table",
]
_REPORT_NAMES = tuple(__all__[_BEFORE_REPORT:])

# Kits (issue 19) and public pages (decision 143).
__all__ += ["KIT", "Kit", "KitView", "PublicPole", "find_kit", "pole_of", "public_page"]
__all__ += ["refuse_other_sites"]
# The pickers and the pager of core's forms and lists, for a plugin's (decision 216).
_BEFORE_PICKERS = len(__all__)
__all__ += [
    "FAMILY_PICKER",
    "KIT_PICKER",
    "PARTNER_PICKER",
    "PICKER_OPERATIONS",
    "STRUCTURE_PICKER",
    "Pager",
    "Picker",
    "pick",
    "search_asked",
]
_PICKER_NAMES = tuple(__all__[_BEFORE_PICKERS:])
# A plugin's questionnaires (decision 163).
_BEFORE_QUESTIONNAIRES = len(__all__)
__all__ += [
    "QuestionnaireDefinition",
    "QuestionnaireResults",
    "SentQuestionnaire",
    "answer_questionnaire",
    "install_questionnaire",
    "load_questionnaire",
    "questionnaire_records",
    "questionnaire_results",
    "register_questionnaire_subject",
    "send_questionnaire",
]
_QUESTIONNAIRE_NAMES = tuple(__all__[_BEFORE_QUESTIONNAIRES:])

N = Any

# The names each minor version of the plugin API added (a plugin written for an older
# minor never needs them; docs/plugins.md marks them).
ADDED_IN: dict[str, tuple[str, ...]] = {
    "1.1": (
        "ADDED_IN",
        "CHILD",
        "COMMUNE",
        "EPCI",
        "FAMILY",
        "ORGANISATION",
        "PARTNER",
        "STAFF_MEMBER",
        "STRUCTURE",
        "Child",
        "ChildView",
        "CommuneView",
        "CoreEntity",
        "EpciNode",
        "EpciView",
        "Family",
        "FamilyView",
        "Organisation",
        "OrganisationView",
        "Panel",
        "Partner",
        "PartnerView",
        "ShownPanel",
        "StaffMember",
        "StaffMemberView",
        "Structure",
        "StructureView",
        "family_records",
        "find_child",
        "find_commune",
        "find_epci",
        "find_family",
        "find_organisation",
        "find_partner",
        "find_staff_member",
        "find_structure",
        "list_children",
        "list_families",
        # The forms of a plugin's pages (decision 112).
        "commune_field",
        "connection_nodes",
        "count_field",
        "date_field",
        "decimal_field",
        "optional",
        "year_param",
        # Figures with dimensions (decision 119).
        "AGE_BRACKET_DIMENSION",
        "COMMUNE_DIMENSION",
        "EPCI_DIMENSION",
        "Dimension",
        "DimensionLabels",
        "FigureScope",
        "age_bracket",
        "age_brackets",
        "age_on",
        "epci_of",
        "json_elements",
        "later_of",
        # Kits as materials, public pages of a pole (issue 19, decision 143).
        "KIT",
        "Kit",
        "KitView",
        "find_kit",
        "PublicPole",
        "pole_of",
        "public_page",
        "refuse_other_sites",
        # A mail written in the deciding transaction, sent after commit (decision 147).
        "queue_mail",
        "list_partners",
        # Distances between communes (centroids, great circle), a family's consent, and
        # files sealed at rest (decision 136).
        "UnknownPlace",
        "commune_point",
        "consent_active",
        "distance_km",
        "seal",
        "unseal",
        # The annual report's sections (decision 130).
        *_REPORT_NAMES,
        # A plugin ships, sends and reads its own questionnaire (decision 163).
        *_QUESTIONNAIRE_NAMES,
        # A family or a structure picked in a form of any pole's size (decision 216).
        *_PICKER_NAMES,
    ),
}


@strawberry.type(description="Page d'une liste, avec le nombre total d'éléments.")
class CountedConnection(relay.Connection[relay.NodeType]):
    """``relay.Connection`` with ``totalCount``; specialise it with a node type
    (``CountedConnection[HandisittingSitter]`` → ``HandisittingSitterCountedConnection``)."""

    total_count: int = strawberry.field(description="Nombre total de résultats.")


def _name(plugin: Plugin | str) -> str:
    return plugin.name if isinstance(plugin, Plugin) else plugin


def _prefix(plugin: Plugin | str) -> str:
    return "".join(part.capitalize() for part in _name(plugin).split("_"))


def plugin_namespace(
    plugin: Plugin | str, *, description: str | None = None
) -> Callable[[type], type]:
    """Declare a plugin's namespace query type, named ``<Prefix>Query``: the fields a
    pole reaches as ``{ <plugin> { … } }`` once it enabled the plugin."""

    def decorate(cls: type) -> type:
        expected = f"{_prefix(plugin)}Query"
        if cls.__name__ != expected:
            raise TypeError(f"the namespace type of {_name(plugin)} must be named {expected}")
        return strawberry.type(cls, description=description)

    return decorate


def plugin_mutation(plugin: Plugin | str, *, description: str, **kw: Any) -> Any:
    """A top-level mutation of ``plugin``: name it ``<plugin>_<verb>`` in Python
    (``handisitting_propose_match`` → ``handisittingProposeMatch``). Gated by
    ``PluginEnabled``: PLUGIN_DISABLED for a pole that did not enable it. Add action
    checks with ``extensions=sdk.requires("…")``."""
    extensions = [plugin_gate(_name(plugin)), *kw.pop("extensions", [])]
    return strawberry.mutation(description=description, extensions=extensions, **kw)


async def get(session: Any, model: type[Any], id: Any) -> Any:
    """The pole's row of ``model`` with this ``id``, or None. (``session.get`` needs the
    whole primary key ``(tenant_id, id)`` of a tenant table; this asks for the id only,
    the tenant filter adds the rest.)"""
    return (await session.execute(select(model).where(model.id == id))).scalar_one_or_none()


def requires(action: str) -> list[Any]:
    """Field extensions checking that the actor holds ``action``:
    ``@strawberry.field(extensions=sdk.requires("handisitting.read"))``."""
    return [action_gate(action)]


# isort: split
# --- Listing the pole's kits and team, for seeds and pickers (plugin API 1.1, decision 168)
from core.domain.entities.references import list_kits, list_staff_members  # noqa: E402

__all__ += ["list_kits", "list_staff_members"]
ADDED_IN["1.1"] += ("list_kits", "list_staff_members")

# isort: split
# --- A plugin's own command over the poles that enabled it (plugin API 1.1, decision 177)
from core.plugins.state import plugin_settings, poles_with_plugin  # noqa: E402

__all__ += ["plugin_settings", "poles_with_plugin"]
ADDED_IN["1.1"] += ("plugin_settings", "poles_with_plugin")

# isort: split
# --- A plugin's printed documents on the one pipeline (plugin API 1.1, decision 178)
from core.api.documents import DocumentTemplates  # noqa: E402
from core.api.documents import response as document_response  # noqa: E402
from core.domain.letterhead.service import letterhead as pole_letterhead  # noqa: E402

__all__ += ["DocumentTemplates", "document_response", "pole_letterhead"]
ADDED_IN["1.1"] += ("DocumentTemplates", "document_response", "pole_letterhead")
