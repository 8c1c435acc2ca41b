"""Journey: an employee logs in with the NIP and opens the own profile."""

from __future__ import annotations

from datetime import date

import pytest

from skp_app.auth.operations import create_user
from skp_app.extensions import db
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from tests.e2e.conftest import login_as, shot

pytestmark = pytest.mark.e2e


def _seed(app):
    with app.app_context():
        inst = Instansi(nama="Pemerintah Kabupaten Sukamaju")
        db.session.add(inst)
        db.session.flush()
        opd = UnitOrganisasi(
            instansi_id=inst.id,
            nama="Badan Perencanaan Pembangunan Daerah",
            singkatan="Bappeda",
            jenis="opd",
            is_opd=True,
            is_pilot=True,
        )
        db.session.add(opd)
        db.session.flush()
        opd.opd_id = opd.id
        kepala = Jabatan(nama="Kepala Bappeda", jenis="jpt_pratama", eselon_id="22", unit_id=opd.id)
        db.session.add(kepala)
        db.session.flush()
        staf_j = Jabatan(
            nama="Perencana Ahli Pertama",
            jenis="fungsional",
            jenjang="PT",
            unit_id=opd.id,
            atasan_id=kepala.id,
        )
        db.session.add(staf_j)
        db.session.flush()
        boss = Pegawai(
            nip="197303141997022002",
            nama="Sri Wahyuni",
            gelar_depan="Dr.",
            gelar_belakang="M.Si.",
            jenis_kelamin="P",
            tanggal_lahir=date(1973, 3, 14),
            golongan_id=42,
            jabatan_id=kepala.id,
            unit_id=opd.id,
        )
        me = Pegawai(
            nip="199203152019031004",
            nama="Andi Pratama",
            gelar_belakang="S.T.",
            jenis_kelamin="L",
            tanggal_lahir=date(1992, 3, 15),
            golongan_id=31,
            jabatan_id=staf_j.id,
            unit_id=opd.id,
            tempat_lahir="Makassar",
        )
        db.session.add_all([boss, me])
        db.session.flush()
        create_user(db.session, me.nip, "Demo12345", pegawai_id=me.id, display_name=me.nama)
        db.session.commit()


def test_employee_logs_in_with_nip_and_opens_own_profile(live_server, page):
    _seed(live_server.app)
    login_as(page, live_server.url, "19920315 201903 1 004", "Demo12345")
    page.click("text=Profil saya")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "Andi Pratama, S.T." in body
    assert "19920315 201903 1 004" in body  # own NIP is visible to the owner
    assert "Dr. Sri Wahyuni, M.Si." in body  # superior from the position tree
    shot(page, "profil-pegawai")
