"""Regional SIMPEG API over real HTTP: pagination, mapping, retries, name-matched units, and a
pull that dies on a page and is continued after the last page read."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from skp_app.org.models import Pegawai, PegawaiExternalId
from skp_app.sync import engine, operations
from skp_app.sync.adapters import SyncSourceError
from skp_app.sync.adapters.simpeg_api import SimpegApiAdapter
from skp_app.sync.models import QuarantinedRecord, SyncChange, SyncRun
from skp_app.timeutil import utcnow
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


# --- a pull that dies mid-run is continued after the last page read ---------------------------


def many(n: int = 20) -> list[dict]:
    """``n`` SIMPEG employees of Dinas Kesehatan with distinct, valid NIPs (ids 9000 + i)."""
    out = []
    for i in range(n):
        nip = nip_for(
            date(1975 + i % 15, 1 + i % 12, 10 + i % 9), (2000 + i % 15, 1 + i % 12), 1 + i % 2, 1
        )
        out.append(
            item(
                i,
                nipBaru=nip,
                tanggalLahir=f"{nip[0:4]}-{nip[4:6]}-{nip[6:8]}",
                jenisKelamin="L" if nip[14] == "1" else "P",
                id_pegawai=str(9000 + i),
            )
        )
    return out


@pytest.fixture
def simpeg_many(simpeg_config, make_unit, session):
    """20 employees on 7 pages of 3 (the last one holds 2)."""
    make_unit("Dinas Kesehatan")
    session.commit()
    fake = FakeSimpeg(many())
    with serve(fake) as base:
        simpeg_config(base)
        yield fake


def _start(session, app) -> SyncRun:
    run = operations.start_run(session, "simpeg-api", actor="tester", config=app.config)
    session.commit()
    return run


def _staged(session, run_id):
    return session.execute(
        select(SyncChange.nip, SyncChange.row_number).where(
            SyncChange.run_id == run_id, SyncChange.entity == "pegawai"
        )
    ).all()


def test_a_pull_that_dies_on_a_page_continues_after_the_last_page_read(session, app, simpeg_many):
    # Record 13 (page 5) reuses the SIMPEG id of record 2 (page 1): the check must still see
    # page 1 after the pull is continued.
    simpeg_many.items[12]["id_pegawai"] = "9001"
    simpeg_many.fail[5] = [500] * 4  # the three retries are exhausted on page 5
    run = _start(session, app)
    with pytest.raises(SyncSourceError, match="HTTP 500"):
        operations.plan_run(session, run, actor="tester", config=app.config, batch_size=9)
    run = session.get(SyncRun, run.id)
    assert run.status == "plan_failed"
    # Pages 1-3 were one committed batch; page 4, read before the failure, was kept as well.
    assert run.resume_point == {"done": 12, "page": 4, "total_pages": 7}
    assert run.resume_label.startswith("Halaman 1–4 dari 7 (12 data) sudah terbaca")
    assert sorted(r for _n, r in _staged(session, run.id)) == list(range(1, 13))
    assert [e["page"] for e in simpeg_many.log] == [1, 2, 3, 4, 5, 5, 5, 5]

    simpeg_many.log.clear()
    run = operations.plan_run(session, run, actor="tester", config=app.config, batch_size=9)
    assert run.status == "planned"
    assert [e["page"] for e in simpeg_many.log] == [5, 6, 7]  # no page fetched twice
    assert run.counts["records"] == 20 and run.counts["new"] == 19
    staged = _staged(session, run.id)
    assert sorted(r for _n, r in staged) == [n for n in range(1, 21) if n != 13]
    assert len({n for n, _r in staged}) == 19
    (q,) = session.scalars(select(QuarantinedRecord).where(QuarantinedRecord.run_id == run.id))
    assert (q.row_number, q.reason_code, q.source_key) == (
        13,
        "external_id_conflict",
        "halaman 5 #1",
    )
    engine.apply(session, run, actor="tester")
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 19


def test_a_continued_full_export_remembers_every_record_read_before_the_failure(
    session, app, simpeg_many
):
    first = engine.plan(session, SimpegApiAdapter(app.config), full_export=True, actor="t")
    engine.apply(session, first, actor="t")
    gone = simpeg_many.items[16]["nipBaru"]
    # Page 6 now repeats the NIP of page 1 (record 17 takes record 2's NIP) and renames one.
    simpeg_many.items[16].update(
        nipBaru=simpeg_many.items[1]["nipBaru"], tanggalLahir=simpeg_many.items[1]["tanggalLahir"]
    )
    simpeg_many.items[17]["namaPegawai"] = "Pegawai SIMPEG 17 Berganti Nama"
    simpeg_many.fail[5] = [503] * 4
    run = _start(session, app)
    with pytest.raises(SyncSourceError, match="HTTP 503"):
        operations.plan_run(session, run, actor="tester", config=app.config, batch_size=6)
    simpeg_many.log.clear()
    run = operations.plan_run(
        session, session.get(SyncRun, run.id), actor="tester", config=app.config, batch_size=6
    )
    assert [e["page"] for e in simpeg_many.log][:3] == [5, 6, 7]
    c = run.counts
    # The twelve unchanged employees of pages 1-4 are not "missing from the source".
    assert (c["unchanged"], c["changed"], c["not_in_source"], c["invalid"]) == (17, 1, 1, 2)
    (missing,) = session.scalars(
        select(SyncChange.nip).where(
            SyncChange.run_id == run.id, SyncChange.kind == "not_in_source"
        )
    )
    assert missing == gone
    dups = session.scalars(
        select(QuarantinedRecord)
        .where(QuarantinedRecord.run_id == run.id)
        .order_by(QuarantinedRecord.row_number)
    ).all()
    assert [(q.row_number, q.reason_code) for q in dups] == [
        (2, "nip_duplicate"),
        (17, "nip_duplicate"),
    ]
    # The earlier duplicate's source row is fetched again for the quarantine (its page only).
    assert dups[0].raw["id_pegawai"] == "9001"


def test_a_killed_pull_is_continued_from_the_command_line(session, app, runner, simpeg_many):
    run = _start(session, app)

    def killed(done, total, message):
        raise KeyboardInterrupt  # the process dies right after its second page was stored

    with pytest.raises(KeyboardInterrupt):
        operations.plan_run(
            session, run, actor="tester", config=app.config, batch_size=6, progress=killed
        )
    session.rollback()
    run = session.get(SyncRun, run.id)
    assert run.status == "planning" and run.checkpoint["source"]["page"] == 2

    busy = runner.invoke(args=["sync", "plan", "simpeg-api", "--resume", str(run.id)])
    assert busy.exit_code == 1 and "tidak dapat dibaca ulang" in busy.output
    wrong = runner.invoke(args=["sync", "plan", "siasn-api", "--resume", str(run.id)])
    assert wrong.exit_code == 2 and "simpeg-api" in wrong.output

    run.heartbeat_at = utcnow() - timedelta(minutes=30)  # no sign of life: the run was cut off
    session.commit()
    assert run.resume_point["page"] == 2
    simpeg_many.log.clear()
    result = runner.invoke(args=["sync", "plan", "simpeg-api", "--resume", str(run.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "planned" and data["counts"]["new"] == 20
    assert [e["page"] for e in simpeg_many.log] == [3, 4, 5, 6, 7]
    assert len(_staged(session, run.id)) == 20


def test_hr_continues_a_failed_pull_with_the_lanjutkan_button(
    session, app, client, login, make_user, simpeg_many
):
    hr = make_user("bkpsdm.simpeg", roles=[("hr", None)])
    app.config["SKP_SYNC_BATCH_SIZE"] = 6
    simpeg_many.fail[4] = [500] * 4
    login(hr)
    resp = client.post("/sinkronisasi/mulai", data={"source": "simpeg-api", "cakupan": "sebagian"})
    assert resp.status_code == 302
    run = session.scalar(select(SyncRun))
    assert run.status == "plan_failed"
    html = client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
    assert "HTTP 500" in html and "Lanjutkan pembacaan" in html
    assert "Halaman 1–3 dari 7 (9 data) sudah terbaca dan tersimpan" in html
    status = client.get(f"/sinkronisasi/{run.id}/status").get_json()
    assert status["resume"] == {"done": 9, "page": 3, "total_pages": 7}
    simpeg_many.log.clear()
    assert client.post(f"/sinkronisasi/{run.id}/lanjutkan").status_code == 303
    session.expire_all()
    run = session.get(SyncRun, run.id)
    assert run.status == "planned" and run.counts["new"] == 20
    assert [e["page"] for e in simpeg_many.log] == [4, 5, 6, 7]
    assert "Halaman 1–" not in client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
