"""Safe use from several threads at once: private prepared geometries, one-time initialisation.

Every public function may be called from several threads of one process at
once (a threaded web server, Dask's threaded scheduler).  Two things stand in
the way, and this module has one tool for each.

Prepared geometries
    A GEOS prepared geometry is not safe to share between threads
    (libgeos/geos#825): it builds its indexes lazily on first use and keeps
    scratch state while it answers, so two threads using one at the same time
    corrupt memory (``unaligned tcache chunk detected``, SIGSEGV) or deadlock.
    shapely 2 prepares a geometry *in place* when ``shapely.prepare`` is
    called on it and also the first time ``intersects_xy`` or
    ``contains_xy`` is (every later predicate on it then uses the prepared
    form).  So the geometries the package shares between threads -- a
    layer's zones and land, loaded once per process -- are never prepared and
    never given to those functions.  :class:`PreparedCopies` lends each
    thread its own prepared copies of them instead: a set of copies is used by
    one thread at a time and goes back to the pool afterwards, so there are
    never more sets than threads using them at once, and a server that starts
    a thread per request does not prepare its zones afresh for every request.
    Plain predicates on unprepared geometries (``shapely.intersects``,
    ``covers``, ``distance``...) only read them and are safe.

Initialisation
    A cache filled on first use (a layer loaded, an index read from disk or
    built) must be filled once even when several threads ask for it first,
    together: :func:`once` is :func:`functools.lru_cache` that computes each
    key once, under a lock of its own, while the other threads asking for the
    same key wait for that result.  Objects with lazy attributes take a lock
    and check again (double-checked locking), and files are written under a
    unique temporary name and renamed into place, so two processes writing the
    same cache file never mix their bytes.

pyproj's ``Geod`` is plain geographiclib, whose state is read-only once made,
but pyproj does not promise that a ``Geod`` may be shared, so
:func:`geo.geodesy.geod` makes one per thread (it costs microseconds).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, ParamSpec, TypeVar, overload

import numpy as np

__all__ = ["PreparedCopies", "in_order", "once"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class _Once(Generic[P, R]):
    """A function cached by :func:`once` (same signature, plus ``cache_clear()``)."""

    def __init__(self, func: Callable[P, R], maxsize: int | None) -> None:
        functools.update_wrapper(self, func)
        self._func = func
        self._maxsize = maxsize
        self._results: dict[Any, R] = {}
        self._locks: dict[Any, threading.RLock] = {}
        self._guard = threading.Lock()

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return self._results[key]
        except KeyError:
            pass
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:  # re-entrant: a recursive call with the same key computes, it does not hang
            try:
                return self._results[key]
            except KeyError:
                pass
            value = self._func(*args, **kwargs)
            with self._guard:
                self._results[key] = value
                self._locks.pop(key, None)
                while self._maxsize is not None and len(self._results) > self._maxsize:
                    del self._results[next(iter(self._results))]
            return value

    def cache_clear(self) -> None:
        """Forget every result."""
        with self._guard:
            self._results.clear()


class _CopySet(dict):  # type: ignore[type-arg]
    """Prepared copies of some of the pool's geometries (index -> geometry), made on first use."""

    def __init__(self, geoms: np.ndarray) -> None:
        super().__init__()
        self._geoms = geoms

    def __missing__(self, i: int) -> Any:
        import shapely

        # through WKB: a new GEOS geometry sharing nothing with the original, exactly equal to it
        geom = shapely.from_wkb(shapely.to_wkb(self._geoms[i]))
        if geom is not None:
            shapely.prepare(geom)
        self[i] = geom
        return geom


class PreparedCopies:
    """Prepared private copies of shared geometries, lent to one thread at a time.

    Parameters
    ----------
    geoms : array of shapely geometries
        Shared between threads; they are only read (never prepared).

    Example
    -------
    >>> import numpy as np, shapely
    >>> zones = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> pool = PreparedCopies(zones)
    >>> with pool.lend() as mine:           # this thread's copies, prepared
    ...     bool(shapely.intersects_xy(mine[1], 1.5, 0.5))
    True
    >>> bool(shapely.is_prepared(zones).any())
    False
    """

    def __init__(self, geoms: np.ndarray) -> None:
        self._geoms = geoms
        self._free: list[_CopySet] = []
        self._lock = threading.Lock()

    @contextmanager
    def lend(self) -> Iterator[_CopySet]:
        """A mapping index -> prepared copy, for this thread only until the block ends."""
        with self._lock:
            copies = self._free.pop() if self._free else _CopySet(self._geoms)
        try:
            yield copies
        finally:
            with self._lock:
                self._free.append(copies)


@overload
def once(func: Callable[P, R], *, maxsize: int | None = None) -> _Once[P, R]: ...


@overload
def once(func: None = None, *, maxsize: int | None = None) -> Callable[[Callable[P, R]], _Once[P, R]]: ...


def once(func: Callable[P, R] | None = None, *, maxsize: int | None = None
         ) -> _Once[P, R] | Callable[[Callable[P, R]], _Once[P, R]]:
    """Cache a function's results like :func:`functools.lru_cache`, computing each key once.

    When several threads call it with the same new arguments together, one
    computes the result and the others wait for it (``lru_cache`` would let
    each compute its own).  An exception is not cached: the next call tries
    again.  *maxsize* bounds the cache (the oldest entry goes first).
    ``cache_clear()`` empties it.

    Example
    -------
    >>> @once
    ... def square(x):
    ...     return x * x
    >>> square(3), square(3)
    (9, 9)
    """
    if func is None:
        def decorate(f: Callable[P, R]) -> _Once[P, R]:
            return _Once(f, maxsize)

        return decorate
    return _Once(func, maxsize)


def in_order(items: Iterable[T], work: Callable[[T], R], workers: int = 2) -> Generator[R, None, None]:
    """``map(work, items)`` with *workers* items worked on at once, each in its own thread.

    The results come in the items' order; one more item than *workers* is
    taken ahead, so a thread never waits for the next item (memory: at most
    ``workers + 1`` items and results in flight).  Worth it when *work* spends
    its time in code that releases the GIL (numpy, shapely, Arrow), and only
    for work that is safe in several threads at once (every public function
    of the package is).  An exception in *work* is raised here, for its item,
    and the items not yet started are dropped.  The caller's thread waits in
    short slices, so a signal handler of its (Ctrl-C, SIGTERM) runs within
    50 ms even when the signal reached a worker thread.

    Example
    -------
    >>> list(in_order(range(5), lambda x: x * x))
    [0, 1, 4, 9, 16]
    """
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) > workers:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        finally:
            for f in pending:
                f.cancel()


def _result(future: Any) -> Any:
    """A future's result, waited for in 50 ms slices (a signal handler may run in between)."""
    while True:
        try:
            return future.result(timeout=0.05)
        except TimeoutError:   # concurrent.futures.TimeoutError is TimeoutError
            continue
