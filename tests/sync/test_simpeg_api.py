"""Regional SIMPEG API over real HTTP: pagination, mapping, retries, name-matched units."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from skp_app.org.models import Pegawai, PegawaiExternalId
from skp_app.sync import engine
from skp_app.sync.adapters import SyncSourceError
from skp_app.sync.adapters.simpeg_api import SimpegApiAdapter
from skp_app.sync.models import QuarantinedRecord
from tests.sync.fakes import FakeSimpeg, serve
from tests.sync.helpers import nip_for


def item(i: int, opd: str = "Dinas Kesehatan", **extra) -> dict:
    nip = nip_for(date(1980 + i, 1 + i % 12, 10), (2005 + i % 10, 1 + i % 12), 1 + i % 2, 1)
    row = {
        "id_pegawai": str(8000 + i),
        "nipBaru": nip,
        "nipLama": "",
        "namaPegawai": f"Pegawai SIMPEG {i}",
        "tempatLahir": "Sukamaju",
        "tanggalLahir": f"{nip[0:4]}-{nip[4:6]}-{nip[6:8]}",
        "jenisKelamin": "L" if nip[14] == "1" else "P",
        "id_jabatan": "311",
        "namaJabatan": "Perawat Ahli Pertama",
        "id_opd": "12",
        "nm_opd": opd,
        "id_golongan": "32",
        "namaGolongan": "III/b",
        "namaPangkat": "Penata Muda TK I",
    }
    row.update(extra)
    return row


@pytest.fixture
def simpeg(simpeg_config, make_unit, session):
    make_unit("Dinas Kesehatan")
    make_unit("Dinas Pendidikan dan Kebudayaan")
    session.commit()
    fake = FakeSimpeg(
        [
            item(i, "DINAS KESEHATAN" if i % 2 else "Dinas Pendidikan dan Kebudayaan")
            for i in range(7)
        ]
    )
    with serve(fake) as base:
        simpeg_config(base)
        yield fake


def test_all_pages_are_read_and_units_matched_by_name(session, app, simpeg):
    run = engine.plan(session, SimpegApiAdapter(app.config), full_export=True, actor="t")
    assert [e["page"] for e in simpeg.log] == [1, 2, 3]
    assert all(e["per_page"] == 3 for e in simpeg.log)
    assert run.counts["new"] == 7 and run.counts["invalid"] == 0
    engine.apply(session, run, actor="t")
    p = session.scalar(select(Pegawai).where(Pegawai.nama == "Pegawai SIMPEG 1"))
    assert p.unit.nama == "Dinas Kesehatan" and p.golongan_id == 32
    assert p.jabatan.nama == "Perawat Ahli Pertama" and p.jabatan.jenis == "fungsional"
    ext = session.scalar(select(PegawaiExternalId).where(PegawaiExternalId.pegawai_id == p.id))
    assert (ext.source, ext.external_id) == ("simpeg", "8001")


def test_a_failing_page_is_retried(session, app, simpeg):
    simpeg.fail[2] = [500]
    run = engine.plan(session, SimpegApiAdapter(app.config), full_export=True, actor="t")
    assert run.counts["new"] == 7
    assert [e["page"] for e in simpeg.log] == [1, 2, 2, 3]


def test_the_field_mapping_is_configurable(session, app, simpeg):
    simpeg.items[0]["nipAtasanLangsung"] = simpeg.items[1]["nipBaru"]
    simpeg.items[2]["nm_opd"] = "Dinas Pariwisata"
    app.config["SKP_SYNC_SIMPEG_MAPPING"] = json.dumps(
        {"atasan_nip": "nipAtasanLangsung", "tempat_lahir": ""}
    )
    adapter = SimpegApiAdapter(app.config)
    assert "atasan_nip" in adapter.fields and "tempat_lahir" not in adapter.fields
    run = engine.plan(session, adapter, full_export=False, actor="t")
    (q,) = session.scalars(select(QuarantinedRecord).where(QuarantinedRecord.run_id == run.id))
    assert q.reason_code == "unit_unknown" and q.source_key == "halaman 1 #3"
    engine.apply(session, run, actor="t")
    first = session.scalar(select(Pegawai).where(Pegawai.nip == simpeg.items[0]["nipBaru"]))
    assert first.atasan_override.nip == simpeg.items[1]["nipBaru"]


def test_a_wrong_token_fails_with_the_http_status(session, app, simpeg):
    app.config["SKP_SYNC_SIMPEG_TOKEN"] = "kedaluwarsa"
    with pytest.raises(SyncSourceError, match="HTTP 401"):
        engine.plan(session, SimpegApiAdapter(app.config), full_export=True, actor="t")


def test_a_mapping_without_nip_is_refused(app, simpeg):
    app.config["SKP_SYNC_SIMPEG_MAPPING"] = json.dumps({"nip": ""})
    with pytest.raises(SyncSourceError, match="NIP"):
        SimpegApiAdapter(app.config)
