"""Actions: what can be done, declared by core and plugins, granted to roles.

Deny by default: an action nobody declared is refused, and an actor holds an action
only through one of its roles. A *sensitive* action (health, diagnosis, family
situation) needs, on top of the role, an explicit grant recorded on the person's
membership. A machine client holds no role: it may perform the actions whose
``scope`` is one of its OAuth scopes, never a sensitive one. The check stays in this
one place so that GraphQL, routes and the CLI all ask the same question.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.access.roles import NETWORK_ROLES, ROLES
from core.errors import ForbiddenError, UnauthenticatedError

ACTION_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
CLIENT_SCOPES = (None, "tenant:read", "tenant:write", "network:read")


@dataclass(frozen=True)
class Action:
    """One permission. ``name`` is dotted and starts with its owner (``plugins.manage``,
    ``handisitting.match.propose``); ``title`` is French; ``default_roles`` receive it
    on every pole; ``sensitive`` marks access to health or family-situation data,
    which needs an explicit grant on top of a role; ``scope`` is the OAuth scope that
    lets a machine client perform it (``tenant:read``, ``tenant:write``,
    ``network:read``; None: no client may). ``pole=False`` marks an action of the
    national network, held outside any pole (its roles come from the account, not a
    membership; decision 151)."""

    name: str
    title: str
    default_roles: frozenset[str] = frozenset()
    description: str = ""
    sensitive: bool = False
    scope: str | None = None
    pole: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "default_roles", frozenset(self.default_roles))

    def problems(self) -> list[str]:
        found = []
        if not ACTION_NAME_RE.match(self.name):
            found.append(
                f"nom d'action invalide {self.name!r} (attendu : owner.verbe, en minuscules)"
            )
        unknown = sorted(self.default_roles - set(ROLES))
        if unknown:
            found.append(f"action {self.name} : rôle(s) inconnu(s) {', '.join(unknown)}")
        if not self.title.strip():
            found.append(f"action {self.name} : titre manquant")
        if self.scope not in CLIENT_SCOPES:
            found.append(
                f"action {self.name} : portée inconnue {self.scope!r} "
                f"(attendu : {', '.join(s for s in CLIENT_SCOPES if s)} ou rien)"
            )
        if self.sensitive and self.scope is not None:
            found.append(f"action {self.name} : une action sensible n'a pas de portée client")
        if not self.pole and (self.sensitive or self.default_roles - NETWORK_ROLES):
            found.append(
                f"action {self.name} : une action du réseau n'est donnée qu'aux rôles du "
                "réseau, jamais sensible"
            )
        return found


@dataclass(frozen=True)
class Actor:
    """Who makes a request, with what their membership gives in the current pole.

    ``kind``: ``person`` (an account; roles and grants from the membership),
    ``client`` (a machine client; ``scopes`` from its registration) or ``operator``
    (someone at the server's shell running the CLI, with the roles they claim there).
    ``subject`` is what the audit trail records: ``user:<uuid>``, ``client:<id>``,
    ``operator:<name>``.
    """

    subject: str
    display_name: str
    roles: frozenset[str] = frozenset()
    kind: str = "person"
    grants: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "grants", frozenset(self.grants))
        object.__setattr__(self, "scopes", frozenset(self.scopes))


@dataclass
class ActionRegistry:
    """Every declared action, by name (filled at startup from the actions hook)."""

    actions: dict[str, Action] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, owner: str, actions: Iterable[Action]) -> list[str]:
        problems = []
        for action in actions:
            problems += action.problems()
            if not (action.name.startswith(owner + ".") or owner == "core"):
                problems.append(
                    f"l'action {action.name} de {owner} doit commencer par « {owner}. »"
                )
            if action.name in self.actions:
                problems.append(
                    f"action {action.name} déclarée deux fois "
                    f"({self.owners[action.name]} et {owner})"
                )
                continue
            self.actions[action.name] = action
            self.owners[action.name] = owner
        return problems

    def allowed(self, actor: Actor | None, name: str) -> bool:
        action = self.actions.get(name)
        if action is None or actor is None:
            return False
        if actor.kind == "client":
            # tenant:write implies tenant:read; nothing implies a sensitive action.
            held = set(actor.scopes) | (
                {"tenant:read"} if "tenant:write" in actor.scopes else set()
            )
            return not action.sensitive and action.scope in held
        if not actor.roles & action.default_roles:
            return False
        return not action.sensitive or name in actor.grants

    def needs_pole(self, name: str) -> bool:
        action = self.actions.get(name)
        return action is None or action.pole

    def require(self, actor: Actor | None, name: str) -> None:
        """Raise UNAUTHENTICATED without an actor, FORBIDDEN without the action."""
        if actor is None:
            raise UnauthenticatedError("authentification requise", field=name)
        if name not in self.actions:
            # A typo in code must not become an open door: undeclared means refused.
            raise ForbiddenError(f"action non déclarée : {name}", field=name)
        if not self.allowed(actor, name):
            action = self.actions[name]
            why = (
                " (donnée sensible : accord explicite requis)"
                if action.sensitive and actor.roles & action.default_roles
                else ""
            )
            raise ForbiddenError(f"action non autorisée : {action.title}{why}", field=name)

    def by_role(self) -> Mapping[str, list[str]]:
        table: dict[str, list[str]] = {role: [] for role in ROLES}
        for action in sorted(self.actions.values(), key=lambda a: a.name):
            for role in sorted(action.default_roles):
                table[role].append(action.name)
        return table


@dataclass(frozen=True)
class Caller:
    """Who calls a service, and the registry to check them against: services take one and
    ask ``caller.require("structures.manage")`` — the API, the CLI and the demo alike."""

    actor: Actor | None
    registry: ActionRegistry

    def require(self, action: str) -> Actor:
        self.registry.require(self.actor, action)
        assert self.actor is not None
        return self.actor
