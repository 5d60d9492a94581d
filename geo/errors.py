"""The exception hierarchy of :mod:`geo`.

Every error the library raises on purpose derives from :class:`GeoError` and
from the closest built-in, so callers can catch either.  The command line turns
each into one line on stderr and the exit status given by ``exit_code``.
"""

from __future__ import annotations


class GeoError(Exception):
    """Base class of every deliberate error in :mod:`geo`.

    ``param`` names the parameter(s) the message is about, when a front end
    (the command line) should say them in its own words (``--engine``).
    """

    exit_code = 2
    param: str | tuple[str, ...] | None = None


class CoordinateError(GeoError, ValueError):
    """A coordinate (or pair) that cannot be parsed or is out of range."""


class SiteError(GeoError, KeyError):
    """An unknown site id, or a malformed user site file."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class LayerError(GeoError, OSError):
    """A bundled or user layer that is missing, corrupted or malformed."""

    exit_code = 5


class ArgumentError(GeoError, ValueError):
    """A bad argument to a library call (a layer id or kind, a bounding box, a country): bad input.

    The one bad-input class besides :class:`CoordinateError`; messages name the
    parameter (``page_size``), and the command line translates them to its flags.
    """


class UnknownLayerError(ArgumentError):
    """A layer id that no manifest lists (a user's typo)."""


class CountryError(ArgumentError):
    """A country code or name that no loaded layer knows."""


class FetchError(GeoError, OSError):
    """A download that failed: network, timeout, server error or a malformed response.

    Nothing is replaced when this is raised: a layer fetched before stays as it was.
    """

    exit_code = 6


class InputFileError(GeoError, OSError):
    """A user input file that cannot be read or has no usable columns."""


class OutputError(GeoError, OSError):
    """An output that cannot be written (or would overwrite the input)."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name if it has none), for one-line errors."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
