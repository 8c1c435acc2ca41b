"""Personnel sources. Each module holds one :class:`SourceAdapter`; this registry builds them.

To add a source: write ``adapters/<name>.py`` with a SourceAdapter subclass, add it to
:data:`SOURCES` and to :func:`build_adapter`.
"""

from __future__ import annotations

from skp_app.sync.adapters.base import (
    NormalizedPegawai,
    NormalizedUnit,
    RecordError,
    SourceAdapter,
    SourceMissing,
    SyncSourceError,
)

__all__ = [
    "FILE_SOURCES",
    "SOURCES",
    "NormalizedPegawai",
    "NormalizedUnit",
    "RecordError",
    "SourceAdapter",
    "SourceMissing",
    "SyncSourceError",
    "build_adapter",
]

SOURCES = {
    "siasn-csv": "SIASN — berkas Ekspor Data ASN (CSV)",
    "siasn-api": "SIASN — web service (API)",
    "simpeg-api": "SIMPEG daerah — REST API",
    "tabular": "Tabel lain (CSV/XLSX) dengan pemetaan kolom",
}
FILE_SOURCES = {"siasn-csv", "tabular"}


def build_adapter(source: str, params: dict, config: dict) -> SourceAdapter:
    """Return the adapter of ``source`` for a run's ``params`` (file path, NIP list, mapping).

    Raises SyncSourceError when the source cannot be opened or is not configured.
    """
    if source == "siasn-csv":
        from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter

        return SiasnCsvAdapter(params["path"])
    if source == "tabular":
        from skp_app.sync.adapters.tabular import TabularAdapter

        return TabularAdapter(
            params["path"],
            params.get("mapping") or {},
            external_source=params.get("external_source") or "tabular",
            mapping_name=params.get("mapping_name") or "",
        )
    if source == "siasn-api":
        from skp_app.sync.adapters.siasn_api import SiasnApiAdapter

        return SiasnApiAdapter(config, params.get("nips") or [])
    if source == "simpeg-api":
        from skp_app.sync.adapters.simpeg_api import SimpegApiAdapter

        return SimpegApiAdapter(config)
    raise SyncSourceError(f"Sumber '{source}' tidak dikenal.")
