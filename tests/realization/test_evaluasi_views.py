"""Evaluation and TPP pages through the client: route × role matrix, workflows (one with CSRF
on), locked states, exports and the evaluation document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.planning.models import Iki, Rhk
from skp_app.realization import evaluation as ops
from skp_app.realization import tpp_recap as rc
from skp_app.realization.models import Evaluasi, Keberatan, TppPolicyVersion, TppRecap
from skp_app.realization.tpp import PRESET_DEFAULT
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN, add_realisasi

kominfo = evaluasi_fixtures.kominfo


def _eval_url(k, periode_ke=1, jenis="periodik", bundle=None):
    return f"/evaluasi/skp/{(bundle or k.skp_budi).skp.id}/{jenis}/{periode_ke}"


def _draft(session, k, hasil="2", perilaku="2"):
    ev = ops.record_evaluation(
        session,
        k.skp_budi.skp,
        "periodik",
        1,
        actor=k.users.kabid,
        rating_hasil=hasil,
        rating_perilaku=perilaku,
    )
    session.commit()
    return ev


def _final(session, k):
    ev = _draft(session, k)
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    return ev


def _policy(session, k):
    rc.save_policy_version(
        session,
        k.instansi,
        policy_data=PRESET_DEFAULT.to_dict(),
        pagu_per_kelas={"8": 4_500_000, "11": 7_000_000, "14": 12_000_000},
        berlaku_mulai=date(TAHUN, 1, 1),
        actor=k.users.hr,
    )
    session.commit()


# --- route × role matrix ---------------------------------------------------------------------

VIEWERS = {
    "kabid": 200,
    "budi": 200,
    "kadis": 200,
    "admin": 200,
    "hr": 200,
    "pimpinan": 200,
    "operator": 200,
    "operator_lain": 403,
    "dewi": 403,
    "outsider": 403,
}


@pytest.mark.parametrize(("who", "status"), VIEWERS.items())
def test_evaluation_page_is_visible_to_the_people_concerned_only(
    client, login, kominfo, who, status
):
    login(getattr(kominfo.users, who))
    assert client.get(_eval_url(kominfo)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("kabid", 302),
        ("budi", 403),
        ("kadis", 403),
        ("admin", 403),
        ("dewi", 403),
        ("operator", 403),
    ],
)
def test_only_the_penilai_may_save_an_evaluation(client, login, session, kominfo, who, status):
    login(getattr(kominfo.users, who))
    resp = client.post(_eval_url(kominfo), data={"rating_hasil": "2", "rating_perilaku": "2"})
    assert resp.status_code == status
    count = session.scalar(select(func.count()).select_from(Evaluasi))
    assert count == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("who", "status"), [("kabid", 302), ("budi", 403), ("kadis", 403), ("admin", 403)]
)
def test_only_the_penilai_may_finalise(client, login, session, kominfo, who, status):
    ev = _draft(session, kominfo)
    login(getattr(kominfo.users, who))
    assert client.post(f"/evaluasi/{ev.id}/final").status_code == status
    assert session.get(Evaluasi, ev.id).status == ("final" if status == 302 else "draft")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("hr", 200),
        ("pimpinan", 200),
        ("operator", 200),
        ("kadis", 200),
        ("kabid", 200),
        ("budi", 403),
        ("operator_lain", 403),
        ("outsider", 403),
    ],
)
def test_unit_curve_page_matrix(client, login, kominfo, who, status):
    login(getattr(kominfo.users, who))
    assert client.get(f"/evaluasi/unit/{kominfo.dinas.id}").status_code == status


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/predikat-organisasi", {"admin", "pimpinan", "hr", "kadis", "kabid"}),
        ("/tpp/rekap", {"admin", "hr", "operator", "operator_lain"}),
        ("/tpp/kebijakan", {"admin", "hr"}),
        ("/kehadiran/impor", {"admin", "hr", "operator", "operator_lain"}),
        (
            "/evaluasi",
            {
                "admin",
                "hr",
                "pimpinan",
                "operator",
                "operator_lain",
                "kadis",
                "kabid",
                "budi",
                "dewi",
                "outsider",
            },
        ),
    ],
)
@pytest.mark.parametrize(
    "who", ["admin", "hr", "pimpinan", "operator", "operator_lain", "kadis", "kabid", "budi"]
)
def test_list_pages_role_matrix(client, login, kominfo, url, allowed, who):
    login(getattr(kominfo.users, who))
    assert client.get(url).status_code == (200 if who in allowed else 403)


def test_pages_require_login(client, kominfo):
    for url in ("/evaluasi", _eval_url(kominfo), "/tpp/rekap", "/tpp/kebijakan"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_navigation_shows_entries_per_role(client, login, kominfo):
    login(kominfo.users.hr)
    html = client.get("/evaluasi").get_data(as_text=True)
    for label in ("Rekap TPP", "Kebijakan TPP", "Impor kehadiran"):
        assert label in html
    assert "Predikat organisasi</a>" not in html.split("<main")[0]
    client.post("/logout")
    login(kominfo.users.budi)
    html = client.get("/evaluasi").get_data(as_text=True).split("<main")[0]
    assert "Evaluasi kinerja" in html and "Rekap TPP" not in html


# --- evaluation workflow ---------------------------------------------------------------------


def test_evaluation_page_shows_realisasi_suggestion_and_curve(client, login, session, kominfo):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    session.commit()
    login(k.users.kabid)
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert "Triwulan I 2026" in html
    assert "Tersusunnya dokumen layanan aplikasi" in html
    assert "Sesuai Ekspektasi</strong>" in html and "SKP Cascade §11.1" in html
    assert "Predikat organisasi <strong>Dinas Komunikasi dan Informatika</strong>" in html
    assert 'name="umpan_balik_rhk-' in html and 'name="umpan_balik_perilaku-1"' in html


def test_override_without_reason_rerenders_the_form_with_the_message(
    client, login, session, kominfo
):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    session.commit()
    login(k.users.kabid)
    resp = client.post(
        _eval_url(k),
        data={"rating_hasil": "1", "rating_perilaku": "2", "catatan": "Catatan saya tetap ada"},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "tuliskan alasannya" in html and "Catatan saya tetap ada" in html
    assert session.scalar(select(func.count()).select_from(Evaluasi)) == 0


def test_final_evaluation_is_locked_and_replayed_final_is_harmless(client, login, session, kominfo):
    k = kominfo
    ev = _draft(session, k)
    login(k.users.kabid)
    assert client.post(f"/evaluasi/{ev.id}/final").status_code == 302
    again = client.post(f"/evaluasi/{ev.id}/final", follow_redirects=True)
    assert "sudah final sebelumnya" in again.get_data(as_text=True)
    resp = client.post(_eval_url(k), data={"rating_hasil": "1", "rating_perilaku": "1"})
    assert resp.status_code == 409
    assert "terkunci" in resp.get_data(as_text=True)
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert 'name="rating_hasil"' not in html


def test_curve_warn_asks_for_justification_on_the_page(client, login, session, kominfo):
    k = kominfo
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    ev = _draft(session, k)
    login(k.users.kabid)
    resp = client.post(f"/evaluasi/{ev.id}/final")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Kurva distribusi predikat dilanggar" in html and 'name="curve_justification"' in html
    resp = client.post(
        f"/evaluasi/{ev.id}/final", data={"curve_justification": "Unit baru dinilai satu orang."}
    )
    assert resp.status_code == 302
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert "Unit baru dinilai satu orang." in html


def test_curve_block_refuses_on_the_page(client, login, session, kominfo):
    k = kominfo
    k.instansi.settings = {"curve_mode": "block"}
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    ev = _draft(session, k)
    login(k.users.kabid)
    resp = client.post(f"/evaluasi/{ev.id}/final", data={"curve_justification": "x" * 30})
    assert resp.status_code == 409
    assert "mode blokir" in resp.get_data(as_text=True)
    assert session.get(Evaluasi, ev.id).status == "draft"


def test_employee_sees_ratings_and_document_only_once_final(client, login, session, kominfo):
    k = kominfo
    ev = _draft(session, k, hasil="3", perilaku="2")
    login(k.users.budi)
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert "Butuh Perbaikan" not in html and "setelah evaluasi difinalkan" in html
    assert client.get(f"/evaluasi/{ev.id}/dokumen").status_code == 403
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert "Butuh Perbaikan" in html and 'name="alasan"' in html


def test_evaluation_document_has_the_annex_layout(client, login, session, kominfo):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    session.commit()
    ev = _draft(session, k)
    ops.save_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        rating_hasil="2",
        rating_perilaku="2",
        umpan_balik_rhk={k.skp_budi.rhk_utama.id: "Dokumen lengkap <b>tepat waktu</b>"},
    )
    ops.finalize_evaluation(session, ev, actor=k.users.kabid, curve_justification="Satu pegawai.")
    session.commit()
    login(k.users.budi)
    resp = client.get(f"/evaluasi/{ev.id}/dokumen")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for text in (
        "CAPAIAN KINERJA ORGANISASI",
        "POLA DISTRIBUSI",
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        "REALISASI BERDASARKAN BUKTI DUKUNG",
        "UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG",
        "RATING HASIL KERJA",
        "RATING PERILAKU",
        "PREDIKAT KINERJA PEGAWAI",
        "PERIODE: TRIWULAN I 2026",
        "SESUAI EKSPEKTASI",
        "@page{size:A4",
        "page-break-inside:avoid",
    ):
        assert text in html, text
    assert "Dokumen lengkap &lt;b&gt;tepat waktu&lt;/b&gt;" in html
    assert '<span class="on">BAIK</span>' in html
    assert "/vendor/plotly-" in html and "cdn" not in html.lower()


def test_annual_document_shows_angka_kredit_for_jf(client, login, session, kominfo):
    k = kominfo
    ev = ops.record_evaluation(
        session,
        k.skp_budi.skp,
        "tahunan",
        0,
        actor=k.users.kabid,
        rating_hasil="2",
        rating_perilaku="2",
    )
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    login(k.users.kabid)
    html = client.get(f"/evaluasi/{ev.id}/dokumen").get_data(as_text=True)
    assert "ANGKA KREDIT" in html and "12,50" in html and "TAHUNAN 2026" in html


def _csrf_login(client, user) -> str:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return token


def test_keberatan_workflow_with_csrf_on(csrf_app, client, session, kominfo):
    k = kominfo
    ev = _final(session, k)
    _csrf_login(client, k.users.budi)
    page = client.get(_eval_url(k)).get_data(as_text=True)
    token = csrf_token_from(page)
    no_token = client.post(f"/evaluasi/{ev.id}/keberatan", data={"alasan": "Tanpa token CSRF."})
    assert no_token.status_code == 400
    resp = client.post(
        f"/evaluasi/{ev.id}/keberatan",
        data={"alasan": "Bukti dukung Maret belum dinilai.", "csrf_token": token},
    )
    assert resp.status_code == 302
    keberatan = session.scalar(select(Keberatan))
    client.post("/logout", data={"csrf_token": token})

    _csrf_login(client, k.users.kabid)
    token = csrf_token_from(client.get(_eval_url(k)).get_data(as_text=True))
    resp = client.post(
        f"/keberatan/{keberatan.id}/penjelasan",
        data={"penjelasan": "Bukti diunggah setelah evaluasi.", "csrf_token": token},
    )
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": token})

    _csrf_login(client, k.users.kadis)
    html = client.get("/evaluasi").get_data(as_text=True)
    assert "Putuskan" in html
    token = csrf_token_from(client.get(_eval_url(k)).get_data(as_text=True))
    resp = client.post(
        f"/keberatan/{keberatan.id}/keputusan",
        data={
            "status": "diterima",
            "keputusan": "Nilai ulang dengan bukti Maret.",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302
    assert session.get(Evaluasi, ev.id).status == "draft"
    client.post("/logout", data={"csrf_token": token})

    _csrf_login(client, k.users.kabid)
    html = client.get(_eval_url(k)).get_data(as_text=True)
    assert "Nilai ulang dengan bukti Maret." in html and 'name="rating_hasil"' in html


@pytest.mark.parametrize(
    ("who", "url_part", "data"),
    [
        ("kabid", "keberatan", {"alasan": "Penilai tidak boleh mengajukan."}),
        ("budi", "keputusan", {"status": "diterima", "keputusan": "Memutus sendiri."}),
        ("kabid", "keputusan", {"status": "diterima", "keputusan": "Penilai memutus sendiri."}),
        ("kadis", "penjelasan", {"penjelasan": "Atasan menjelaskan."}),
    ],
)
def test_keberatan_routes_refuse_the_wrong_actor(
    client, login, session, kominfo, who, url_part, data
):
    k = kominfo
    ev = _final(session, k)
    keberatan = ops.file_keberatan(session, ev, "Alasan keberatan yang jelas.", actor=k.users.budi)
    session.commit()
    login(getattr(k.users, who))
    url = (
        f"/evaluasi/{ev.id}/keberatan"
        if url_part == "keberatan"
        else f"/keberatan/{keberatan.id}/{url_part}"
    )
    assert client.post(url, data=data).status_code == 403
    assert session.get(Keberatan, keberatan.id).status == "diajukan"


def test_evaluation_page_query_count_does_not_grow_with_rhk(
    client, login, session, kominfo, count_queries
):
    k = kominfo
    login(k.users.kabid)
    with count_queries() as small:
        assert client.get(_eval_url(k)).status_code == 200
    for n in range(8):
        rhk = Rhk(skp_id=k.skp_budi.skp.id, jenis="utama", urutan=2 + n, teks=f"RHK tambahan {n}")
        session.add(rhk)
        session.flush()
        session.add(
            Iki(
                rhk_id=rhk.id,
                aspek="kuantitas",
                teks="Jumlah laporan",
                target=Decimal(4),
                satuan="Laporan",
            )
        )
    session.commit()
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    session.commit()
    with count_queries() as big:
        assert client.get(_eval_url(k)).status_code == 200
    assert big.count == small.count


# --- org predikat ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("admin", "dinas", 302),
        ("pimpinan", "dinas", 302),
        ("kadis", "bidang", 302),
        ("kabid", "bidang", 403),
        ("hr", "dinas", 403),
        ("kadis", "dinas", 403),
    ],
)
def test_setting_org_predikat_matrix(client, login, session, kominfo, who, unit, status):
    k = kominfo
    login(getattr(k.users, who))
    resp = client.post(
        "/predikat-organisasi",
        data={"unit_id": getattr(k, unit).id, "tahun": TAHUN, "periode_ke": 1, "predikat": "BAIK"},
    )
    assert resp.status_code == status


def test_invalid_org_predikat_is_flashed(client, login, kominfo):
    login(kominfo.users.admin)
    resp = client.post(
        "/predikat-organisasi",
        data={"unit_id": kominfo.dinas.id, "tahun": TAHUN, "periode_ke": 9, "predikat": "X"},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Pilih predikat: Istimewa" in html and "Periode ke-9 tidak ada" in html


def test_unit_curve_page_shows_limits_counts_and_chart(client, login, session, kominfo):
    k = kominfo
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    ev = _draft(session, k, hasil="3")
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    login(k.users.kadis)
    html = client.get(f"/evaluasi/unit/{k.dinas.id}?tahun={TAHUN}&periode_ke=1").get_data(
        as_text=True
    )
    assert "Batas maksimal" in html and "Butuh Perbaikan" in html
    assert 'id="pola-data"' in html and "Budi Santoso" in html


# --- TPP pages -------------------------------------------------------------------------------


def test_recap_run_from_the_page_shows_lines_with_lineage(client, login, session, kominfo):
    k = kominfo
    _policy(session, k)
    login(k.users.hr)
    resp = client.post("/tpp/rekap", data={"bulan": f"{TAHUN}-03", "opd_id": ""})
    assert resp.status_code == 302
    resp = client.get(resp.headers["Location"], follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "Rekap TPP Maret 2026 — Seluruh OPD" in html
    assert "Bagian produktivitas = 60%" in html and "<details>" in html
    assert "Belum ada data kehadiran" in html


@pytest.mark.parametrize(
    ("who", "opd", "status"),
    [
        ("hr", None, 302),
        ("operator", None, 403),
        ("operator", "dinas", 302),
        ("operator", "other_opd", 403),
        ("budi", "dinas", 403),
    ],
)
def test_recap_start_is_scoped(client, login, session, kominfo, who, opd, status):
    k = kominfo
    _policy(session, k)
    login(getattr(k.users, who))
    opd_id = getattr(k, opd).id if opd else ""
    resp = client.post("/tpp/rekap", data={"bulan": f"{TAHUN}-03", "opd_id": opd_id})
    assert resp.status_code == status
    assert session.scalar(select(func.count()).select_from(TppRecap)) == (1 if status == 302 else 0)


def test_recap_with_bad_month_flashes_the_message(client, login, session, kominfo):
    _policy(session, kominfo)
    login(kominfo.users.hr)
    html = client.post("/tpp/rekap", data={"bulan": "2026-13"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "bulan harus 01–12" in html


def test_recap_view_and_export_are_scoped_to_the_opd(client, login, session, kominfo):
    k = kominfo
    _policy(session, k)
    regency = rc.run_recap(session, TAHUN, 3, today=date(TAHUN, 4, 5))
    dinas = rc.run_recap(session, TAHUN, 3, opd_id=k.dinas.id, today=date(TAHUN, 4, 5))
    session.commit()
    login(k.users.operator)
    assert client.get(f"/tpp/rekap/{dinas.id}").status_code == 200
    assert client.get(f"/tpp/rekap/{regency.id}").status_code == 403
    resp = client.get(f"/tpp/rekap/{dinas.id}/ekspor?format=csv")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    resp = client.get(f"/tpp/rekap/{dinas.id}/ekspor?format=xlsx")
    assert resp.data[:2] == b"PK"
    client.post("/logout")
    login(k.users.operator_lain)
    assert client.get(f"/tpp/rekap/{dinas.id}/ekspor?format=csv").status_code == 403


def test_policy_page_saves_a_new_version_or_shows_indonesian_errors(
    client, login, session, kominfo
):
    k = kominfo
    login(k.users.hr)
    html = client.get("/tpp/kebijakan?preset=terbalik").get_data(as_text=True)
    assert "terbalik-40-60" in html
    resp = client.post(
        "/tpp/kebijakan",
        data={
            "policy_json": '{"produktivitas_pct": 60,',
            "berlaku_mulai": "2026-01-01",
            "pagu-8": "4.500.000",
        },
    )
    assert resp.status_code == 422
    assert "JSON tidak sah pada baris 1" in resp.get_data(as_text=True)
    resp = client.post(
        "/tpp/kebijakan",
        data={
            "policy_json": '{"produktivitas_pct": 70, "disiplin_pct": 40}',
            "berlaku_mulai": "2026-01-01",
            "pagu-8": "4.500.000",
        },
    )
    assert resp.status_code == 422
    assert "harus berjumlah 100" in resp.get_data(as_text=True)
    resp = client.post(
        "/tpp/kebijakan",
        data={
            "policy_json": '{"produktivitas_pct": 70, "disiplin_pct": 30}',
            "berlaku_mulai": "2026-01-01",
            "pagu-8": "4.500.000",
            "pagu-9": "",
        },
    )
    assert resp.status_code == 302
    row = session.scalar(select(TppPolicyVersion))
    assert row.version == 1 and row.pagu_per_kelas == {"8": 4500000}
    client.post("/logout")
    login(k.users.operator)
    assert client.post("/tpp/kebijakan", data={"policy_json": "{}"}).status_code == 403


def test_evaluation_page_of_an_unapproved_skp_has_no_form(client, login, session, kominfo):
    kominfo.skp_budi.skp.status = "diajukan"
    session.commit()
    login(kominfo.users.kabid)
    html = client.get(_eval_url(kominfo)).get_data(as_text=True)
    assert "evaluasi hanya untuk SKP yang telah disetujui" in html
    assert 'name="rating_hasil"' not in html
    resp = client.post(_eval_url(kominfo), data={"rating_hasil": "2", "rating_perilaku": "2"})
    assert resp.status_code == 409
