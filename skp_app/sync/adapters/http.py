"""A small HTTP client for the web-service sources: timeouts, retries, back-off, rate limit.

* Timeouts and connection errors, HTTP 5xx and 429 are retried with exponential back-off
  (``backoff × 2^attempt`` seconds, ``Retry-After`` honoured for 429 up to a minute).
* A 401 calls ``on_401`` (to fetch a fresh token) once and repeats the request.
* ``rate_limit`` requests per second are never exceeded (0 = unlimited).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from skp_app.sync.adapters.base import SyncSourceError

__all__ = ["HttpClient"]

log = logging.getLogger(__name__)
RETRY_STATUS = {429, 500, 502, 503, 504}


class HttpClient:
    """Requests with the retry and throttling rules of a government web service."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        rate_limit: float = 0.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.min_interval = 1.0 / rate_limit if rate_limit and rate_limit > 0 else 0.0
        self.session = session or requests.Session()
        self.sleep = sleep
        self._next_slot = 0.0
        self.requests_made = 0

    def _throttle(self) -> None:
        if not self.min_interval:
            return
        now = time.monotonic()
        wait = self._next_slot - now
        if wait > 0:
            self.sleep(wait)
            now = time.monotonic()
        self._next_slot = max(now, self._next_slot) + self.min_interval

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Callable[[], dict] | dict | None = None,
        on_401: Callable[[], None] | None = None,
        **kwargs,
    ) -> requests.Response:
        """Send one request, retrying as described in the module docstring.

        Raises SyncSourceError (Indonesian message) when the retries are exhausted.
        """
        host = urlsplit(url).netloc or url
        attempt = 0
        refreshed = False
        while True:
            # Headers first: fetching a token is itself a (throttled) request.
            hdrs = headers() if callable(headers) else (headers or {})
            self._throttle()
            try:
                self.requests_made += 1
                resp = self.session.request(
                    method, url, headers=hdrs, timeout=self.timeout, **kwargs
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "batas waktu habis" if isinstance(exc, requests.Timeout) else "koneksi gagal"
                if attempt >= self.retries:
                    raise SyncSourceError(
                        f"Tidak dapat menghubungi {host}: {kind} setelah {attempt + 1} percobaan."
                    ) from None
                log.warning("sync http %s %s: %s (attempt %s)", method, url, kind, attempt + 1)
                self.sleep(self.backoff * (2**attempt))
                attempt += 1
                continue
            if resp.status_code == 401 and on_401 is not None and not refreshed:
                refreshed = True
                on_401()
                continue
            if resp.status_code in RETRY_STATUS:
                if attempt >= self.retries:
                    raise SyncSourceError(
                        f"Layanan {host} menjawab HTTP {resp.status_code} setelah "
                        f"{attempt + 1} percobaan; coba lagi nanti."
                    )
                wait = self.backoff * (2**attempt)
                retry_after = resp.headers.get("Retry-After", "")
                if resp.status_code == 429 and retry_after.isdigit():
                    wait = max(wait, min(60.0, float(retry_after)))
                log.warning(
                    "sync http %s %s: HTTP %s (attempt %s)",
                    method,
                    url,
                    resp.status_code,
                    attempt + 1,
                )
                self.sleep(wait)
                attempt += 1
                continue
            return resp

    def close(self) -> None:
        self.session.close()
