"""The errors a user can fix, under one base the CLI turns into one line.

Every module raises a subclass of :class:`JippError` for a problem in the
user's input or setup (a missing index, an unknown collection, a busy site);
``jipp-kb`` prints its message and exits with its ``exit_code``, never a
traceback. A subclass keeps its builtin base too (``ValueError``…) so code
that catches those still works. Bad *content* is not an error: it is a
:class:`jipp_kb.problems.Problem`, and a run goes on with the other files.
"""

from __future__ import annotations


class JippError(Exception):
    """A problem the user can fix; the message says how."""

    exit_code = 1


class UsageError(JippError, ValueError):
    """The command was called wrongly (a bad option value): exit code 2, as click's usage errors."""

    exit_code = 2


class NoIndex(JippError, FileNotFoundError):
    """The keyword or embedding index a command needs has not been built (run ``jipp-kb index``)."""


class UnknownCase(JippError, KeyError):
    """No case (in the corpus or the index) has this id."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else "unknown case"
