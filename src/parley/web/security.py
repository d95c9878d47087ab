"""Who may talk to the web app, and what the browser may do with its pages.

One ASGI middleware, outermost, does three things for every HTTP request:

1. **Host allow-list** (against DNS rebinding): the ``Host`` header must name an allowed host
   (by default ``localhost``, ``127.0.0.1`` and ``[::1]``, plus the address ``parley serve`` is
   bound to and every ``--allow-host``); anything else, or no ``Host`` at all, is answered 400.
2. **Same-origin writes** (against CSRF): a POST, PUT, PATCH or DELETE is refused (403) when
   the browser says it comes from elsewhere: ``Sec-Fetch-Site`` other than ``same-origin`` or
   ``none``, or an ``Origin`` (including ``null``) that is not this server's own. A request with
   neither header is not from a browser (browsers send at least one of them on every such
   request across sites), so tools like curl, httpx and scripts keep working without a token.
3. **Security headers** on every response: a Content-Security-Policy that lets scripts come only
   from this server (no inline scripts: pages load ``/static/parley.js`` and read their data from
   ``<script type="application/json">`` blocks), ``frame-ancestors 'none'`` and
   ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
   same-origin`` (``no-referrer`` would make browsers send ``Origin: null`` on the app's own
   form posts), and same-origin opener and resource policies.

One kind of page gets its own policy: a stored report (one self-contained file with inline
scripts and a user's names in it) is served in a CSP sandbox with no network access at all
(:data:`REPORT_CSP`). The API docs (``/docs``, ``/redoc``) are the app's own pages under the app's
policy: their Swagger UI and ReDoc scripts come from the installed ``fastapi-offline`` package and
are served by this server, and Swagger UI is started from ``/static/parley.js``, not an inline script.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Always allowed: the names a browser on this machine uses for a server bound to loopback."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})

APP_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # the pages' own <style> and style="" attributes, and the styles Plotly inserts
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The policy of the app's own pages and of every JSON answer."""

REPORT_CSP = "; ".join(
    [
        # an opaque origin: the report's scripts cannot read or call the app
        "sandbox allow-scripts allow-downloads allow-popups",
        "default-src 'none'",
        "script-src 'unsafe-inline'",
        "style-src 'unsafe-inline'",
        "img-src data: blob:",
        "font-src data:",
        "connect-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
"""The policy of a stored report: a self-contained file (inline Plotly) that may run its scripts,
in a sandbox with no access to the app and no network."""

BASE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def normalize_host(host: str) -> str:
    """A host name as compared: lower case, IPv6 without brackets.

    Parameters
    ----------
    host
        A name or address, e.g. ``LocalHost``, ``[::1]`` or ``192.168.1.5``.

    Returns
    -------
    str
        The name in the form the allow-list keeps.
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def allowed_host_list(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The hosts the app answers to: the loopback names and ``extra``.

    Parameters
    ----------
    extra
        Further names or addresses (``parley serve`` adds its ``--host`` and every
        ``--allow-host``). An IP address is always safe to add: DNS rebinding needs a name. ``*``
        allows any host, which turns the protection off.

    Returns
    -------
    tuple of str
        Normalized names, loopback names first, without repeats.

    Raises
    ------
    ValueError
        For an empty name.
    """
    out: list[str] = []
    for name in (*LOOPBACK_HOSTS, *extra):
        norm = normalize_host(name)
        if not norm:
            raise ValueError("an allowed host cannot be empty")
        if norm not in out:
            out.append(norm)
    return tuple(out)


def split_host_header(value: str) -> tuple[str, int | None] | None:
    """``(host, port)`` from a ``Host`` header, or None when it is not one.

    Parameters
    ----------
    value
        The header, e.g. ``127.0.0.1:8000``, ``[::1]:8000`` or ``localhost``.

    Returns
    -------
    tuple or None
        The normalized host and the port (None when absent); None for an empty or malformed header.
    """
    value = value.strip()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    else:
        host, sep, port_text = value.partition(":")
        if ":" in port_text:
            return None
        port_text = port_text if sep else None
    if not host or any(c in host for c in "/\\@ ?#"):
        return None
    port = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None
        port = int(port_text)
    return normalize_host(host), port


def _default_port(scheme: str) -> int:
    return 443 if scheme in ("https", "wss") else 80


def same_origin(origin: str, scheme: str, host: str, port: int | None) -> bool:
    """Whether an ``Origin`` header names the server the request was sent to.

    Parameters
    ----------
    origin
        The ``Origin`` header (``null`` never matches).
    scheme, host, port
        The request's scheme and its ``Host`` header, split (port None: the scheme's default).

    Returns
    -------
    bool
        True when scheme, host and port all agree.
    """
    try:
        parts = urlsplit(origin.strip())
        o_port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        return False
    return (
        parts.scheme == scheme
        and normalize_host(parts.hostname) == host
        and (o_port or _default_port(parts.scheme)) == (port or _default_port(scheme))
    )


class SecurityMiddleware:
    """Host allow-list, same-origin check on writes, and security headers (see the module docstring).

    Parameters
    ----------
    app
        The ASGI app to guard.
    allowed_hosts
        Host names and addresses to answer (normalized, see :func:`allowed_host_list`); ``*`` allows any.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed_hosts = frozenset(normalize_host(h) for h in allowed_hosts)
        self.allow_any = "*" in self.allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        split = split_host_header(headers.get("host", ""))
        if split is None or not (self.allow_any or split[0] in self.allowed_hosts):
            shown = headers.get("host", "")[:100] or "(none)"
            await _refuse(
                scope,
                receive,
                send,
                400,
                f"host {shown!r} is not allowed: this server answers to {', '.join(sorted(self.allowed_hosts))} "
                "(start it with `parley serve --allow-host NAME` to add one)",
            )
            return
        if scope["method"] not in SAFE_METHODS:
            problem = _cross_site(headers, scope.get("scheme", "http"), *split)
            if problem:
                await _refuse(scope, receive, send, 403, problem)
                return
        await self.app(scope, receive, _header_sender(send))


def _cross_site(headers: Headers, scheme: str, host: str, port: int | None) -> str | None:
    """Why a state-changing request looks like it comes from another site, or None."""
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in ALLOWED_FETCH_SITES:
        return f"refused: a {site} request cannot change anything here (only this app's own pages can)"
    origin = headers.get("origin")
    if origin is not None and not same_origin(origin, scheme, host, port):
        return f"refused: a request from {origin[:100]!r} cannot change anything here (only this app's own pages can)"
    return None


def _add_headers(message: Message, csp: str | None = None) -> None:
    out = MutableHeaders(scope=message)
    for name, value in BASE_HEADERS.items():
        if name not in out:
            out[name] = value
    if "content-security-policy" not in out:
        out["Content-Security-Policy"] = csp or APP_CSP


def _header_sender(send: Send) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            _add_headers(message)
        await send(message)

    return sender


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    """Answer without calling the app: JSON under ``/api``, plain text elsewhere."""
    from starlette.responses import PlainTextResponse, Response

    response: Response
    if scope.get("path", "").startswith("/api"):
        response = Response(json.dumps({"detail": detail}), status_code=status, media_type="application/json")
    else:
        response = PlainTextResponse(detail, status_code=status)
    await response(scope, receive, _header_sender(send))
