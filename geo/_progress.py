"""Progress of a long job on stderr: units done, units per second, ETA from the measured rate.

One reporter for every long job (batch files with or without distance, Dask,
``layers fetch``, index builds).  It writes only when stderr is a terminal,
unless the caller forces it (``--progress``) or silences it (``--no-progress``,
``-q``); a job that ends within a second prints nothing unless forced.

The ETA is the remaining work divided by the rate measured so far, so it
tells the truth once the rate is steady:

>>> p = Progress("rows", total=10, enabled=False)
>>> p.update(5)
>>> p.done
5
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress", "set_default"]

#: ``None``: report when stderr is a terminal; ``True``/``False``: always/never.
#: The command line sets it from ``--progress/--no-progress`` and ``-q``.
_default: bool | None = None


def set_default(enabled: bool | None) -> None:
    """Set whether jobs that were not told otherwise report progress (``None``: on a terminal)."""
    global _default
    _default = enabled


class Progress:
    """Report ``done`` units of a job of ``total`` (or unknown) units on stderr.

    Parameters
    ----------
    unit : str
        What is counted: ``"rows"``, ``"features"``, ``"cells"`` ...
    total : int, optional
        The job's size in units, when known; ``fraction`` given to
        :meth:`update` is used otherwise (bytes read of a CSV file).
    enabled : bool, optional
        ``None`` follows :func:`set_default` (a terminal, by default).
    min_seconds : float
        Nothing is shown before this much time has passed (unless forced).
    """

    def __init__(self, unit: str, total: int | None = None, *, enabled: bool | None = None,
                 min_seconds: float = 1.0, stream: TextIO | None = None) -> None:
        self.unit = unit
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        choice = _default if enabled is None else enabled
        self.forced = choice is True
        self.enabled = self.stream.isatty() if choice is None else choice
        self.min_seconds = min_seconds
        self.start = time.perf_counter()
        self.done = 0
        self.shown = False
        self._last = 0.0

    def update(self, n: int, fraction: float | None = None) -> None:
        """Count *n* more units done; *fraction* of the whole job done, if known otherwise."""
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        if (elapsed < self.min_seconds and not self.shown) or now - self._last < 0.2:
            return
        self._last = now
        if fraction is None and self.total:
            fraction = self.done / self.total
        self.stream.write("\r" + self._line(elapsed, fraction) + "   ")
        self.stream.flush()
        self.shown = True

    def _line(self, elapsed: float, fraction: float | None) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.done:,} {self.unit}"
        if self.total:
            text += f" of {self.total:,}"
        text += f", {rate:,.0f} {self.unit}/s"
        if fraction is not None and 0 < fraction < 1:
            text += f", ETA {elapsed * (1 - fraction) / fraction:,.0f} s"
        return text

    def close(self) -> None:
        """End the line (a forced report of a short job prints its one summary line)."""
        if self.enabled and self.forced and not self.shown:
            elapsed = max(time.perf_counter() - self.start, 1e-9)
            self.stream.write(self._line(elapsed, None))
            self.shown = True
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
