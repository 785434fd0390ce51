"""Where the command line prints: ``out`` for results, ``err`` for messages and errors.

- JSON goes out through the standard library's C encoder, never through rich: indented on a
  terminal, one line per good otherwise, a long list (a BOM's materials) written in slices so
  that no string the size of the whole answer is ever built; ``json_stream`` writes a list of
  goods one good at a time.
- Text from the data (messages, rule texts such as ``[cut off]``, paths) is printed as
  written: the consoles take no markup, styles come from ``Text`` objects.
- A table on a terminal wraps between words and never breaks a code or a path; when the output
  is not a terminal (a file, a pipe) each record is one line, however long.
- A reader that goes away (``rcep-origin evaluate FILE | head -1``) is not an error: the rest
  of the output is dropped and the command still returns its documented exit code.
"""

import json
import os
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

SLICE = 500  # list items encoded at a time
LONGEST_WORD = 40  # a wrapped column is at least as wide as its longest word, up to this


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` as they are at each write (so that a caller, or
    pytest, may replace them), with a broken pipe turned into silence."""

    def __init__(self, name: str):
        self._name = name
        self.broken = False

    @property
    def _file(self):
        return getattr(sys, self._name)

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self._file.write(text)
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._file.flush()
            except BrokenPipeError:
                self._lost()

    def isatty(self) -> bool:
        return not self.broken and self._file.isatty()

    def __getattr__(self, name):
        return getattr(self._file, name)

    def _lost(self) -> None:
        """The reader closed the pipe: point the descriptor at /dev/null, so that nothing,
        not even the interpreter's last flush at exit, fails on it again (the recipe of
        the Python documentation, "Note on SIGPIPE")."""
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._file.fileno())
        except (OSError, ValueError, AttributeError):
            pass


stdout, stderr = _Stream("stdout"), _Stream("stderr")
out = Console(file=stdout, highlight=False, markup=False, emoji=False, soft_wrap=True)
err = Console(file=stderr, highlight=False, markup=False, emoji=False, soft_wrap=True)


# --- JSON ----------------------------------------------------------------------------------------


def _encoder_options() -> dict:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return {"ensure_ascii": encoding != "utf8"}


def _write_compact(value, write, options) -> None:
    """``value`` as one line of JSON; a dict's long lists in slices of ``SLICE`` items, each
    through the C encoder (``json.dump`` to a stream would use the slow Python one)."""
    if isinstance(value, dict):
        write("{")
        for i, (key, item) in enumerate(value.items()):
            write((", " if i else "") + json.dumps(str(key), **options) + ": ")
            _write_compact(item, write, options)
        write("}")
    elif isinstance(value, list) and len(value) > SLICE:
        write("[")
        for start in range(0, len(value), SLICE):
            chunk = json.dumps(value[start : start + SLICE], **options)
            write((", " if start else "") + chunk[1:-1])
        write("]")
    else:
        write(json.dumps(value, **options))


def _write_one(value, write) -> None:
    options = _encoder_options()
    if out.is_terminal:
        write(json.dumps(value, indent=2, **options))
    else:
        _write_compact(value, write, options)


def json_out(value) -> None:
    """Print ``value`` as JSON on stdout."""
    _write_one(value, stdout.write)
    stdout.write("\n")
    stdout.flush()


def json_stream(items: Iterable, count: int) -> None:
    """Print ``count`` items as they come: the one item itself when there is exactly one,
    else a JSON list with one item per line (each made and written before the next)."""
    write = stdout.write
    if count == 1:
        for item in items:
            json_out(item)
        return
    write("[")
    for i, item in enumerate(items):
        write(",\n" if i else "\n")
        _write_one(item, write)
    write("\n]\n" if count else "]\n")
    stdout.flush()


# --- messages and tables -------------------------------------------------------------------------


def fail(args, error: dict) -> None:
    """An error as the command's whole answer: JSON under --json, else lines on stderr."""
    if getattr(args, "json", False):
        json_out({"error": error})
        return
    where = f" at {error['path']}" if error.get("path") else ""
    err.print(f"{error['code']}{where}: {error['message']}")
    for p in error.get("problems", []):
        err.print(f"  line {p['line']}, {p['path']}: {p['message']}")
    if error.get("hint"):
        err.print(error["hint"])


def report_failures(failures, as_json: bool) -> None:
    if not as_json:
        for f in failures:
            err.print(Text.assemble((f["code"], "bold red"), f" {f['message']} {f['hint']}"))


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    keep: Sequence[str] = (),
    title: str | Text | None = None,
) -> None:
    """Print a table. On a terminal: rich's, wrapping long texts between words; the columns
    named in ``keep`` (codes, paths, numbers) are never wrapped or cut, and a column is at
    least as wide as its longest word; when that does not fit the terminal, each record is a
    block instead (``_records``). Elsewhere: a header line and one line per record, columns
    aligned, nothing wrapped or cut."""
    rows = [[cell if isinstance(cell, Text) else Text(str(cell)) for cell in row] for row in rows]
    if out.is_terminal:
        widths = []
        for i, column in enumerate(columns):
            cells = [row[i].plain for row in rows]
            if column in keep:
                widths.append(max(map(len, [column, *cells])))
            else:  # wide enough for its longest word (a path in a hint), up to a point
                longest = max((len(w) for cell in cells for w in cell.split()), default=0)
                widths.append(max(len(column), min(longest, LONGEST_WORD)))
        if sum(widths) + 3 * len(columns) + 1 > out.width:
            _records(columns, rows, keep, title)  # a table would have to break words
            return
        grid = Table(title=title, title_justify="left")
        for column, width in zip(columns, widths, strict=True):
            if column in keep:
                grid.add_column(column, no_wrap=True, overflow="ignore")
            else:
                grid.add_column(column, overflow="fold", min_width=width)
        for row in rows:
            grid.add_row(*row)
        out.print(grid)
        return
    if title is not None:
        out.print(title)
    plain = [list(columns), *([cell.plain for cell in row] for row in rows)]
    widths = [max(len(line[i]) for line in plain) for i in range(len(columns))]
    for line in plain:
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        stdout.write(text.rstrip() + "\n")


def _records(columns, rows, keep, title) -> None:
    """A terminal too narrow for the table: each record as a block, its short fields on one
    line, each long one on its own lines, wrapped between words."""
    if title is not None:
        out.print(title)
    for row in rows:
        head = [cell for column, cell in zip(columns, row, strict=True) if column in keep]
        out.print(Text("  ").join(head), soft_wrap=True)
        for column, cell in zip(columns, row, strict=True):
            if column not in keep:
                out.print(Text.assemble(f"  {column}: ", cell), soft_wrap=False)
