"""The exception hierarchy of :mod:`geo`.

Every error the library raises on purpose derives from :class:`GeoError` and
from the closest built-in, so callers can catch either.  The command line turns
each into one line on stderr and the exit status given by ``exit_code``.
"""

from __future__ import annotations


class GeoError(Exception):
    """Base class of every deliberate error in :mod:`geo`."""

    exit_code = 2


class CoordinateError(GeoError, ValueError):
    """A coordinate (or pair) that cannot be parsed or is out of range."""


class SiteError(GeoError, KeyError):
    """An unknown site id, or a malformed user site file."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class LayerError(GeoError, OSError):
    """A bundled or user layer that is missing, corrupted or malformed."""

    exit_code = 5


class UnknownLayerError(GeoError, ValueError):
    """A layer id that no manifest lists (a user's typo: bad input)."""


class LayerKindError(GeoError, ValueError):
    """A layer of the wrong kind where zones were asked for (bad input, exit 2)."""


class ArgumentError(GeoError, ValueError):
    """A bad argument to a library call (a layer id, a kind, a bounding box): bad input."""


class FetchError(GeoError, OSError):
    """A download that failed: network, timeout, server error or a malformed response.

    Nothing is replaced when this is raised: a layer fetched before stays as it was.
    """

    exit_code = 6


class InputFileError(GeoError, OSError):
    """A user input file that cannot be read or has no usable columns."""


class OutputError(GeoError, OSError):
    """An output that cannot be written (or would overwrite the input)."""
