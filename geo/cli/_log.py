"""Verbosity as rasterio's ``rio`` sets it: ``-v``/``-q`` counts mapped to :mod:`logging` levels.

The library logs through ``logging.getLogger(__name__)`` (loggers under ``geo``) and never
configures a handler; the command line does, here, for one run:

=======  ========  ===========================================================
flags    level     shown on stderr
=======  ========  ===========================================================
``-q``   ERROR     errors only: no notes, no progress
(none)   WARNING   notes (``eezmap: note: ...``) and errors
``-v``   INFO      also what the run did, and the causes of an error, one line each
``-vv``  DEBUG     also debugging messages, and an error's traceback with its causes
=======  ========  ===========================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import click

#: the logger every library module's ``logging.getLogger(__name__)`` descends from
LOGGER = "geo"

#: where the CLI's own notes are logged
log = logging.getLogger("geo.cli")


def level(verbose: int, quiet: int) -> int:
    """The logging level of ``-v`` given *verbose* times and ``-q`` *quiet* times (as ``rio``)."""
    return min(logging.CRITICAL, max(logging.DEBUG, logging.WARNING - 10 * (verbose - quiet)))


class _Formatter(logging.Formatter):
    """``eezmap: note: ...`` for warnings, ``eezmap: ...`` for information; *raw* records as they are."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if getattr(record, "raw", False):
            return text
        if record.levelno >= logging.ERROR:
            return f"eezmap: error: {text}"
        if record.levelno >= logging.WARNING:
            return f"eezmap: note: {text}"
        if record.levelno >= logging.INFO:
            return f"eezmap: {text}"
        return f"eezmap: debug: {record.name}: {text}"


class _Stderr(logging.Handler):
    """Writes to the stderr of the moment (``click.echo``), so a runner that swaps it sees the lines."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # noqa: BLE001 (logging's contract: a handler never raises)
            self.handleError(record)


def configure(verbose: int, quiet: int) -> Callable[[], None]:
    """Send the ``geo`` loggers to stderr at the level of the flags; return what undoes it."""
    logger = logging.getLogger(LOGGER)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    for handler in saved[2]:
        if isinstance(handler, _Stderr):
            logger.removeHandler(handler)
    handler = _Stderr()
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.setLevel(level(verbose, quiet))
    logger.propagate = False  # one line each, not once more through the root logger's handlers

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]

    return restore


def note(message: str, *, raw: bool = False) -> None:
    """A note on stderr (``eezmap: note: MESSAGE``, or MESSAGE as it is if *raw*); ``-q`` silences it."""
    log.warning("%s", message, extra={"raw": raw})


def quiet() -> bool:
    """Whether ``-q`` was given: notes and progress are silenced."""
    return not logging.getLogger(LOGGER).isEnabledFor(logging.WARNING)
