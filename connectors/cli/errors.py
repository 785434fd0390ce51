"""The one error type of the command line: a command raises ``CommandError`` and
``app.main`` prints it (as JSON under ``--json``) and returns its exit code, so that no
command ever ends in a traceback."""

from connectors.cli.status import Exit


class CommandError(Exception):
    """What went wrong (``code``, ``message``), where (``path``: a file or a field) and what
    to do (``hint``); ``problems`` are the schema problems (line, path, message) of an XML
    document. ``exit_code`` is the command's documented code, ``Exit.ERROR`` unless said."""

    def __init__(
        self,
        code: str,
        message: str,
        hint: str = "",
        path: str = "",
        problems: list[dict] | None = None,
        exit_code: int = Exit.ERROR,
    ):
        super().__init__(message)
        self.code, self.message, self.hint, self.path = code, message, hint, path
        self.problems = problems or []
        self.exit_code = int(exit_code)

    def as_dict(self) -> dict:
        error = {"code": self.code, "path": self.path, "message": self.message, "hint": self.hint}
        if self.problems:
            error["problems"] = self.problems
        return error
