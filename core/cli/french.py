"""argparse's own words in French (« utilisation », « choix invalide »…).

argparse looks every message up through ``gettext`` (the module-level ``_`` and
``ngettext`` it imported). Shipping a compiled ``.mo`` catalogue would also need the
operator's locale to be French; the command line of a French platform speaks French
whatever ``LANG`` says, so ``install()`` points argparse's two names at this table.
It is a process-wide change, made only by the ``maillage`` entry point (the
command's own process), and plugins' sub-commands get it for free.

tests/cli/test_parser.py fails when a Python upgrade adds a message missing here.
"""

from __future__ import annotations

import argparse

MESSAGES: dict[str, str] = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choisir parmi %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "not allowed with argument %s": "interdit avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande inconnue %(parser_name)r (choix : %(choices)s)"
    ),
    "unexpected option string: %s": "option inattendue : %s",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    'argument "-" with mode %r': "argument « - » avec le mode %r",
    # Mistakes of a command's author rather than of the person typing; translated so
    # that no English reaches the terminal at all.
    "%r is not callable": "%r n'est pas appelable",
    ".__call__() not defined": ".__call__() non défini",
    "'required' is an invalid argument for positionals": (
        "« required » ne s'applique pas à un argument positionnel"
    ),
    "cannot have multiple subparser arguments": "un seul groupe de sous-commandes possible",
    "cannot merge actions - two groups are named %r": (
        "fusion impossible : deux groupes s'appellent %r"
    ),
    "conflicting subparser alias: %s": "alias de sous-commande déjà pris : %s",
    "conflicting subparser: %s": "sous-commande déjà prise : %s",
    "dest= is required for options like %r": "dest= est obligatoire pour une option comme %r",
    "invalid conflict_resolution value: %r": "valeur conflict_resolution invalide : %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "option %(option)r invalide : elle doit commencer par un caractère %(prefix_chars)r"
    ),
    "mutually exclusive arguments must be optional": (
        "des arguments mutuellement exclusifs doivent être des options"
    ),
}

PLURALS: dict[str, tuple[str, str]] = {
    "conflicting option string: %s": ("option déjà prise : %s", "options déjà prises : %s"),
    "expected %s argument": ("%s valeur attendue", "%s valeurs attendues"),
}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if n == 1 else plural
    # French uses the singular for 0 and 1.
    return forms[0] if n <= 1 else forms[1]


def install() -> None:
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
