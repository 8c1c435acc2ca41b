"""SIASN web service (domain.md §6.6): the unit tree and ``pns/data-utama`` per employee.

Two tokens are needed, and both go on every call:

* the WSO2 gateway token — ``POST {SKP_SYNC_SIASN_TOKEN_URL}`` with
  ``grant_type=client_credentials`` and HTTP basic auth consumer key / secret
  (``SKP_SYNC_SIASN_CLIENT_ID`` / ``SKP_SYNC_SIASN_CLIENT_SECRET``) → ``Authorization: Bearer``;
* the SSO token — ``SKP_SYNC_SIASN_SSO_TOKEN`` as issued, or ``POST {SKP_SYNC_SIASN_SSO_URL}``
  with ``grant_type=password``, ``client_id`` (``SKP_SYNC_SIASN_SSO_CLIENT_ID``), username and
  password → ``Auth: bearer``.

A 401 (expired token) fetches both tokens again and repeats the call once. The employees pulled
are the NIPs given (the database's employees plus an optional list); the run can be resumed
from its checkpoint without fetching the first records again.
"""

from __future__ import annotations

from collections.abc import Iterator

from skp_app.sync.adapters.base import (
    NormalizedPegawai,
    NormalizedUnit,
    RecordError,
    SourceAdapter,
    SourceMissing,
    SyncSourceError,
    clean,
)
from skp_app.sync.adapters.http import HttpClient
from skp_app.sync.adapters.mapping import SIASN_API_MAPPING, RecordBuilder, provided_fields

__all__ = ["SiasnApiAdapter", "client_from_config"]

REQUIRED_SETTINGS = (
    "SKP_SYNC_SIASN_TOKEN_URL",
    "SKP_SYNC_SIASN_API_URL",
    "SKP_SYNC_SIASN_CLIENT_ID",
    "SKP_SYNC_SIASN_CLIENT_SECRET",
)


def client_from_config(config: dict) -> HttpClient:
    """Return an HttpClient with the timeout, retries, back-off and rate limit settings."""
    return HttpClient(
        timeout=float(config.get("SKP_SYNC_HTTP_TIMEOUT", 30)),
        retries=int(config.get("SKP_SYNC_HTTP_RETRIES", 3)),
        backoff=float(config.get("SKP_SYNC_HTTP_BACKOFF", 0.5)),
        rate_limit=float(config.get("SKP_SYNC_RATE_LIMIT", 5)),
    )


def _json(resp, what: str):
    try:
        return resp.json()
    except ValueError:
        raise SyncSourceError(f"Jawaban SIASN untuk {what} bukan JSON.") from None


class SiasnApiAdapter(SourceAdapter):
    """Pull the unit tree and each employee's data-utama from SIASN."""

    source = "siasn-api"
    label = "SIASN — web service (API)"
    external_source = "siasn"
    units_from_records = False
    unit_keys_are_siasn = True
    resumable = True
    keys_known = True

    def __init__(self, config: dict, nips: list[str], *, client: HttpClient | None = None):
        super().__init__()
        missing = [k for k in REQUIRED_SETTINGS if not config.get(k)]
        self.static_sso = config.get("SKP_SYNC_SIASN_SSO_TOKEN") or ""
        if not self.static_sso:
            missing += [
                k
                for k in (
                    "SKP_SYNC_SIASN_SSO_URL",
                    "SKP_SYNC_SIASN_USERNAME",
                    "SKP_SYNC_SIASN_PASSWORD",
                )
                if not config.get(k)
            ]
        if missing:
            raise SyncSourceError(
                "Pengaturan SIASN belum lengkap: " + ", ".join(missing) + " (lihat .env.example)."
            )
        self.config = config
        self.api_url = config["SKP_SYNC_SIASN_API_URL"].rstrip("/") + "/"
        self.client = client or client_from_config(config)
        self.nips = list(nips)
        self.total = len(self.nips)
        self.mapping = SIASN_API_MAPPING
        self.builder = RecordBuilder(self.mapping)
        self.fields = provided_fields(self.mapping)
        self._wso: str | None = None
        self._sso: str | None = self.static_sso or None
        self.token_requests = 0

    # --- tokens -------------------------------------------------------------------------------

    def _token(self, url: str, data: dict, auth=None, what: str = "token") -> str:
        self.token_requests += 1
        resp = self.client.request(
            "POST", url, data=data, auth=auth, headers={"Accept": "application/json"}
        )
        if resp.status_code != 200:
            raise SyncSourceError(
                f"Permintaan {what} SIASN ditolak (HTTP {resp.status_code}); periksa kredensial."
            )
        token = (_json(resp, what) or {}).get("access_token")
        if not token:
            raise SyncSourceError(f"Jawaban {what} SIASN tidak memuat access_token.")
        return token

    def _ensure_tokens(self) -> None:
        c = self.config
        if self._wso is None:
            self._wso = self._token(
                c["SKP_SYNC_SIASN_TOKEN_URL"],
                {"grant_type": "client_credentials"},
                auth=(c["SKP_SYNC_SIASN_CLIENT_ID"], c["SKP_SYNC_SIASN_CLIENT_SECRET"]),
                what="token gateway (WSO2)",
            )
        if self._sso is None:
            self._sso = self._token(
                c["SKP_SYNC_SIASN_SSO_URL"],
                {
                    "grant_type": "password",
                    "client_id": c.get("SKP_SYNC_SIASN_SSO_CLIENT_ID") or "",
                    "username": c["SKP_SYNC_SIASN_USERNAME"],
                    "password": c["SKP_SYNC_SIASN_PASSWORD"],
                },
                what="token SSO",
            )

    def _refresh_tokens(self) -> None:
        self._wso = None
        if not self.static_sso:
            self._sso = None
        self._ensure_tokens()

    def _headers(self) -> dict:
        self._ensure_tokens()
        return {
            "Authorization": f"Bearer {self._wso}",
            "Auth": f"bearer {self._sso}",
            "Accept": "application/json",
        }

    def _get(self, path: str):
        return self.client.request(
            "GET", self.api_url + path, headers=self._headers, on_401=self._refresh_tokens
        )

    # --- data ---------------------------------------------------------------------------------

    def iter_units(self) -> Iterator[NormalizedUnit]:
        resp = self._get("referensi/ref-unor")
        if resp.status_code != 200:
            raise SyncSourceError(
                f"Referensi unit (ref-unor) SIASN gagal: HTTP {resp.status_code}."
            )
        data = (_json(resp, "ref-unor") or {}).get("data")
        if not isinstance(data, list):
            raise SyncSourceError("Data UNOR tidak ditemukan pada jawaban ref-unor SIASN.")
        for item in data:
            uid = clean(item.get("Id"))
            nama = clean(item.get("NamaUnor"))
            if not uid or not nama:
                continue
            induk = clean(item.get("IndukUnorId"))
            yield NormalizedUnit(
                key=uid,
                nama=nama,
                siasn_id=uid,
                parent_key=clean(item.get("DiatasanId")),
                opd_key=induk,
                is_opd=(induk == uid) if induk else None,
                eselon_id=clean(item.get("EselonId")),
                head_external_id=clean(item.get("PemimpinPnsId")),
            )

    def iter_records(
        self, start: int = 0
    ) -> Iterator[NormalizedPegawai | RecordError | SourceMissing]:
        for index in range(start, len(self.nips)):
            nip = self.nips[index]
            number = index + 1
            resp = self._get(f"pns/data-utama/{nip}")
            if resp.status_code == 404:
                yield SourceMissing(number, nip)
                continue
            if resp.status_code != 200:
                raise SyncSourceError(
                    f"data-utama SIASN untuk NIP {nip} gagal: HTTP {resp.status_code}."
                )
            body = _json(resp, f"data-utama {nip}") or {}
            data = body.get("data")
            if not isinstance(data, dict) or not data:
                yield SourceMissing(number, nip)
                continue
            rec = self.builder.build(number, nip, data)
            if self.instansi is None and clean(data.get("instansiKerjaNama")):
                self.instansi = (
                    clean(data.get("instansiKerjaId")),
                    clean(data.get("instansiKerjaNama")),
                )
            yield rec

    def align_batch(self, size: int) -> int:
        """Checkpoint at least every 100 records: each one is a request to SIASN."""
        return max(1, min(size, 100))

    def keys_before(self, start: int):
        for index in range(min(start, len(self.nips))):
            yield index + 1, self.nips[index]

    def reread(self, row_numbers: set[int]) -> dict[int, dict]:
        out = {}
        for number in sorted(row_numbers):
            if 1 <= number <= len(self.nips):
                resp = self._get(f"pns/data-utama/{self.nips[number - 1]}")
                if resp.status_code == 200:
                    data = (_json(resp, "data-utama") or {}).get("data")
                    if isinstance(data, dict):
                        out[number] = data
        return out

    def close(self) -> None:
        self.client.close()
