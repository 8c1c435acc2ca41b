"""SKP edit forms, print/export, the OPD board, goals pages and periods."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from skp_app.planning import operations as ops
from skp_app.planning.models import Iki, Rhk, Sasaran, Skp, SkpLampiran
from tests.planning.conftest import iki_set

KEY = "7c3e2d1a-4b5f-4a6e-8d9c-0b1a2c3d4e5f"


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _rhk_form(**overrides) -> dict:
    data = {
        "request_key": KEY,
        "jenis": "utama",
        "cascading": "direct",
        "teks": "Tersedianya modul perizinan daring",
        "parent_rhk_id": "",
        "iki-0-aspek": "kuantitas",
        "iki-0-teks": "Jumlah modul yang selesai",
        "iki-0-target": "3",
        "iki-0-satuan": "Modul",
        "iki-1-aspek": "kualitas",
        "iki-1-teks": "Persentase modul lolos uji",
        "iki-1-target": "90",
        "iki-1-target_max": "100",
        "iki-1-satuan": "Persen",
        "iki-2-aspek": "waktu",
        "iki-2-teks": "Ketepatan waktu",
        "iki-2-target": "12",
        "iki-2-satuan": "Bulan",
        "iki-3-aspek": "biaya",
    }
    data.update(overrides)
    return data


@pytest.fixture
def chain(session, world, build):
    return build.chain()


def test_new_rhk_form_saves_rhk_and_iki_and_replay_does_not_duplicate(
    session, world, chain, client, login, build
):
    ks = chain[2]
    skp = build.skp("staf")
    session.commit()
    login(world.users["staf"])
    page = client.get(f"/skp/{skp.id}/rhk/baru?jenis=utama").get_data(as_text=True)
    assert ks.rhk[0].teks in page  # the penilai's RHK are offered
    data = _rhk_form(parent_rhk_id=str(ks.rhk[0].id), **{"iki-1-target": "97,5"})
    assert client.post(f"/skp/{skp.id}/rhk/baru", data=data).status_code == 302
    assert client.post(f"/skp/{skp.id}/rhk/baru", data=data).status_code == 302  # replay
    session.expire_all()
    (rhk,) = session.scalars(select(Rhk).where(Rhk.skp_id == skp.id)).all()
    assert rhk.parent_rhk_id == ks.rhk[0].id
    assert [(i.aspek, str(i.target.normalize()), i.satuan) for i in rhk.iki] == [
        ("kuantitas", "3", "Modul"),
        ("kualitas", "97.5", "Persen"),
        ("waktu", "12", "Bulan"),
    ]


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        ({"teks": "  "}, ["Uraian RHK wajib diisi."]),
        ({"iki-0-target": "tiga"}, ["Target harus berupa angka (contoh: 12 atau 97,5)."]),
        (
            {"iki-1-target": "100", "iki-1-target_max": "90"},
            ["Batas bawah target tidak boleh lebih besar dari batas atas."],
        ),
        ({"iki-2-satuan": ""}, ["Satuan wajib diisi (misalnya Dokumen, Persen, Bulan)."]),
        (
            {"iki-1-target_max": "1.2.x"},
            ["Batas atas target harus berupa angka (contoh: 12 atau 97,5)."],
        ),
    ],
)
def test_rhk_form_shows_precise_messages_and_writes_nothing(
    session, world, chain, client, login, build, overrides, messages
):
    skp = build.skp("staf")
    session.commit()
    login(world.users["staf"])
    resp = client.post(
        f"/skp/{skp.id}/rhk/baru",
        data=_rhk_form(parent_rhk_id=str(chain[2].rhk[0].id), **overrides),
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for m in messages:
        assert m in html
    assert "Tidak ada perubahan yang disimpan." in html
    assert _count(session, Rhk, Rhk.skp_id == skp.id) == 0 and _count(session, Iki) == 7


def test_rhk_form_rejects_an_intervened_rhk_of_someone_else(
    session, world, chain, client, login, build
):
    kabid_skp = chain[1]
    skp = build.skp("staf")
    session.commit()
    login(world.users["staf"])
    resp = client.post(
        f"/skp/{skp.id}/rhk/baru", data=_rhk_form(parent_rhk_id=str(kabid_skp.rhk[0].id))
    )
    assert resp.status_code == 422
    assert (
        "RHK yang diintervensi harus RHK milik pejabat penilai (Dedi Kurniawan, S.Kom.) "
        "pada periode 2025."
    ) in resp.get_data(as_text=True)
    assert _count(session, Rhk, Rhk.skp_id == skp.id) == 0


def test_editing_keeps_iki_ids_and_closed_period_blocks_with_409(
    session, world, chain, client, login, build
):
    skp = build.skp("staf")
    rhk = ops.save_rhk(
        session,
        skp,
        ops.RhkInput(teks="Tersedianya modul", parent_rhk_id=chain[2].rhk[0].id, iki=iki_set()),
        actor=world.users["staf"],
    )
    session.commit()
    ids = [i.id for i in rhk.iki]
    login(world.users["staf"])
    data = _rhk_form(
        parent_rhk_id=str(chain[2].rhk[0].id),
        **{
            "iki-0-id": str(ids[0]),
            "iki-1-id": str(ids[1]),
            "iki-2-id": str(ids[2]),
            "iki-0-target": "5",
        },
    )
    assert client.post(f"/skp/{skp.id}/rhk/{rhk.id}/ubah", data=data).status_code == 302
    session.expire_all()
    assert [i.id for i in session.get(Rhk, rhk.id).iki] == ids
    world.periode.is_open = False
    session.commit()
    resp = client.post(f"/skp/{skp.id}/rhk/{rhk.id}/ubah", data={**data, "iki-0-target": "9"})
    assert resp.status_code == 409
    assert "Periode 2025 sudah ditutup" in resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Iki, ids[0]).target == 5


def test_settings_perilaku_and_lampiran_forms(session, world, client, login, build):
    skp = build.skp("staf")
    session.commit()
    login(world.users["staf"])
    resp = client.post(
        f"/skp/{skp.id}/pengaturan",
        data={"pendekatan": "kualitatif", "penilai_nip": world.staf.nip},
    )
    assert resp.status_code == 422
    assert "Pejabat penilai tidak boleh pegawai yang dinilai sendiri." in resp.get_data(
        as_text=True
    )
    resp = client.post(
        f"/skp/{skp.id}/pengaturan",
        data={"pendekatan": "kualitatif", "penilai_nip": "199001012015031999"},
    )
    assert "Pegawai dengan NIP 199001012015031999 tidak ditemukan." in resp.get_data(as_text=True)
    assert (
        client.post(
            f"/skp/{skp.id}/pengaturan",
            data={"pendekatan": "kuantitatif", "penilai_nip": world.kabid.nip},
        ).status_code
        == 302
    )
    session.expire_all()
    skp = session.get(Skp, skp.id)
    assert skp.penilai_pegawai_id == world.kabid.id and skp.penilai_is_override
    assert skp.atasan_penilai_pegawai_id == world.kadis.id
    assert (
        client.post(
            f"/skp/{skp.id}/perilaku", data={"ekspektasi_2": "Tidak menunda pekerjaan"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/skp/{skp.id}/lampiran",
            data={"dukungan_sumber_daya": "Laptop\n\nAkses VPN", "konsekuensi": "Teguran"},
        ).status_code
        == 302
    )
    session.expire_all()
    skp = session.get(Skp, skp.id)
    assert {p.nilai_kode: p.ekspektasi_khusus for p in skp.perilaku}[2] == "Tidak menunda pekerjaan"
    assert [(lp.bagian, lp.teks) for lp in skp.lampiran] == [
        ("dukungan_sumber_daya", "Laptop"),
        ("dukungan_sumber_daya", "Akses VPN"),
        ("konsekuensi", "Teguran"),
    ]


def test_print_page_follows_the_official_layout(session, world, chain, client, login):
    k, kb, ks = chain
    session.add(SkpLampiran(skp_id=ks.id, bagian="konsekuensi", urutan=0, teks="Teguran lisan"))
    session.commit()
    login(world.users["kasi"])
    html = client.get(f"/skp/{ks.id}/cetak").get_data(as_text=True)
    for text in (
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
        "A. UTAMA",
        "B. TAMBAHAN",
        "ASPEK",
        "INDIKATOR KINERJA INDIVIDU",
        "Berorientasi Pelayanan",
        "Kolaboratif",
        "Ekspektasi Khusus Pimpinan",
        "LAMPIRAN SASARAN KINERJA PEGAWAI",
        "Teguran lisan",
        "@page{size:A4",
        "@media print",
        "Sri Wahyuni, S.T.",
        kb.rhk[0].teks,
        "90 – 100 Persen",
    ):
        assert text in html, text
    jpt = client.get(f"/skp/{k.id}/cetak")
    assert jpt.status_code == 403  # the Kasi is not involved in the Kepala Dinas's SKP
    client.post("/logout")
    login(world.users["kadis"])
    html = client.get(f"/skp/{k.id}/cetak").get_data(as_text=True)
    assert "PERSPEKTIF" in html and "Penerima Layanan" in html and "INSTANSI" in html
    assert "RHK PIMPINAN YANG DIINTERVENSI" not in html


def test_skp_xlsx_export_has_header_blocks_and_rows(session, world, chain, client, login):
    ks = chain[2]
    login(world.users["kasi"])
    resp = client.get(f"/skp/{ks.id}/unduh.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    values = [c.value for row in wb["SKP"].iter_rows() for c in row if c.value is not None]
    assert "PEGAWAI YANG DINILAI" in values and "PEJABAT PENILAI KINERJA" in values
    assert "A. UTAMA" in values and ks.rhk[0].teks in values and world.kasi.nip in values
    assert [c.value for c in wb["Perilaku"]["B"]][1:] == [
        "Berorientasi Pelayanan",
        "Akuntabel",
        "Kompeten",
        "Harmonis",
        "Loyal",
        "Adaptif",
        "Kolaboratif",
    ]


def test_monitoring_board_counts_filters_and_scope(session, world, chain, client, login):
    login(world.users["operator"])
    html = client.get(f"/skp/monitoring?opd={world.opd.id}&tahun=2025").get_data(as_text=True)
    # kadis, kabid, kasi approved; staf and staf2 without SKP.
    assert "Rina Marlina" in html and "Budi Santoso" in html
    board = re.findall(r'<div class="kpi">(\d+)</div><span>([^<]+)</span>', html)
    assert ("2", "Belum dibuat") in board and ("3", "Disetujui") in board
    only = client.get(f"/skp/monitoring?opd={world.opd.id}&tahun=2025&status=belum")
    assert "Sri Wahyuni" not in only.get_data(as_text=True)
    assert client.get(f"/skp/monitoring?opd={world.other_opd.id}").status_code == 403
    x = client.get(f"/skp/monitoring.xlsx?opd={world.opd.id}&tahun=2025")
    ws = load_workbook(io.BytesIO(x.data))["SKP OPD"]
    assert (
        ws.max_row == 3 + 5 and ws["C4"].value and ws["F4"].value in ("Belum dibuat", "Disetujui")
    )
    client.post("/logout")
    login(world.users["staf"])
    assert client.get("/skp/monitoring").status_code == 403


def test_monitoring_board_query_count_does_not_grow_with_employees(
    session, world, client, login, make_pegawai, make_jabatan, count_queries
):
    login(world.users["operator"])
    url = f"/skp/monitoring?opd={world.opd.id}&tahun=2025"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    jab = make_jabatan("Pengelola Layanan Operasional", unit=world.bidang, jenis="pelaksana")
    for n in range(150):
        make_pegawai(nama=f"Pegawai Pelaksana {n:03d}", jabatan=jab)
    session.commit()
    with count_queries() as large:
        resp = client.get(url)
    assert resp.status_code == 200 and "Pegawai Pelaksana 149" in resp.get_data(as_text=True)
    assert large.count == small.count, (small.count, large.count)
    assert large.count <= 12


def test_monitoring_board_renders_1000_employees_quickly(
    session, world, client, login, make_jabatan
):
    from skp_app.org.models import Pegawai
    from tests.helpers import make_nip

    jab = make_jabatan("Pengelola Layanan Operasional", unit=world.bidang, jenis="pelaksana")
    session.execute(
        Pegawai.__table__.insert(),
        [
            {
                "nip": make_nip(seq=n % 999 + 1, tmt=(2000 + n // 999, 1)),
                "nama": f"Pegawai {n:04d}",
                "jenis_asn": "PNS",
                "golongan_id": 22,
                "jabatan_id": jab.id,
                "unit_id": world.bidang.id,
                "kedudukan_hukum_id": "01",
                "gelar_depan": "",
                "gelar_belakang": "",
                "jenis_kelamin": "L",
                "tempat_lahir": "",
                "email": "",
                "no_hp": "",
            }
            for n in range(1000)
        ],
    )
    session.commit()
    login(world.users["operator"])
    url = f"/skp/monitoring?opd={world.opd.id}&tahun=2025"
    client.get(url)
    resp = client.get(url)  # its speed is measured in benchmarks/bench_planning.py
    assert resp.status_code == 200 and "Pegawai 0999" in resp.get_data(as_text=True)


def test_goal_pages_form_errors_and_import(session, world, client, login):
    login(world.users["operator"])
    url = f"/sasaran/baru?level=opd&opd={world.opd.id}"
    resp = client.post(
        url,
        data={
            "jenis": "sasaran",
            "kode": "S5",
            "teks": "Meningkatnya literasi digital",
            "tahun_awal": "2025",
            "tahun_akhir": "2026",
            "supports_id": str(world.sasaran_regent.id),
            "indikator-0-teks": "Indeks literasi digital",
            "indikator-0-satuan": "Indeks",
            "indikator-0-target_2025": "tinggi",
            "indikator-0-target_2026": "4 - 3",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Target 2025 harus berupa angka atau rentang (contoh: 75 atau 70 - 80)." in html
    assert _count(session, Sasaran) == 2
    resp = client.post(
        url,
        data={
            "jenis": "sasaran",
            "kode": "S5",
            "teks": "Meningkatnya literasi digital",
            "tahun_awal": "2025",
            "tahun_akhir": "2026",
            "supports_id": str(world.sasaran_regent.id),
            "indikator-0-teks": "Indeks literasi digital",
            "indikator-0-satuan": "Indeks",
            "indikator-0-target_2025": "3,2",
            "indikator-0-target_2026": "3 - 4",
        },
    )
    assert resp.status_code == 302
    listing = client.get(f"/sasaran?level=opd&opd={world.opd.id}").get_data(as_text=True)
    assert "Indeks literasi digital" in listing and "3 - 4" in listing and "3,2" in listing
    assert (
        client.post(
            f"/sasaran/baru?level=opd&opd={world.other_opd.id}", data={"teks": "x"}
        ).status_code
        == 403
    )
    assert client.post("/sasaran/baru?level=regent", data={"teks": "x"}).status_code == 403
    wb = Workbook()
    ws = wb.active
    ws.title = "Sasaran"
    ws.append(
        [
            "kode",
            "jenis",
            "kode_induk",
            "uraian",
            "kode_sasaran_rpjmd",
            "indikator",
            "satuan",
            "target_2025",
        ]
    )
    ws.append(
        [
            "S6",
            "sasaran",
            None,
            "Meningkatnya keamanan siber",
            "1.1.1.1",
            "Indeks KAMI",
            "Indeks",
            "sekitar 3",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    resp = client.post(
        f"/sasaran/impor?level=opd&opd={world.opd.id}",
        data={"berkas": (buf, "sasaran.xlsx"), "request_key": KEY},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "Target harus berupa angka atau rentang" in resp.get_data(as_text=True)
    assert _count(session, Sasaran) == 3


def test_periode_page_is_admin_only_and_validates_the_year(session, world, client, login):
    login(world.users["operator"])
    assert client.get("/periode").status_code == 403
    client.post("/logout")
    login(world.users["admin"])
    resp = client.post("/periode", data={"tahun": "2025", "periodik": "triwulan"})
    assert resp.status_code == 422 and "Periode 2025 sudah ada." in resp.get_data(as_text=True)
    assert client.post("/periode", data={"tahun": "2026", "periodik": "bulanan"}).status_code == 302
    assert (
        client.post(f"/periode/{world.periode.id}/status", data={"is_open": "0"}).status_code == 302
    )
    session.expire_all()
    assert not world.periode.is_open


def test_monitoring_board_create_button_makes_a_draft_for_the_employee(
    session, world, client, login
):
    login(world.users["operator"])
    html = client.get(f"/skp/monitoring?opd={world.opd.id}&tahun=2025").get_data(as_text=True)
    action = f'action="/skp/pegawai/{world.staf2.id}/buat"'
    assert action in html
    resp = client.post(f"/skp/pegawai/{world.staf2.id}/buat", data={"tahun": "2025"})
    assert resp.status_code == 302
    skp = session.scalar(select(Skp).where(Skp.pegawai_id == world.staf2.id))
    assert skp.status == "draft" and f"/skp/{skp.id}" in client.get(
        f"/skp/monitoring?opd={world.opd.id}&tahun=2025"
    ).get_data(as_text=True)
