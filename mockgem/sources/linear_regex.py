"""A rule's `regex`, run on RE2: time linear in the text, whatever the pattern.

Python's `re` backtracks: a posted `^(a+)+$` against a long prompt blocks the event loop, and
every client with it, for seconds. RE2 (https://github.com/google/re2/wiki/Syntax) has no
backtracking, and so no backreferences or lookaround; a pattern that needs them is refused when
the rules are loaded, with RE2's reason.
"""

from __future__ import annotations

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason goes in the refusal, not to stderr


class LinearPattern:
    """A compiled pattern whose `search` never backtracks."""

    def __init__(self, pattern: str) -> None:
        try:
            self._compiled = re2.compile(pattern, options=_OPTIONS)
        except re2.error as exc:
            reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise ValueError(f"not a regular expression RE2 runs (no backreferences or lookaround): {reason}") from None
        self.pattern = pattern

    def search(self, text: str) -> bool:
        return self._compiled.search(text) is not None
