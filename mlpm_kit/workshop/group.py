"""Group estimates (stub)."""


class GroupSession:
    def __init__(self, idea_path, draws=2000):
        self.idea_path = idea_path
