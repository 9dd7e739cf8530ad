"""The one exception type the CLI turns into a single line and a non-zero exit."""


class ParcoursError(Exception):
    """A failure the operator can act on; its message is the whole explanation."""
