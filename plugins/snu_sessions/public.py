def routes() -> list:
    return []
