"""Where the bundled reference data lives (the ``data/`` folder, installed as ``rcep_data``)."""

import csv
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path


def data_path(*parts: str) -> Path:
    """Path of a bundled data file, e.g. ``data_path("psr", "rcep_annex3a_psr.csv")``."""
    return Path(str(files("rcep_data").joinpath(*parts)))


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with their line numbers (the header is line 1); BOM-tolerant."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row
