"""The reference data one evaluation needs, loaded once: HS editions, correlation, Parties,
processes and the PSR rule book (bundled rows plus the user's rule files)."""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rcep_rules.datafiles import data_path
from rcep_rules.hs import Correlation, Nomenclature, default_correlation, default_nomenclatures
from rcep_rules.parties import Parties
from rcep_rules.processes import Processes
from rcep_rules.psr import RuleBook, read_rule_file

# The rows read from the treaty text (data/psr): chapters 84, 85, 90 first, then the rows of
# other chapters read from the same sources (see data/psr/COVERAGE.md).
BUNDLED_RULE_FILES = (
    ("psr", "rcep_annex3a_psr.csv"),
    ("psr", "rcep_annex3a_psr_other_chapters.csv"),
)
BUNDLED_RULES = BUNDLED_RULE_FILES[0]  # the first file alone (kept for older callers)


def bundled_rule_rows(nomenclatures: dict[str, Nomenclature] | None = None) -> list:
    """Every bundled rule row, from all the files of ``BUNDLED_RULE_FILES``."""
    rows = []
    for parts in BUNDLED_RULE_FILES:
        rows += read_rule_file(data_path(*parts), nomenclatures)
    return rows


def default_user_rules_path() -> Path:
    """Where `rcep-origin psr import` keeps the user's rows: $RCEP_ORIGIN_RULES, else
    $XDG_DATA_HOME/rcep-origin/psr_user.csv (~/.local/share/... by default)."""
    if os.environ.get("RCEP_ORIGIN_RULES"):
        return Path(os.environ["RCEP_ORIGIN_RULES"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "rcep-origin" / "psr_user.csv"


@dataclass(frozen=True)
class Reference:
    nomenclatures: dict[str, Nomenclature]
    correlation: Correlation
    parties: Parties
    processes: Processes
    rules: RuleBook

    @classmethod
    def load(cls, rule_files: tuple[Path, ...] | None = None) -> "Reference":
        """Bundled data plus ``rule_files`` (default: the user rules file, if it exists)."""
        if rule_files is None:
            user = default_user_rules_path()
            rule_files = (user,) if user.exists() else ()
        base = _base()
        rows = bundled_rule_rows(base[0])
        for path in rule_files:
            rows += read_rule_file(Path(path), base[0])
        return cls(base[0], base[1], base[2], base[3], RuleBook(rows, base[1]))

    @classmethod
    def with_rows(cls, rows: list) -> "Reference":
        """Bundled data with the given rule rows instead of the bundled table (an ERP keeps
        the table as records and passes them here)."""
        base = _base()
        return cls(base[0], base[1], base[2], base[3], RuleBook(rows, base[1]))


def nomenclatures() -> dict[str, Nomenclature]:
    """The HS editions alone (loaded once), for checks that need no rule table."""
    return _base()[0]


@cache
def _base() -> tuple[dict[str, Nomenclature], Correlation, Parties, Processes]:
    return default_nomenclatures(), default_correlation(), Parties.load(), Processes.load()
