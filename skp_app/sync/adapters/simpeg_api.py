"""A regional SIMPEG REST API with page/per_page pagination (domain.md §6.6).

``GET {SKP_SYNC_SIMPEG_URL}?page=&per_page=`` answers ``{"items": [...], "pagination":
{"page", "per_page", "total", "total_pages"}}``. Which item key feeds which field is
configurable (``SKP_SYNC_SIMPEG_MAPPING``: a JSON object or the path of a JSON file); the default
follows the "esimpeg v5.0" shape. SIMPEG ids are not SIASN ids, so units are matched by name.

The pull is resumable page by page: the engine commits its batches on page boundaries
(:meth:`SimpegApiAdapter.align_batch`) and stores :meth:`~SimpegApiAdapter.resume_state` — the
last page whose every record is planned — in the run's checkpoint. When a page cannot be read
(HTTP 5xx after the retries, a timeout, the process killed), continuing the run starts at the
next page with the same ``per_page``, so no page already planned is fetched again and no record
is planned twice. A record's number is its position in the list, ``(page - 1) × per_page +
index``, the same in the first attempt and in the continued one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from skp_app.sync.adapters.base import (
    NormalizedPegawai,
    RecordError,
    SourceAdapter,
    SyncSourceError,
)
from skp_app.sync.adapters.http import HttpClient
from skp_app.sync.adapters.mapping import (
    SIMPEG_DEFAULT_MAPPING,
    RecordBuilder,
    provided_fields,
    validate_mapping,
)
from skp_app.sync.adapters.siasn_api import client_from_config

__all__ = ["SimpegApiAdapter", "simpeg_mapping"]


def simpeg_mapping(config: dict) -> dict:
    """Return the SIMPEG field mapping: the default updated with ``SKP_SYNC_SIMPEG_MAPPING``."""
    setting = (config.get("SKP_SYNC_SIMPEG_MAPPING") or "").strip()
    mapping = dict(SIMPEG_DEFAULT_MAPPING)
    if not setting:
        return mapping
    try:
        if setting.startswith("{"):
            extra = json.loads(setting)
        else:
            extra = json.loads(Path(setting).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SyncSourceError(f"SKP_SYNC_SIMPEG_MAPPING tidak dapat dibaca: {exc}") from None
    if not isinstance(extra, dict):
        raise SyncSourceError("SKP_SYNC_SIMPEG_MAPPING harus berupa objek JSON.")
    mapping.update(extra)
    return {k: v for k, v in mapping.items() if v}


class SimpegApiAdapter(SourceAdapter):
    """Page through the regional SIMPEG's employee list."""

    source = "simpeg-api"
    label = "SIMPEG daerah — REST API"
    external_source = "simpeg"
    units_from_records = False
    resumable = True

    def __init__(
        self, config: dict, *, mapping: dict | None = None, client: HttpClient | None = None
    ):
        super().__init__()
        self.url = (config.get("SKP_SYNC_SIMPEG_URL") or "").strip()
        if not self.url:
            raise SyncSourceError(
                "Pengaturan SKP_SYNC_SIMPEG_URL belum diisi (lihat .env.example)."
            )
        self.token = config.get("SKP_SYNC_SIMPEG_TOKEN") or ""
        self.per_page = max(1, int(config.get("SKP_SYNC_SIMPEG_PER_PAGE", 100)))
        self.mapping = mapping if mapping is not None else simpeg_mapping(config)
        errors = validate_mapping(self.mapping)
        if errors:
            raise SyncSourceError("Pemetaan SIMPEG tidak valid: " + " ".join(errors))
        self.fields = provided_fields(self.mapping)
        self.builder = RecordBuilder(self.mapping)
        # SIMPEG unit ids are its own; a mapped SIASN unor id column is the only usable key.
        self.unit_keys_are_siasn = "unit_id" in self.mapping
        self.client = client or client_from_config(config)
        self.total_pages: int | None = None
        # Progress through the list: pages whose records were all handed out, and how many
        # records of the next page were (see resume_state).
        self.pages_done = 0
        self.offset = 0
        self._resume: tuple[int, int] | None = None

    def _headers(self) -> dict:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _page(self, page: int) -> tuple[list, dict]:
        resp = self.client.request(
            "GET", self.url, headers=self._headers, params={"page": page, "per_page": self.per_page}
        )
        if resp.status_code != 200:
            raise SyncSourceError(f"SIMPEG menjawab HTTP {resp.status_code} untuk halaman {page}.")
        try:
            body = resp.json()
        except ValueError:
            raise SyncSourceError(f"Jawaban SIMPEG halaman {page} bukan JSON.") from None
        items = body.get("items") if isinstance(body, dict) else None
        pagination = body.get("pagination") if isinstance(body, dict) else None
        if not isinstance(items, list) or not isinstance(pagination, dict):
            raise SyncSourceError(
                "Jawaban SIMPEG tidak berbentuk {items: [...], pagination: {...}}."
            )
        return items, pagination

    def align_batch(self, size: int) -> int:
        """Return ``size`` rounded to whole pages, so each committed batch ends a page."""
        return max(1, round(size / self.per_page)) * self.per_page

    def resume_state(self) -> dict:
        return {
            "page": self.pages_done,
            "offset": self.offset,
            "per_page": self.per_page,
            "total_pages": self.total_pages,
            "total": self.total,
        }

    def restore(self, state: dict) -> None:
        """Continue after the page (and offset) of ``state``, with the page size used then."""
        if not state:
            return
        self.per_page = max(1, int(state.get("per_page") or self.per_page))
        self._resume = (int(state.get("page") or 0), int(state.get("offset") or 0))
        if state.get("total") is not None:
            self.total = int(state["total"])
        if state.get("total_pages") is not None:
            self.total_pages = int(state["total_pages"])

    def iter_records(self, start: int = 0) -> Iterator[NormalizedPegawai | RecordError]:
        """Yield the records from record ``start`` on (0: the whole list).

        After :meth:`restore` the pull continues after the stored page; otherwise ``start``
        names a position, which is read from its page (pages of ``per_page`` records).
        """
        if self._resume is not None:
            done, skip = self._resume
        else:
            done, skip = divmod(start, self.per_page)
        self.pages_done, self.offset = done, skip
        if self.total_pages is not None and done >= self.total_pages:
            return  # every page was read before the interruption
        page = done + 1
        while True:
            items, pagination = self._page(page)
            if self.total is None and str(pagination.get("total", "")).isdigit():
                self.total = int(pagination["total"])
            total_pages = int(pagination.get("total_pages") or 1)
            self.total_pages = total_pages
            last = len(items)
            first_number = (page - 1) * self.per_page
            for idx in range(skip, last):
                item = items[idx]
                # Mark the page done before its last record is handed out: once the engine
                # holds that record, the page is part of its next committed batch.
                if idx + 1 == last:
                    self.pages_done, self.offset = page, 0
                else:
                    self.offset = idx + 1
                number = first_number + idx + 1
                key = f"halaman {page} #{idx + 1}"
                if not isinstance(item, dict):
                    yield RecordError(
                        number,
                        key,
                        {"item": str(item)[:500]},
                        "row_malformed",
                        f"Data SIMPEG {key} bukan objek pegawai.",
                    )
                    continue
                yield self.builder.build(number, key, item)
            self.pages_done, self.offset = page, 0
            skip = 0
            if not items or page >= total_pages:
                return
            page += 1

    def reread(self, row_numbers: set[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        pages = sorted({(n - 1) // self.per_page + 1 for n in row_numbers})
        for page in pages:
            items, _ = self._page(page)
            for idx, item in enumerate(items):
                number = (page - 1) * self.per_page + idx + 1
                if number in row_numbers and isinstance(item, dict):
                    out[number] = item
        return out

    def close(self) -> None:
        self.client.close()
