"""Share pages (stub)."""


def share_handlers(group, base="/"):
    return []
