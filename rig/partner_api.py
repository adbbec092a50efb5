"""A partner REST API exactly as ``delivery.md`` fixes it, serving ``<root>/<feed>/<YYYY-MM-DD>.json``.

    GET /v1/{feed}?business_date=YYYY-MM-DD&page_size=N[&page_token=T]
    Authorization: Bearer <token>

200 ``{"business_date", "records", "next_page_token", "total"}``; 404 when the date is not
published (no file); 401 for a missing or wrong token, 403 for an expired one; 400 for a bad
request (page_size outside 1..1000, a malformed date or page token).

Choices where the spec is silent: ``page_size`` defaults to 1000; a page token is an opaque
base64 of (business_date, offset), so pages are stable while the file is unchanged and a token
is refused for another date; injected faults apply before authentication, as a gateway's would.

Test hooks (not part of the contract): ``inject(status, count, retry_after)`` answers the
next ``count`` requests with 429 (``Retry-After``), 502, 503 or 504; ``expire(token)`` makes a
token answer 403. The same over HTTP, Bearer-authenticated: ``POST /_rig/faults``
``{"status", "count", "retry_after"}`` and ``POST /_rig/expire`` ``{"token"}``.

    python -m rig.partner_api --root DIR/api --port P --token T
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

MAX_PAGE_SIZE = 1000
FAULT_STATUSES = (429, 502, 503, 504)
_FEED = re.compile(r"/v1/([a-z][a-z0-9_]*)")


def encode_token(business_date: str, offset: int) -> str:
    raw = json.dumps({"d": business_date, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, business_date: str) -> int | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
        if data["d"] != business_date or not isinstance(offset, int) or offset < 0:
            return None
        return offset
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


class PartnerApiServer:
    def __init__(self, root_dir: Path | str, token: str, host: str = "127.0.0.1", port: int = 0, *,
                 expired_tokens: tuple[str, ...] = ()) -> None:
        self.root = Path(root_dir)
        self.token = token
        self.host, self.port = host, port
        self.expired = set(expired_tokens)
        self.faults: list[tuple[int, int]] = []  # (status, retry_after), consumed one per request
        self.requests: list[tuple[str, int]] = []  # (path with query, status) for tests to inspect
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[float, list[dict]]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._httpd = ThreadingHTTPServer((self.host, self.port), _handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="partner-api", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def wait(self) -> None:
        """Block until stopped (the CLI's foreground mode)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    # ---- test hooks ------------------------------------------------------------------
    def inject(self, status: int, count: int = 1, retry_after: int = 1) -> None:
        if status not in FAULT_STATUSES:
            raise ValueError(f"fault status must be one of {FAULT_STATUSES}")
        with self._lock:
            self.faults.extend([(status, retry_after)] * count)

    def expire(self, token: str) -> None:
        with self._lock:
            self.expired.add(token)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.expired.clear()
            self.requests.clear()

    # ---- serving -----------------------------------------------------------------------
    def _next_fault(self) -> tuple[int, int] | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def _records(self, path: Path) -> list[dict]:
        mtime = path.stat().st_mtime
        with self._lock:
            hit = self._cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        records = json.loads(path.read_text(encoding="utf-8"))
        with self._lock:
            self._cache[path] = (mtime, records)
        return records

    def auth(self, header: str | None) -> int | None:
        """None when allowed, else the status to answer."""
        if not header or not header.startswith("Bearer "):
            return 401
        given = header[len("Bearer "):].strip()
        if given in self.expired:
            return 403
        return None if given == self.token else 401

    def page(self, feed: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        business_date = query.get("business_date", [""])[0]
        try:
            date.fromisoformat(business_date)
            if len(business_date) != 10:
                raise ValueError
        except ValueError:
            return 400, {"error": "business_date must be YYYY-MM-DD"}
        raw_size = query.get("page_size", [str(MAX_PAGE_SIZE)])[0]
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
            return 400, {"error": f"page_size must be 1..{MAX_PAGE_SIZE}"}
        path = self.root / feed / f"{business_date}.json"
        if not path.is_file():
            return 404, {"error": f"{feed} for {business_date} is not published"}
        offset = 0
        if "page_token" in query:
            found = decode_token(query["page_token"][0], business_date)
            if found is None:
                return 400, {"error": "bad page_token"}
            offset = found
        records = self._records(path)
        end = offset + int(raw_size)
        return 200, {"business_date": business_date, "records": records[offset:end],
                     "next_page_token": encode_token(business_date, end) if end < len(records) else None,
                     "total": len(records)}


def _handler(server: PartnerApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read server.requests
            pass

        def _send(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
            with server._lock:  # logged before the reply leaves: a client that has it finds it logged
                server.requests.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            match = _FEED.fullmatch(url.path)
            fault = server._next_fault() if match else None
            if fault is not None:
                status, retry_after = fault
                headers = {"Retry-After": str(retry_after)} if status == 429 else {}
                return self._send(status, {"error": "injected fault"}, headers)
            denied = server.auth(self.headers.get("Authorization"))
            if denied:
                return self._send(denied, {"error": "expired token" if denied == 403 else "unauthorized"})
            if not match:
                return self._send(404, {"error": "no such endpoint"})
            status, body = server.page(match.group(1), parse_qs(url.query))
            self._send(status, body)

        def do_POST(self) -> None:  # noqa: N802
            denied = server.auth(self.headers.get("Authorization"))
            if denied:
                return self._send(denied, {"error": "unauthorized"})
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/_rig/faults":
                    server.inject(int(body["status"]), int(body.get("count", 1)), int(body.get("retry_after", 1)))
                elif self.path == "/_rig/expire":
                    server.expire(str(body["token"]))
                else:
                    return self._send(404, {"error": "no such endpoint"})
            except (ValueError, KeyError, TypeError) as exc:
                return self._send(400, {"error": str(exc)})
            self._send(200, {"ok": True})

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rig.partner_api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, required=True, help="the published api folder (RIG/api)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--token", required=True)
    parser.add_argument("--expired-token", action="append", default=[])
    args = parser.parse_args(argv)
    server = PartnerApiServer(args.root, args.token, args.host, args.port, expired_tokens=tuple(args.expired_token))
    url = server.start()
    print(f"partner API serving {args.root} on {url}", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
