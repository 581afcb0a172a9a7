"""Every description in the schema in French, the generated ones included.

Strawberry writes its own texts in English on what it generates: the Relay ``Node``
interface and its ``id``, ``PageInfo``, the edges, the connections' ``pageInfo`` and
``edges``, the ``JSON`` scalar. Integrators read the schema (GraphiQL, generated SDKs):
one language throughout. The texts are replaced once the schema is built, on the
graphql-core types that both the printed SDL and introspection read, so a plugin's
connections get the same French as core's without copying strawberry's base classes.

The connection, edge and payload types that a feature declares without a description
get a generated one naming what they page or answer: the project's rule (decision 99)
is that every type the schema names carries a description, and every root field does.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

# Strawberry's English, word for word, and the French that replaces it.
FRENCH: dict[str, str] = {
    "An object with a Globally Unique ID": (
        "Un objet doté d'un identifiant global unique, que la requête node(id:) relit."
    ),
    "The Globally Unique ID of this object": (
        "Identifiant global et unique de l'objet (opaque ; à passer à node(id:))."
    ),
    "Information to aid in pagination.": (
        "Où en est la pagination : existe-t-il des pages avant ou après, et leurs curseurs."
    ),
    "When paginating forwards, are there more items?": (
        "Vrai s'il reste des éléments après cette page."
    ),
    "When paginating backwards, are there more items?": (
        "Vrai s'il y a des éléments avant cette page."
    ),
    "When paginating backwards, the cursor to continue.": (
        "Curseur du premier élément de la page (null si la page est vide)."
    ),
    "When paginating forwards, the cursor to continue.": (
        "Curseur du dernier élément de la page, à passer dans after pour la page "
        "suivante (null si la page est vide)."
    ),
    "An edge in a connection.": "Un élément d'une page, avec son curseur.",
    "A cursor for use in pagination": "Curseur de l'élément (à passer dans after).",
    "The item at the end of the edge": "L'élément.",
    "A connection to a list of items.": "Une page d'éléments.",
    "Pagination data for this connection": "État de la pagination de la page.",
    "Contains the nodes in this connection": "Les éléments de la page, dans l'ordre.",
    (
        "The `JSON` scalar type represents JSON values as specified by "
        "[ECMA-404](https://ecma-international.org/wp-content/uploads/"
        "ECMA-404_2nd_edition_december_2017.pdf)."
    ): (
        "Valeur JSON (ECMA-404) : objet, liste, texte, nombre, booléen ou null, "
        "selon ce que le champ décrit."
    ),
}

ROOTS = {
    "Query": "Les lectures : le pôle en cours, ses données, les référentiels et les modules.",
    "Mutation": (
        "Les écritures. Chaque mutation répond un objet résultat dont errors "
        "(code, champ, message) porte les erreurs de saisie."
    ),
}

TOTAL_COUNT = "Nombre total d'éléments de la liste, toutes pages confondues."


def _generated(type_: GraphQLNamedType) -> str | None:
    """A description for a type a feature declared without one, from its shape."""
    name = type_.name
    if not isinstance(type_, GraphQLObjectType):
        return None
    if name in ROOTS:
        return ROOTS[name]
    if name.endswith("Connection") and "edges" in type_.fields:
        return f"Une page de {name.removesuffix('Connection')} : éléments, pagination, total."
    if name.endswith("Edge") and "cursor" in type_.fields:
        return f"Un élément {name.removesuffix('Edge')} d'une page, avec son curseur."
    if "errors" in type_.fields:
        return (
            "Réponse d'une mutation : ce qu'elle a écrit, ou, dans errors, les erreurs "
            "de saisie (code, champ, message) — alors rien n'est écrit."
        )
    return None


def _french(text: str | None) -> str | None:
    return FRENCH.get(text, text) if text is not None else None


def frenchify(schema: GraphQLSchema) -> None:
    """Replace strawberry's English on ``schema``'s own types, in place.

    The types of the GraphQL specification (``String``, ``__Schema``…) are shared by
    every schema of the process and described by the specification itself: left as
    graphql-core has them, and they are not printed in the SDL.
    """
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        type_.description = _french(type_.description) or _generated(type_)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                field.description = _french(field.description)
                if field_name == "totalCount" and field.description is None:
                    field.description = TOTAL_COUNT
                for arg in field.args.values():
                    arg.description = _french(arg.description)
        elif isinstance(type_, GraphQLInputObjectType):
            for input_field in type_.fields.values():
                input_field.description = _french(input_field.description)
        elif isinstance(type_, GraphQLEnumType):
            for value in type_.values.values():
                value.description = _french(value.description)
