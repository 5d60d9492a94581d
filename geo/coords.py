"""Parse and validate the coordinates people type.

Every function here turns text (or a number) into degrees, or raises
:class:`~geo.errors.CoordinateError` (a ``ValueError``) with one line that
quotes the offending text and says what is accepted.  No other exception
type escapes, whatever the input.

Accepted forms of one value
---------------------------
- decimal degrees: ``24.28667``, ``-33.9``, ``+18.4``, ``24.5°``, and
  scientific notation as programs write numbers (``1e1``, ``2.428667E1``,
  ``1e-05``), for decimal degrees only (not ``1e1 30``);
- degrees-minutes: ``24°17.2′``, ``24 17.2``, ``24:17.2``;
- degrees-minutes-seconds: ``24°17′12″``, ``24°17'12"``, ``24°17'12''``,
  ``24 17 12``, ``24:17:12``, ``24d17m12s``;
- each with an optional hemisphere letter before or after, in either case
  (``N24.5``, ``24 17 12 s``): S and W negate.  N/S belong to latitudes and
  E/W to longitudes; a letter together with a minus sign is an error.

Degrees followed by minutes, and minutes followed by seconds, must be whole
numbers; minutes and seconds must lie in [0, 60).  A lower-case or upper-case
``s`` after the seconds is the seconds unit only when the minutes were
written with ``m`` (``24d17m12s``); otherwise it is the hemisphere South
(``24 17 12 s``, ``24°17′12″S``).

Latitudes must lie in [-90, 90].  Longitudes may be given in [-180, 360]
(0–360 longitudes are common in the Pacific) and are returned normalised to
[-180, 180): ``200`` -> ``-160``, ``180`` -> ``-180``, ``360`` -> ``0``.

Pairs and swapped values
------------------------
:func:`parse_pair` and :func:`parse_point` take the latitude first.  When
hemisphere letters show the order is reversed (``153°58′50″E 24°17′12″N``,
or just ``153.98E 24.28``), the values are swapped silently: a value marked
E/W can only be a longitude, so the letters make the meaning unambiguous.
Without letters nothing is swapped; a latitude out of range whose swap would
be valid gets the hint ``did you swap latitude and longitude? The order is
LAT LON``.

Example
-------
>>> from geo.coords import parse_point
>>> lat, lon = parse_point("24°17′12″N 153°58′50″E")
>>> round(lat, 5), round(lon, 5)
(24.28667, 153.98056)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, overload

from ._dms import _POINT_FORMS, _Bad, _cannot, _parse_tokens, _Raw, _raw, _raw_side, _Tok, _tokenize
from .errors import ArgumentError, CoordinateError

if TYPE_CHECKING:  # pragma: no cover - typing only; numpy is imported lazily
    from collections.abc import Sequence

    import numpy as np

__all__ = ["parse_latitude", "parse_longitude", "parse_pair", "parse_pairs", "parse_point", "wrap_lon"]

_SWAP_HINT = "did you swap latitude and longitude? The order is LAT LON"

_MAX_POINT_TOKENS = 24  # two values of at most 10 tokens each (N - 24 ° 17 ′ 12 ″ ...)


def _latitude(raw: _Raw, hint: bool = False) -> float:
    if raw.letter in ("E", "W"):
        raise CoordinateError(f"latitude {raw.shown} has the hemisphere letter {raw.letter!r}, "
                              f"which is for longitudes; a latitude takes N or S")
    if not -90.0 <= raw.value <= 90.0:
        message = f"latitude {raw.shown} is out of range [-90, 90]"
        raise CoordinateError(f"{message}; {_SWAP_HINT}" if hint else message)
    return raw.value + 0.0  # -0.0 -> 0.0


def _longitude(raw: _Raw, wrap: bool = True) -> float:
    if raw.letter in ("N", "S"):
        raise CoordinateError(f"longitude {raw.shown} has the hemisphere letter {raw.letter!r}, "
                              f"which is for latitudes; a longitude takes E or W")
    if not -180.0 <= raw.value <= 360.0:
        raise CoordinateError(f"longitude {raw.shown} is out of range [-180, 180] (or [0, 360])")
    return (_wrap_scalar(raw.value) if wrap else raw.value) + 0.0


def _kind(letter: str | None) -> str | None:
    if letter is None:
        return None
    return "latitude" if letter in ("N", "S") else "longitude"


def _assign(a: _Raw, b: _Raw, wrap: bool = True) -> tuple[float, float]:
    """(lat, lon) from the first and second value, using hemisphere letters."""
    ka, kb = _kind(a.letter), _kind(b.letter)
    if ka is not None and ka == kb:
        letters = "N/S" if ka == "latitude" else "E/W"
        raise CoordinateError(f"{a.shown} and {b.shown} are both {ka}s ({letters}); "
                              f"give one latitude (N/S) and one longitude (E/W), in the order LAT LON")
    if ka == "longitude" or kb == "latitude":
        a, b = b, a  # the letters say which is which
    # Without letters, hint at a swap when the swapped order would be valid.
    hint = (ka is None and kb is None and -90.0 <= b.value <= 90.0 and -180.0 <= a.value <= 360.0)
    return _latitude(a, hint=hint), _longitude(b, wrap)


def _wrap_scalar(x: float) -> float:
    if -180.0 <= x < 180.0:
        return x  # exact: no arithmetic on values already in range
    if 180.0 <= x < 540.0:
        return x - 360.0  # exact in floating point (Sterbenz): a 0-360 longitude lands bit for bit
    if -540.0 <= x < -180.0:
        return x + 360.0
    r = (x + 180.0) % 360.0 - 180.0
    return r - 360.0 if r >= 180.0 else r


# --------------------------------------------------------------------------- public API


def parse_latitude(value: str | float) -> float:
    """Read one latitude in degrees.

    Parameters
    ----------
    value : str or float
        Decimal degrees (``"-33.9"``), degrees-minutes(-seconds) such as
        ``"24°17′12″N"``, ``"24 17 12 N"``, ``"24:17:12"`` or ``"S33 54"``,
        or a finite number.

    Returns
    -------
    float
        Degrees in [-90, 90], north positive.

    Raises
    ------
    CoordinateError
        Unreadable text, an E/W letter, NaN/inf, or a value out of range.

    Example
    -------
    >>> parse_latitude("24°17′12″N") == 24 + 17 / 60 + 12 / 3600
    True
    >>> parse_latitude("33 54 S")
    -33.9
    """
    return _latitude(_raw(value, "latitude"))


def parse_longitude(value: str | float) -> float:
    """Read one longitude in degrees, normalised to [-180, 180).

    Parameters
    ----------
    value : str or float
        Same forms as :func:`parse_latitude` with the letters E/W; anything
        from -180 to 360 (0–360 longitudes are common in the Pacific).

    Returns
    -------
    float
        Degrees in [-180, 180), east positive.

    Raises
    ------
    CoordinateError
        Unreadable text, an N/S letter, NaN/inf, or a value out of [-180, 360].

    Example
    -------
    >>> parse_longitude("200")
    -160.0
    >>> parse_longitude("70 30 W")
    -70.5
    """
    return _longitude(_raw(value, "longitude"))


def parse_pair(lat: str | float, lon: str | float, *, wrap: bool = True) -> tuple[float, float]:
    """Read a latitude and a longitude given separately (``eezmap where LAT LON``).

    Hemisphere letters that show the two are reversed (``"153°58′50″E"``,
    ``"24°17′12″N"``) swap them silently.  Without letters a latitude out of
    range whose swap would be valid gets the hint ``did you swap latitude and
    longitude? The order is LAT LON``.  A latitude ending in one ``,`` or
    ``;`` (as when ``24.28667, 153.98056`` is pasted into a shell) is accepted.

    Parameters
    ----------
    lat, lon : str or float
        Any form accepted by :func:`parse_latitude` / :func:`parse_longitude`.
    wrap : bool
        Normalise the longitude to [-180, 180) (default); ``False`` returns it
        as given (still checked to lie in [-180, 360]), e.g. to echo it.

    Returns
    -------
    tuple of float
        ``(lat, lon)``, the longitude normalised to [-180, 180) unless ``wrap=False``.

    Raises
    ------
    CoordinateError
        Either value unreadable or out of range, or both with N/S (or E/W).

    Example
    -------
    >>> parse_pair("24.28667", "153.98056")
    (24.28667, 153.98056)
    >>> parse_pair("153.5E", "24.5N")
    (24.5, 153.5)
    """
    if isinstance(lat, str) and lat.rstrip().endswith((",", ";")):
        lat = lat.rstrip()[:-1]
    elif isinstance(lon, str) and lon.lstrip().startswith((",", ";")):
        lon = lon.lstrip()[1:]
    return _assign(_raw(lat, "latitude"), _raw(lon, "longitude"), wrap)


def parse_point(text: str, *, wrap: bool = True) -> tuple[float, float]:
    """Read a latitude and a longitude from one string.

    The two may be separated by a comma, a semicolon or spaces:
    ``"24.28667,153.98056"``, ``"24.28667 153.98056"``, ``"-33.9;18.4"``,
    ``"24°17′12″N 153°58′50″E"``, ``"24 17 12 N 153 58 50 E"``,
    ``"N24.28667 E153.98056"``.  Without a comma the split must be the only
    one that reads as two valid values (``"10 20 30 40"`` is refused: use a
    comma).  Hemisphere letters decide which value is which, as in
    :func:`parse_pair`.

    Parameters
    ----------
    text : str
        Latitude then longitude.
    wrap : bool
        As for :func:`parse_pair`.

    Returns
    -------
    tuple of float
        ``(lat, lon)``, the longitude normalised to [-180, 180) unless ``wrap=False``.

    Raises
    ------
    CoordinateError
        Unreadable, ambiguous or out-of-range input.

    Example
    -------
    >>> parse_point("-33.9, 18.4")
    (-33.9, 18.4)
    >>> parse_point("24.3,206")
    (24.3, -154.0)
    """
    if text is None:
        raise CoordinateError(f"point is missing: {_POINT_FORMS}")
    if not isinstance(text, str):
        raise CoordinateError(f"point must be text, got {type(text).__name__}: {_POINT_FORMS}")
    if not text.strip():
        raise CoordinateError(f"point is empty: {_POINT_FORMS}")
    try:
        tokens = _tokenize(text)
    except _Bad as bad:
        raise CoordinateError(_cannot("point", text, bad, _POINT_FORMS)) from bad
    seps = [k for k, tok in enumerate(tokens) if tok.kind == "sep"]
    if len(seps) > 1:
        raise CoordinateError(_cannot("point", text, _Bad(
            "it has more than one ',' or ';' (use '.' for decimals)"), _POINT_FORMS))
    if seps:
        k = seps[0]
        sides = [tokens[:k], tokens[k + 1:]]
        for side, what in zip(sides, ("latitude before", "longitude after"), strict=True):
            if not side:
                raise CoordinateError(_cannot("point", text, _Bad(
                    f"the {what} {tokens[k].text!r} is missing"), _POINT_FORMS))
        a, b = (_raw_side(side, text) for side in sides)
        return _assign(a, b, wrap)
    return _split_point(tokens, text, wrap)


def parse_pairs(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read many latitude/longitude pairs (two columns of a table) as :func:`parse_pair` reads one.

    A cell and an argument are the same input: every row gets exactly the
    value or the error message that ``parse_pair(lat[i], lon[i])`` gives.
    Numbers, and text that is a plain decimal number (``"24.28667"``,
    ``"1e-05"``), are checked with vectorised code; only the other rows (text
    with degrees-minutes-seconds or hemisphere letters, and every bad row) go
    through :func:`parse_pair` one by one, so a million numeric rows never
    meet a per-cell Python parser.

    A missing cell (``None``, NaN — how pandas marks a missing number — or
    ``pd.NA``) gives the message of ``parse_pair(None, ...)``, ``latitude is
    missing: ...``; an empty text cell (how CSV writes one) the message of
    ``parse_pair("", ...)``, ``latitude is missing (empty text): ...``.

    Parameters
    ----------
    lat, lon : array_like
        Columns of equal length: numbers, text, or a mix.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lat, lon, errors)``: degrees (longitudes normalised to [-180, 180);
        NaN on a bad row) and an object array of messages (``""`` for a good row).

    Example
    -------
    >>> lat, lon, err = parse_pairs(["24.28667", "153.98056E", "95"], ["206", "24.28667N", "150"])
    >>> lat.tolist()[:2], lon.tolist()[:2]
    ([24.28667, 24.28667], [-154.0, 153.98056])
    >>> err.tolist()
    ['', '', "latitude '95' is out of range [-90, 90]"]
    """
    import numpy as np

    la, la_cells = _column(lat)
    lo, lo_cells = _column(lon)
    if len(la) != len(lo):
        raise CoordinateError(f"parse_pairs needs columns of equal length, got {len(la)} and {len(lo)}")
    n = len(la)
    with np.errstate(invalid="ignore"):
        fast = (la >= -90.0) & (la <= 90.0) & (lo >= -180.0) & (lo <= 360.0)  # False for NaN
    out_lat = np.full(n, np.nan)
    out_lon = np.full(n, np.nan)
    errors = np.full(n, "", dtype=object)
    out_lat[fast] = la[fast] + 0.0  # -0.0 -> 0.0, as parse_pair
    out_lon[fast] = wrap_lon(lo[fast]) + 0.0
    for i in np.flatnonzero(~fast):  # text in other forms, and every bad row: the one parser
        try:
            out_lat[i], out_lon[i] = parse_pair(_cell(la_cells, int(i)), _cell(lo_cells, int(i)))
        except CoordinateError as exc:
            errors[i] = str(exc)
    return out_lat, out_lon, errors


def _column(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(float values of the plain-number cells, NaN elsewhere; the cells as given)."""
    import numpy as np

    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        values = values.to_numpy()  # a pandas Series or Index
    a = np.asarray(values) if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
    if a.ndim != 1:
        raise CoordinateError(f"parse_pairs needs one-dimensional columns, got shape {a.shape}")
    if a.dtype.kind in "fiu":
        return a.astype(float), a
    obj = a.astype(object)
    import pandas as pd

    kind = pd.api.types.infer_dtype(obj, skipna=True)
    try:
        num = np.array(pd.to_numeric(pd.Series(obj, dtype=object), errors="coerce"), dtype=float)
    except (TypeError, ValueError):  # objects pandas cannot even try: every cell the slow way
        return np.full(len(obj), np.nan), obj
    if kind not in ("string", "floating", "integer", "mixed-integer-float", "decimal", "empty"):
        # booleans and other objects that pandas would turn into numbers: the parser refuses them
        plain = np.fromiter((isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in obj),
                            dtype=bool, count=len(obj))
        num[~plain] = np.nan
    return num, obj


def _cell(cells: np.ndarray, i: int) -> Any:
    """One cell as parse_pair takes it (a Python number or text); missing values as None."""
    v = cells[i]
    if cells.dtype.kind in "fiu":
        v = v.item()  # an int stays an int, so the message shows 95, not 95.0
    if v is None or (isinstance(v, float) and v != v) or type(v).__name__ in ("NAType", "NaTType"):
        return None
    return v  # empty text stays text: the message is the argument's ("... is missing (empty text)")


def _split_point(tokens: list[_Tok], text: str, wrap: bool) -> tuple[float, float]:
    """Find the one place where a point without a comma splits into two values.

    Each split is scored: 0 = a side does not parse, 1 = minutes/seconds or
    sign wrong, 2 = out of range or conflicting letters, 3 = valid.  The best
    score wins if one split alone has it; otherwise the point is ambiguous.
    """
    if len(tokens) > _MAX_POINT_TOKENS:  # no point needs this many; keeps the search small
        raise CoordinateError(_cannot("point", text, _Bad("it is too long"), _POINT_FORMS))
    scored: list[tuple[int, Any]] = []
    for k in range(1, len(tokens)):
        if tokens[k - 1].kind == "num" and tokens[k].kind in ("hemi", "s") and not tokens[k].space_before:
            continue  # a letter glued to a number belongs to it
        left, right = tokens[:k], tokens[k:]
        try:
            _parse_tokens(left), _parse_tokens(right)
        except _Bad:
            continue  # score 0: not a candidate
        try:
            a, b = _raw_side(left, text), _raw_side(right, text)
        except CoordinateError as exc:
            scored.append((1, exc))
            continue
        try:
            scored.append((3, _assign(a, b, wrap)))
        except CoordinateError as exc:
            scored.append((2, exc))
    if not scored:
        try:
            _parse_tokens(tokens)
        except _Bad as bad:
            raise CoordinateError(_cannot("point", text, _Bad(), _POINT_FORMS)) from bad
        raise CoordinateError(_cannot("point", text, _Bad("it holds only one value"), _POINT_FORMS))
    best = max(score for score, _ in scored)
    top = [outcome for score, outcome in scored if score == best]
    if best == 3 and len(set(top)) == 1:
        lat, lon = top[0]
        return float(lat), float(lon)
    if len(top) == 1:
        raise top[0]
    raise CoordinateError(_cannot("point", text, _Bad(
        "cannot tell where the latitude ends and the longitude begins; separate them with a comma, "
        "e.g. '24 17 12, 153 58 50'", syntax=False), _POINT_FORMS))


@overload
def wrap_lon(lon: float) -> float: ...


@overload
def wrap_lon(lon: np.ndarray | Sequence[float]) -> np.ndarray: ...


def wrap_lon(lon: Any) -> Any:
    """Map longitudes to [-180, 180).

    A number gives a float; an array (or list) gives a float ndarray of the
    same shape.  Values already in range are returned unchanged (no rounding);
    NaN stays NaN and infinities become NaN, as in numpy.

    Parameters
    ----------
    lon : float or array_like
        Longitudes in degrees, any range.

    Returns
    -------
    float or numpy.ndarray
        The same longitudes in [-180, 180): ``180`` -> ``-180``, ``200`` -> ``-160``.

    Raises
    ------
    CoordinateError
        Text, None, booleans or anything else that is not numeric (use
        :func:`parse_longitude` for text).

    Example
    -------
    >>> wrap_lon(200.0)
    -160.0
    >>> wrap_lon([180.0, 359.5, -10.0]).tolist()
    [-180.0, -0.5, -10.0]
    """
    if lon is None or isinstance(lon, (str, bytes, bytearray, bool)):
        raise CoordinateError(f"wrap_lon needs numbers, got {type(lon).__name__} "
                              f"(use parse_longitude for text)")
    if isinstance(lon, (int, float)):
        try:
            x = float(lon)
        except OverflowError as exc:
            raise CoordinateError(f"longitude {lon} is too large") from exc
        return _wrap_scalar(x) if math.isfinite(x) else math.nan
    import numpy as np

    try:
        a = np.asarray(lon, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CoordinateError(f"wrap_lon needs numbers: {exc}".splitlines()[0]) from exc
    with np.errstate(invalid="ignore"):
        r = np.mod(a + 180.0, 360.0) - 180.0
        r = np.where(r >= 180.0, r - 360.0, r)
        r = np.where((a >= 180.0) & (a < 540.0), a - 360.0, r)      # exact shifts (Sterbenz)
        r = np.where((a >= -540.0) & (a < -180.0), a + 360.0, r)
        out = np.where((a >= -180.0) & (a < 180.0), a, r)
    if out.ndim == 0 and not isinstance(lon, np.ndarray):
        return float(out)
    return out


def check_bbox(bbox: Sequence[float], param: str = "bbox") -> tuple[float, float, float, float]:
    """(W, S, E, N): W < E in -180..180, S < N in -90..90; the message names *param*."""
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"`{param}` needs four numbers W,S,E,N") from exc
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise ArgumentError(f"`{param}` values must be finite numbers")
    if not (-90 <= s < n <= 90):
        raise ArgumentError(f"`{param}` {w:g},{s:g},{e:g},{n:g}: need -90 <= S < N <= 90")
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise ArgumentError(f"`{param}` {w:g},{s:g},{e:g},{n:g}: longitudes must lie in -180..180")
    if w >= e:
        raise ArgumentError(f"`{param}` {w:g},{s:g},{e:g},{n:g}: W must be less than E; a box across "
                            "180° is two boxes (e.g. 170,-30,180,0 and -180,-30,-170,0)")
    return w, s, e, n
