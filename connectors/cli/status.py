"""The exit codes of ``rcep-origin`` (README "The command line"), named once.

Every command answers a question: ``OK`` is yes (originating, valid, issued, imported, no
errors), ``NO`` is a definite no (not originating, invalid, rejected, rules left out as
conflicts, remedies needed), ``ERROR`` is that no answer could be given (an unreadable or
refused file, review errors, nothing settled with the Single Window, a usage error). With
several goods the highest code wins.
"""

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    NO = 1
    ERROR = 2


def worst(codes, default: int = Exit.ERROR) -> int:
    """The highest of the codes of several goods, ``default`` when there are none."""
    return max(codes, default=default)
