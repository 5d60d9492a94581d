"""HTTP GET with timeouts and bounded retries (standard library only).

Two functions, :func:`get_json` and :func:`get_xml`: fetch a URL, retry what
may pass (HTTP 5xx, 408, 429, a refused or reset connection, a timeout, a
body cut short or not well-formed) with exponential backoff, and raise
:class:`~geo.errors.FetchError` with one line saying what happened for
everything else (HTTP 4xx, a reply of the wrong type: an HTML page, an OGC
``ServiceExceptionReport``; text that is not in its declared encoding).

``timeout`` bounds every blocking socket operation (connecting, and each
read), so a stalled server fails after ``timeout`` seconds.
"""

from __future__ import annotations

import codecs
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import FetchError

USER_AGENT = "eezmap (+https://www.marineregions.org/ data client; Python urllib)"
_JSON_TYPES = ("application/json", "application/geo+json", "application/vnd.geo+json", "text/json")
#: never wait longer than this between two attempts
MAX_BACKOFF = 30.0


#: how to wait between attempts (tests replace it)
_sleep = time.sleep


class _Transient(Exception):
    """A failure worth another attempt; its text says what happened."""


@dataclass
class Reply:
    url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None = None


def get_json(url: str, *, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
             sleep: Callable[[float], None] | None = None) -> Any:
    """GET *url* and parse its JSON body, retrying transient failures.

    Parameters
    ----------
    timeout : float
        Seconds allowed for connecting and for each read.
    retries : int
        Further attempts after the first (0: one attempt only).
    backoff : float
        Seconds before the first retry; doubled for each next one, at most
        :data:`MAX_BACKOFF`.

    Raises
    ------
    FetchError
        One line: what went wrong, how many attempts were made, and the URL.
    """
    return _retrying(url, _parse, timeout, retries, backoff, sleep)


def get_xml(url: str, *, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
            sleep: Callable[[float], None] | None = None) -> ET.Element:
    """GET *url* and parse its XML body (e.g. a DescribeFeatureType schema), as :func:`get_json`.

    An OGC ExceptionReport, even with HTTP 200, raises :class:`FetchError` with its text.
    """
    root: ET.Element = _retrying(url, _parse_xml, timeout, retries, backoff, sleep)
    return root


def _retrying(url: str, parse: Callable[[Reply], Any], timeout: float, retries: int, backoff: float,
              sleep: Callable[[float], None] | None) -> Any:
    attempts = max(int(retries), 0) + 1
    reason = ""
    last: _Transient | None = None
    for attempt in range(attempts):
        try:
            reply = _get_once(url, timeout)
            return parse(reply)
        except _Transient as exc:
            reason, last = str(exc), exc
            if attempt + 1 < attempts:
                (sleep or _sleep)(min(backoff * (2 ** attempt), MAX_BACKOFF))
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    raise FetchError(f"{reason} (gave up after {tries}): GET {url}") from last


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _get_once(url: str, timeout: float) -> Reply:
    host = _host(url)
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT, "Accept": "application/json, application/geo+json;q=0.9, */*;q=0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            ctype = resp.headers.get_content_type()
            length = resp.headers.get("Content-Length")
            try:
                body = resp.read()
            except http.client.IncompleteRead as exc:
                expected = f" of {length}" if length else ""
                raise _Transient(f"the response from {host} was cut short ({len(exc.partial)}{expected} "
                                 "bytes received)") from exc
            if length and length.isdigit() and len(body) < int(length):
                raise _Transient(f"the response from {host} was cut short ({len(body)} of {length} "
                                 "bytes received)")
            return Reply(resp.geturl(), resp.status, ctype, body, resp.headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        detail = _service_exception(_read_quietly(exc))
        what = f"HTTP {exc.code} {exc.reason} from {host}" + (f": {detail}" if detail else "")
        if exc.code >= 500 or exc.code in (408, 429):
            raise _Transient(what) from exc
        raise FetchError(f"{what}: GET {url}") from exc
    except TimeoutError as exc:
        raise _Transient(f"no response from {host} within {timeout:g} s (timed out)") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise _Transient(f"no response from {host} within {timeout:g} s (timed out)") from exc
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        raise _Transient(f"cannot connect to {host}: {reason}") from exc
    except (ConnectionError, http.client.HTTPException) as exc:
        raise _Transient(f"the connection to {host} failed: {exc.__class__.__name__} {exc}".strip()) from exc


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(64 * 1024) or b""
    except Exception:
        return b""


def _service_exception(body: bytes) -> str:
    """The ExceptionText of an OGC ServiceExceptionReport / ExceptionReport, if any."""
    text = body.decode("utf-8", "replace")
    m = re.search(r"<(?:\w+:)?(?:ExceptionText|ServiceException)\b[^>]*>(.*?)</", text, re.S)
    if not m:
        return ""
    return " ".join(m.group(1).split())[:300]


def _parse(reply: Reply) -> Any:
    host = _host(reply.url)
    if reply.content_type not in _JSON_TYPES:
        detail = _service_exception(reply.body)
        if detail:
            raise FetchError(f"the server {host} reported an error: {detail}: GET {reply.url}")
        snippet = " ".join(reply.body[:2000].decode("utf-8", "replace").split())
        title = re.search(r"<title>(.*?)</title>", snippet, re.I | re.S)
        shown = title.group(1).strip() if title else snippet[:120]
        raise FetchError(f"the server {host} answered {reply.content_type or 'without a content type'}, "
                         f"not GeoJSON ({shown!r}): GET {reply.url}")
    text = _decode(reply)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Transient(f"the response from {host} is not valid JSON ({len(reply.body)} bytes; "
                         f"cut short? {exc.msg} at character {exc.pos})") from exc
    except RecursionError as exc:
        raise FetchError(f"the response from {host} is JSON nested too deeply to read: "
                         f"GET {reply.url}") from exc


def _decode(reply: Reply) -> str:
    """The body as text in its declared charset (JSON: UTF-8 unless declared); FetchError if it is not."""
    host = _host(reply.url)
    try:
        charset = codecs.lookup(reply.charset or "utf-8").name
    except LookupError as exc:
        raise FetchError(f"the server {host} declared an unknown charset {reply.charset!r}: "
                         f"GET {reply.url}") from exc
    try:
        return reply.body.decode(charset)
    except UnicodeDecodeError as exc:
        bad = reply.body[exc.start:exc.start + 1]
        raise FetchError(f"the response from {host} is not valid {charset.upper()} text (byte 0x{bad.hex()} "
                         f"at offset {exc.start} of {len(reply.body)}): GET {reply.url}") from exc


def _is_xml(content_type: str) -> bool:
    return content_type in ("application/xml", "text/xml") or content_type.endswith("+xml")


def _parse_xml(reply: Reply) -> ET.Element:
    host = _host(reply.url)
    if not _is_xml(reply.content_type):
        snippet = " ".join(reply.body[:2000].decode("utf-8", "replace").split())
        title = re.search(r"<title>(.*?)</title>", snippet, re.I | re.S)
        shown = title.group(1).strip() if title else snippet[:120]
        raise FetchError(f"the server {host} answered {reply.content_type or 'without a content type'}, "
                         f"not XML ({shown!r}): GET {reply.url}")
    try:
        root = ET.fromstring(reply.body)
    except ET.ParseError as exc:
        raise _Transient(f"the response from {host} is not well-formed XML ({len(reply.body)} bytes; "
                         f"cut short? {exc})") from exc
    if root.tag.rsplit("}", 1)[-1] in ("ExceptionReport", "ServiceExceptionReport"):
        detail = _service_exception(reply.body) or "an exception report without text"
        raise FetchError(f"the server {host} reported an error: {detail}: GET {reply.url}")
    return root
