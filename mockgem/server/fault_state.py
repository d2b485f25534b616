"""The app's fault and quota state, changeable at run time through `/_mockgem/`."""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Sequence

from mockgem.faults import Fault, QuotaBook, QuotaExceeded, Throttle, parse_quotas
from mockgem.faults.quotas import Clock

THROTTLE_HISTORY = 1000
# A seed is a 64-bit unsigned number: one past it could not be read back as JSON.
SEED_LIMIT = 2**64


class FaultBoard:
    """The faults any generate call may get, and the one seeded generator they are rolled from.

    Each request gets its own generator seeded from the app's, so request N draws the same
    faults and jitter in every run with the same seed, however long the earlier ones took.
    """

    def __init__(self, faults: Sequence[Fault] = (), seed: int | None = None) -> None:
        self.faults = self._started_faults = tuple(faults)
        self.reseed(seed)
        self._started_seed = self.seed

    def restart(self) -> None:
        """The faults and seed it started with, the draws from the first again (as on a fresh server)."""
        self.faults = self._started_faults
        self.reseed(self._started_seed)

    def reseed(self, seed: int | None) -> None:
        self.seed = random.SystemRandom().randrange(2**32) if seed is None else seed
        self._rng = random.Random(self.seed)

    def request_rng(self) -> random.Random:
        return random.Random(self._rng.getrandbits(64))


class QuotaDesk:
    """The quota rules in force, their usage, and the requests they refused (newest last)."""

    def __init__(self, specs: Sequence[str] = (), *, clock: Clock = time.time) -> None:
        self.clock = clock
        self.throttled: deque[Throttle] = deque(maxlen=THROTTLE_HISTORY)
        self.replace(specs)
        self._started_specs = self.specs

    def restart(self) -> None:
        """The quotas it started with, no usage and no throttle history."""
        self.replace(self._started_specs)
        self.throttled.clear()

    def replace(self, specs: Sequence[str]) -> None:
        """New rules with fresh usage; raises ConfigError for a bad spec and keeps the old ones."""
        book = QuotaBook(parse_quotas(specs), clock=self.clock)
        self.specs, self.book = tuple(specs), book

    def open_session(self, model: str, key: str | None) -> None:
        """One more open Live session; QuotaExceeded over a `sessions` limit."""
        try:
            self.book.open_session(model, key)
        except QuotaExceeded as exc:
            self.throttled.append(exc.throttle)
            raise

    def close_session(self, model: str, key: str | None) -> None:
        self.book.close_session(model, key)

    def charge(self, model: str, key: str | None, tokens: Callable[[], int]) -> None:
        """Counts one request; `tokens` is only worked out when some quota is set."""
        if not self.specs:
            return
        try:
            self.book.charge(model, key, tokens())
        except QuotaExceeded as exc:
            self.throttled.append(exc.throttle)
            raise
