from core import sdk


def contribution() -> sdk.PageContribution:
    return sdk.PageContribution()


def navigation() -> list[sdk.NavEntry]:
    return []
