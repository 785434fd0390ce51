"""rcep-origin: RCEP origin pre-review, declarations and the customs Single Window.

The command line as a package, in the manner of pip's: ``app`` builds the parser and runs a
command (turning a ``CommandError`` into its message and exit code, in one place), ``status``
names the exit codes, ``options`` declares the options several commands share, ``output``
prints (JSON through the standard library, streamed per good), and one module per command
group: ``goods`` (evaluate, review), ``remedies``, ``psr``, ``documents`` (declare, validate),
``single_window`` (mock-server, submit, certificates, certificate, verify) and ``demo``.

Exit codes (DESIGN.md, README): ``evaluate`` 0 originating, 1 not originating, 2 could not be
evaluated; ``review`` 0 no errors, 2 errors; ``psr import`` 0 imported, 1 conflicts left
unimported, 2 the file was refused; ``submit`` 0 issued, 1 rejected, 2 not settled. Human
output puts the verdict first; ``--json`` gives the machine form everywhere.
"""

from connectors.cli.app import main
from connectors.cli.output import err, out

__all__ = ["err", "main", "out"]
