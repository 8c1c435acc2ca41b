"""Benchmark: bulk cascade drafting to 200 subordinates, and the OPD SKP board of 1,000 employees.

Targets (planning issue): the bulk cascade completes in one request in < 2 s on SQLite; the
"Monitoring pengisian SKP" board renders 1,000 employees in < 300 ms with a bounded number of
queries. Data are built with direct inserts on a fresh SQLite file.

Run: .venv/bin/python benchmarks/bench_planning.py [--subordinates 200] [--employees 1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, select

import skp_app.cascading.hooks  # noqa: F401  (rhk_saved receiver connected, as in the app)
from skp_app import create_app
from skp_app.auth.operations import create_user, hash_password
from skp_app.extensions import db
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.planning.models import Iki, PerilakuExpectation, Periode, Rhk, Skp

PASSWORD = "Rahasia123"
STATUSES = ("draft", "diajukan", "disetujui", "dikembalikan")


def _nip(n: int) -> str:
    # 18 digits: birth date, TMT CPNS year-month, gender, sequence (valid per domain.md §8.9).
    return f"1985{1 + n % 12:02d}{1 + n % 28:02d}{2005 + n // 999 % 15}{1 + n % 12:02d}1{n % 999 + 1:03d}"


def build(session, subordinates: int, employees: int) -> dict:
    periode = Periode(
        tahun=2025,
        nama="Periode Penilaian 2025",
        tanggal_mulai=date(2025, 1, 1),
        tanggal_selesai=date(2025, 12, 31),
        is_open=True,
    )
    instansi = Instansi(nama="Pemerintah Kabupaten Sukamaju", jenis="kabupaten")
    session.add_all([periode, instansi])
    session.flush()

    def unit(nama, parent=None):
        u = UnitOrganisasi(
            instansi_id=instansi.id,
            nama=nama,
            is_opd=parent is None,
            jenis="opd" if parent is None else "bidang",
            parent_id=parent.id if parent else None,
        )
        session.add(u)
        session.flush()
        u.opd_id = u.id if parent is None else parent.opd_id
        return u

    opd = unit("Dinas Pendidikan dan Kebudayaan")
    bidang = unit("Bidang Pembinaan Sekolah Dasar", opd)
    big = unit("Badan Pengelolaan Keuangan dan Aset Daerah")
    big_bidang = unit("Bidang Perbendaharaan", big)
    kabid_j = Jabatan(nama="Kepala Bidang Pembinaan SD", jenis="administrator", unit_id=bidang.id)
    session.add(kabid_j)
    session.flush()
    kasi_j = Jabatan(
        nama="Kepala Seksi Kurikulum SD", jenis="pengawas", unit_id=bidang.id, atasan_id=kabid_j.id
    )
    session.add(kasi_j)
    session.flush()
    guru_j = Jabatan(
        nama="Pengelola Kurikulum", jenis="pelaksana", unit_id=bidang.id, atasan_id=kasi_j.id
    )
    staf_j = Jabatan(nama="Pengadministrasi Keuangan", jenis="pelaksana", unit_id=big_bidang.id)
    session.add_all([guru_j, staf_j])
    session.flush()
    n = 0

    def person(nama, jabatan, unit_):
        nonlocal n
        n += 1
        return {
            "nip": _nip(n),
            "nama": nama,
            "jabatan_id": jabatan.id,
            "unit_id": unit_.id,
            "jenis_asn": "PNS",
            "golongan_id": 32,
            "kedudukan_hukum_id": "01",
            "gelar_depan": "",
            "gelar_belakang": "",
            "jenis_kelamin": "L",
            "tempat_lahir": "Sukamaju",
            "email": "",
            "no_hp": "",
        }

    session.execute(
        Pegawai.__table__.insert(),
        [
            person("Kabid Pembinaan", kabid_j, bidang),
            person("Kasi Kurikulum", kasi_j, bidang),
            *[person(f"Pelaksana {i:03d}", guru_j, bidang) for i in range(subordinates)],
            *[person(f"Pegawai BPKAD {i:04d}", staf_j, big_bidang) for i in range(employees)],
        ],
    )
    kabid = session.scalar(select(Pegawai).where(Pegawai.nama == "Kabid Pembinaan"))
    kasi = session.scalar(select(Pegawai).where(Pegawai.nama == "Kasi Kurikulum"))
    source = Skp(
        periode_id=periode.id,
        pegawai_id=kasi.id,
        jabatan_id=kasi_j.id,
        unit_id=bidang.id,
        opd_id=opd.id,
        penilai_pegawai_id=kabid.id,
        status="disetujui",
        tanggal_mulai=periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
    )
    for r in range(3):
        rhk = Rhk(
            jenis="utama",
            urutan=r + 1,
            teks=f"Tersusunnya perangkat kurikulum muatan lokal tahap {r + 1}",
        )
        rhk.iki = [
            Iki(
                aspek="kuantitas",
                teks="Jumlah dokumen kurikulum",
                target=Decimal(2),
                satuan="Dokumen",
            ),
            Iki(
                aspek="kualitas",
                teks="Persentase dokumen tanpa revisi",
                target=Decimal(90),
                target_max=Decimal(100),
                satuan="Persen",
            ),
            Iki(aspek="waktu", teks="Ketepatan waktu", target=Decimal(12), satuan="Bulan"),
        ]
        source.rhk.append(rhk)
    session.add(source)
    # The 1,000-employee OPD: 70% have an SKP in one of the four statuses.
    ids = list(session.scalars(select(Pegawai.id).where(Pegawai.unit_id == big_bidang.id)))
    session.execute(
        Skp.__table__.insert(),
        [
            {
                "periode_id": periode.id,
                "pegawai_id": pid,
                "jabatan_id": staf_j.id,
                "unit_id": big_bidang.id,
                "opd_id": big.id,
                "status": STATUSES[i % 4],
                "tanggal_mulai": periode.tanggal_mulai,
                "tanggal_selesai": periode.tanggal_selesai,
                "is_current": True,
                "version": 1,
                "pendekatan": "kuantitatif",
                "is_jpt": False,
                "penilai_is_override": False,
            }
            for i, pid in enumerate(ids)
            if i % 10 < 7
        ],
    )
    pw = hash_password(PASSWORD)
    create_user(
        session, "operator.disdik", PASSWORD, roles=[("opd_operator", opd.id)], password_hash=pw
    )
    create_user(
        session, "operator.bpkad", PASSWORD, roles=[("opd_operator", big.id)], password_hash=pw
    )
    session.commit()
    return {
        "source_id": source.id,
        "rhk_ids": [r.id for r in source.rhk],
        "guru_jabatan": guru_j.id,
        "big_opd": big.id,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subordinates", type=int, default=200)
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "bench-planning.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "b" * 40,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        ids = build(db.session, args.subordinates, args.employees)
        print(
            f"built data in {time.perf_counter() - t0:.1f} s "
            f"({args.subordinates} subordinates, {args.employees} employees, SQLite {path})"
        )
        engine = db.engine
    queries = {"n": 0}
    event.listen(
        engine, "before_cursor_execute", lambda *a: queries.__setitem__("n", queries["n"] + 1)
    )

    # 1. Bulk cascade: 3 RHK (9 IKI) to every holder of the subordinate position, one request.
    client = app.test_client()
    assert (
        client.post("/login", data={"login": "operator.disdik", "password": PASSWORD}).status_code
        == 302
    )
    queries["n"] = 0
    t0 = time.perf_counter()
    resp = client.post(
        f"/skp/{ids['source_id']}/turunkan",
        data={
            "rhk_ids": [str(r) for r in ids["rhk_ids"]],
            "jabatan_ids": [str(ids["guru_jabatan"])],
            "cascading": "direct",
            "request_key": "5f0c8a34-1b2d-4e6f-8a9b-0c1d2e3f4a5b",
        },
    )
    elapsed = (time.perf_counter() - t0) * 1000
    assert resp.status_code == 200, resp.status_code
    with app.app_context():
        skps = db.session.scalar(
            select(func.count())
            .select_from(Skp)
            .where(Skp.opd_id != ids["big_opd"], Skp.status == "draft")
        )
        rhk = db.session.scalar(
            select(func.count()).select_from(Rhk).where(Rhk.drafted_from_rhk_id.is_not(None))
        )
        iki = db.session.scalar(select(func.count()).select_from(Iki)) - 9
        perilaku = db.session.scalar(select(func.count()).select_from(PerilakuExpectation))
    print(
        f"bulk cascade to {args.subordinates} subordinates (one POST): {elapsed:.0f} ms, "
        f"{queries['n']} queries; created {skps} SKP, {rhk} RHK, {iki} IKI, "
        f"{perilaku} perilaku rows (target < 2000 ms)"
    )

    # 2. The OPD board of the big OPD, rendered in full (all employees on one page).
    client = app.test_client()
    assert (
        client.post("/login", data={"login": "operator.bpkad", "password": PASSWORD}).status_code
        == 302
    )
    for url in (
        f"/skp/monitoring?opd={ids['big_opd']}&tahun=2025",
        f"/skp/monitoring?opd={ids['big_opd']}&tahun=2025&status=belum",
        f"/skp/monitoring.xlsx?opd={ids['big_opd']}&tahun=2025",
    ):
        client.get(url)  # warm up
        times = []
        for _ in range(args.repeat):
            queries["n"] = 0
            t0 = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"{url:58s} {args.employees} pegawai: median {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms, {queries['n']} queries (target < 300 ms)"
        )


if __name__ == "__main__":
    main()
