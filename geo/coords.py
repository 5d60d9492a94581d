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
import re
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from .errors import CoordinateError

if TYPE_CHECKING:  # pragma: no cover - typing only; numpy is imported lazily
    from collections.abc import Sequence

    import numpy as np

__all__ = ["normalize_longitude", "parse_latitude", "parse_longitude", "parse_pair", "parse_pairs",
           "parse_point"]

_LAT_FORMS = ("use decimal degrees (24.28667, -33.9) or degrees-minutes-seconds "
              "(24°17′12″N, 24 17 12 N, 24:17:12), with an optional hemisphere letter N or S")
_LON_FORMS = ("use decimal degrees (153.98056, -70.5, or 0 to 360) or degrees-minutes-seconds "
              "(153°58′50″E, 153 58 50 E, 153:58:50), with an optional hemisphere letter E or W")
_POINT_FORMS = ("give latitude then longitude, e.g. '24.28667, 153.98056', '-33.9;18.4', "
                "'24°17′12″N 153°58′50″E' or '24 17 12 N, 153 58 50 E'")
_SWAP_HINT = "did you swap latitude and longitude? The order is LAT LON"

_TOKEN_RE = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?)
    | (?P<sign>[-+\u2212])
    | (?P<deg>[°º˚]|deg|d)
    | (?P<sec>''|′′|[″"”“]|sec)
    | (?P<min>[′'’‘]|min|m)
    | (?P<s>s)
    | (?P<hemi>[nsew])
    | (?P<colon>:)
    | (?P<sep>[,;])
    """,
    re.VERBOSE | re.IGNORECASE,
)
_UNITS = ("deg", "min", "sec")
_MINUS = ("-", "\u2212")
_MAX_POINT_TOKENS = 24  # two values of at most 10 tokens each (N - 24 ° 17 ′ 12 ″ ...)


class _Tok(NamedTuple):
    kind: str  # num, sign, deg, min, sec, s (seconds or South), hemi, colon, sep
    text: str
    start: int
    end: int
    space_before: bool


class _Parsed(NamedTuple):
    """One value read by the grammar, before any arithmetic."""

    letter: str | None  # N, S, E, W
    sign: str | None
    parts: tuple[str, ...]  # degrees[, minutes[, seconds]] as typed


class _Raw(NamedTuple):
    """One value in signed degrees, not yet checked against a range."""

    value: float
    letter: str | None
    shown: str  # how error messages quote it


class _Bad(Exception):
    """Internal: why some tokens are not a coordinate.

    ``syntax`` errors get the list of accepted forms appended; the others
    (minutes >= 60 ...) are specific enough on their own.
    """

    def __init__(self, reason: str | None = None, syntax: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.syntax = syntax


# --------------------------------------------------------------------------- helpers


def _quote(text: str) -> str:
    """Quote user text for a one-line message (repr escapes newlines)."""
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _cannot(what: str, text: str, bad: _Bad, forms: str) -> str:
    head = f"cannot read {what} {_quote(text)}"
    if bad.reason is None:
        return f"{head}: {forms}"
    if bad.syntax:
        return f"{head}: {bad.reason}; {forms}"
    return f"{head}: {bad.reason}"


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos, space = 0, False
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise _Bad(f"unexpected {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind == "space":
            space = True
        else:
            tokens.append(_Tok(kind, m.group(), m.start(), m.end(), space))
            space = False
        pos = m.end()
    # "24N153E": a letter glued to numbers on both sides is ambiguous.  ("1e5" is
    # one number: the exponent is part of the num token.)
    for a, b, c in zip(tokens, tokens[1:], tokens[2:]):
        if (a.kind == "num" and b.kind in ("hemi", "s") and c.kind == "num"
                and not b.space_before and not c.space_before):
            raise _Bad(f"put a space after the hemisphere letter {b.text!r}")
    return tokens


def _parse_tokens(tokens: list[_Tok]) -> _Parsed:
    """The grammar of one value: [letter] [sign] D [unit] [sep M [unit] [sep S [unit]]] [letter]."""
    n, i = len(tokens), 0
    if n == 0:
        raise _Bad("there is no number")
    pre = post = None
    if tokens[i].kind in ("hemi", "s"):
        pre = tokens[i].text.upper()
        i += 1
    sign = None
    if i < n and tokens[i].kind == "sign":
        sign = tokens[i].text
        i += 1
    parts: list[str] = []
    units: list[str | None] = []
    colons: list[bool] = []
    while True:
        if i >= n or tokens[i].kind != "num":
            where = f"after {tokens[i - 1].text!r}" if i else "at the start"
            raise _Bad(f"a number is missing {where}")
        parts.append(tokens[i].text)
        i += 1
        position = len(parts) - 1
        unit = None
        if i < n:
            tok = tokens[i]
            if tok.kind == _UNITS[position]:
                unit = tok.text.lower()
                i += 1
            elif tok.kind == "s" and position == 2 and units[1] in ("m", "min"):
                unit = tok.text.lower()  # 24d17m12s: seconds, not South
                i += 1
        units.append(unit)
        if len(parts) == 3 or i >= n:
            break
        tok = tokens[i]
        if tok.kind == "colon":
            if unit is not None:
                raise _Bad(f"':' cannot follow the unit {unit!r}")
            if colons and not colons[-1]:
                raise _Bad("mixed separators: use '24:17:12' or '24 17 12', not both")
            colons.append(True)
            i += 1
        elif tok.kind == "num":
            if unit is None and not tok.space_before:
                raise _Bad(f"unexpected {tok.text!r}")  # "24.5.3"
            if colons and colons[-1]:
                raise _Bad("mixed separators: use '24:17:12' or '24 17 12', not both")
            colons.append(False)
        else:
            break
    if i < n and tokens[i].kind in ("hemi", "s"):
        post = tokens[i].text.upper()
        i += 1
    if i < n:
        raise _Bad(f"unexpected {tokens[i].text!r}")
    if pre and post:
        raise _Bad(f"two hemisphere letters ({pre!r} and {post!r})")
    return _Parsed(pre or post, sign, tuple(parts))


def _evaluate(parsed: _Parsed) -> float:
    """Signed degrees from a parsed value (checks minutes and seconds)."""
    letter, sign, parts = parsed
    if letter and sign in _MINUS:
        raise _Bad(f"it has both a minus sign and the hemisphere letter {letter!r}; "
                   f"use one (-33.9 or 33.9 S)", syntax=False)
    if len(parts) >= 2 and any("e" in p.lower() for p in parts):
        raise _Bad("scientific notation (such as 1e1) is for decimal degrees only, "
                   "not with minutes and seconds", syntax=False)
    if len(parts) >= 2 and "." in parts[0]:
        raise _Bad(f"degrees followed by minutes must be a whole number, got {parts[0]}", syntax=False)
    if len(parts) == 3 and "." in parts[1]:
        raise _Bad(f"minutes followed by seconds must be a whole number, got {parts[1]}", syntax=False)
    value = float(parts[0])
    for name, text, scale in zip(("minutes", "seconds"), parts[1:], (60.0, 3600.0)):
        x = float(text)
        if not x < 60.0:
            raise _Bad(f"{name} must be in [0, 60), got {text}", syntax=False)
        value += x / scale
    negative = sign in _MINUS or letter in ("S", "W")
    return -value if negative else value


def _forms(what: str) -> str:
    return _LAT_FORMS if what == "latitude" else _LON_FORMS


def _raw(value: Any, what: str) -> _Raw:
    """Read a value (text or number) without checking its range or letter."""
    if value is None:
        raise CoordinateError(f"{what} is missing: {_forms(what)}")
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        raise CoordinateError(f"{what} must be text or a number, got the boolean {bool(value)}")
    if isinstance(value, str):
        return _raw_text(value, what)
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "__len__") \
            or not hasattr(type(value), "__float__"):
        raise CoordinateError(f"{what} must be text or a single number, got {type(value).__name__}")
    try:
        x = float(value)
    except OverflowError:
        raise CoordinateError(f"{what} {_quote(str(value))} is out of range") from None
    except Exception:  # a broken __float__ must still give a CoordinateError
        raise CoordinateError(f"{what} must be text or a single number, got {type(value).__name__}") from None
    shown = str(value) if isinstance(value, int) and len(str(value)) < 30 else repr(x)
    if not math.isfinite(x):
        lo, hi = ("-90", "90") if what == "latitude" else ("-180", "360")
        raise CoordinateError(f"{what} {shown} is not a finite number: give degrees from {lo} to {hi}")
    return _Raw(x, None, shown)


def _raw_text(text: str, what: str) -> _Raw:
    if not text.strip():
        raise CoordinateError(f"{what} is missing (empty text): {_forms(what)}")
    try:
        tokens = _tokenize(text)
        for tok in tokens:
            if tok.kind == "sep":
                raise _Bad(f"{tok.text!r} separates latitude from longitude and cannot appear "
                           f"inside one {what} (use '.' for decimals)")
        parsed = _parse_tokens(tokens)
        value = _evaluate(parsed)
    except _Bad as bad:
        raise CoordinateError(_cannot(what, text, bad, _forms(what))) from None
    return _Raw(value, parsed.letter, _quote(text))


def _latitude(raw: _Raw, hint: bool = False) -> float:
    if raw.letter in ("E", "W"):
        raise CoordinateError(f"latitude {raw.shown} has the hemisphere letter {raw.letter!r}, "
                              f"which is for longitudes; a latitude takes N or S")
    if not -90.0 <= raw.value <= 90.0:
        message = f"latitude {raw.shown} is out of range [-90, 90]"
        raise CoordinateError(f"{message}; {_SWAP_HINT}" if hint else message)
    return raw.value + 0.0  # -0.0 -> 0.0


def _longitude(raw: _Raw) -> float:
    if raw.letter in ("N", "S"):
        raise CoordinateError(f"longitude {raw.shown} has the hemisphere letter {raw.letter!r}, "
                              f"which is for latitudes; a longitude takes E or W")
    if not -180.0 <= raw.value <= 360.0:
        raise CoordinateError(f"longitude {raw.shown} is out of range [-180, 180] (or [0, 360])")
    return _normalize_scalar(raw.value) + 0.0


def _kind(letter: str | None) -> str | None:
    if letter is None:
        return None
    return "latitude" if letter in ("N", "S") else "longitude"


def _assign(a: _Raw, b: _Raw) -> tuple[float, float]:
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
    return _latitude(a, hint=hint), _longitude(b)


def _normalize_scalar(x: float) -> float:
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


def parse_pair(lat: str | float, lon: str | float) -> tuple[float, float]:
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

    Returns
    -------
    tuple of float
        ``(lat, lon)``, the longitude normalised to [-180, 180).

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
    return _assign(_raw(lat, "latitude"), _raw(lon, "longitude"))


def parse_point(text: str) -> tuple[float, float]:
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

    Returns
    -------
    tuple of float
        ``(lat, lon)``, the longitude normalised to [-180, 180).

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
        raise CoordinateError(_cannot("point", text, bad, _POINT_FORMS)) from None
    seps = [k for k, tok in enumerate(tokens) if tok.kind == "sep"]
    if len(seps) > 1:
        raise CoordinateError(_cannot("point", text, _Bad(
            "it has more than one ',' or ';' (use '.' for decimals)"), _POINT_FORMS))
    if seps:
        k = seps[0]
        sides = [tokens[:k], tokens[k + 1:]]
        for side, what in zip(sides, ("latitude before", "longitude after")):
            if not side:
                raise CoordinateError(_cannot("point", text, _Bad(
                    f"the {what} {tokens[k].text!r} is missing"), _POINT_FORMS))
        a, b = (_raw_side(side, text) for side in sides)
        return _assign(a, b)
    return _split_point(tokens, text)



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
    out_lon[fast] = normalize_longitude(lo[fast]) + 0.0
    for i in np.flatnonzero(~fast):  # text in other forms, and every bad row: the one parser
        try:
            out_lat[i], out_lon[i] = parse_pair(_cell(la_cells, i), _cell(lo_cells, i))
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


def _raw_side(tokens: list[_Tok], text: str) -> _Raw:
    """One side of a point, read with errors naming both it and the point."""
    side = text[tokens[0].start:tokens[-1].end]
    try:
        parsed = _parse_tokens(tokens)
        value = _evaluate(parsed)
    except _Bad as bad:
        raise CoordinateError(_cannot(f"{_quote(side)} in point", text, bad, _POINT_FORMS)) from None
    return _Raw(value, parsed.letter, _quote(side))


def _split_point(tokens: list[_Tok], text: str) -> tuple[float, float]:
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
            scored.append((3, _assign(a, b)))
        except CoordinateError as exc:
            scored.append((2, exc))
    if not scored:
        try:
            _parse_tokens(tokens)
        except _Bad:
            raise CoordinateError(_cannot("point", text, _Bad(), _POINT_FORMS)) from None
        raise CoordinateError(_cannot("point", text, _Bad("it holds only one value"), _POINT_FORMS))
    best = max(score for score, _ in scored)
    top = [outcome for score, outcome in scored if score == best]
    if best == 3 and len(set(top)) == 1:
        return top[0]
    if len(top) == 1:
        raise top[0]
    raise CoordinateError(_cannot("point", text, _Bad(
        "cannot tell where the latitude ends and the longitude begins; separate them with a comma, "
        "e.g. '24 17 12, 153 58 50'", syntax=False), _POINT_FORMS))


@overload
def normalize_longitude(lon: float) -> float: ...


@overload
def normalize_longitude(lon: np.ndarray | Sequence[float]) -> np.ndarray: ...


def normalize_longitude(lon: Any) -> Any:
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
    >>> normalize_longitude(200.0)
    -160.0
    >>> normalize_longitude([180.0, 359.5, -10.0]).tolist()
    [-180.0, -0.5, -10.0]
    """
    if lon is None or isinstance(lon, (str, bytes, bytearray, bool)):
        raise CoordinateError(f"normalize_longitude needs numbers, got {type(lon).__name__} "
                              f"(use parse_longitude for text)")
    if isinstance(lon, (int, float)):
        try:
            x = float(lon)
        except OverflowError:
            raise CoordinateError(f"longitude {lon} is too large") from None
        return _normalize_scalar(x) if math.isfinite(x) else math.nan
    import numpy as np

    try:
        a = np.asarray(lon, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CoordinateError(f"normalize_longitude needs numbers: {exc}".splitlines()[0]) from None
    with np.errstate(invalid="ignore"):
        r = np.mod(a + 180.0, 360.0) - 180.0
        r = np.where(r >= 180.0, r - 360.0, r)
        r = np.where((a >= 180.0) & (a < 540.0), a - 360.0, r)      # exact shifts (Sterbenz)
        r = np.where((a >= -540.0) & (a < -180.0), a + 360.0, r)
        out = np.where((a >= -180.0) & (a < 180.0), a, r)
    if out.ndim == 0 and not isinstance(lon, np.ndarray):
        return float(out)
    return out
