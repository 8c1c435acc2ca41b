"""``skp sync``: plan / apply / run with exit codes a scheduler can act on."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from skp_app.org.models import Pegawai
from skp_app.sync.models import SyncMapping, SyncRun
from tests.sync.helpers import DINKES, nip_for, siasn_row

GOOD = [
    siasn_row(nip_for(date(1985, 1, 1), (2010, 1), 1, 1), "BUDI SANTOSO", DINKES),
    siasn_row(nip_for(date(1987, 2, 2), (2011, 2), 2, 1), "SITI AMINAH", DINKES),
]
BAD = [*GOOD, siasn_row("1.98602E+17", "NIP RUSAK", DINKES)]


def test_plan_then_apply_with_json_and_exit_codes(runner, csv_file, session):
    path = csv_file(BAD)
    result = runner.invoke(args=["sync", "plan", "siasn-csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "planned" and data["counts"]["invalid"] == 1
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 0
    result = runner.invoke(args=["sync", "apply", str(data["id"])])
    assert result.exit_code == 3  # applied, with quarantined rows
    assert "diterapkan: new 2" in result.output
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 2
    assert path.exists()  # a server-side file named on the command line is never deleted
    again = runner.invoke(args=["sync", "apply", str(data["id"]), "--json"])
    assert again.exit_code == 1 and "sudah diterapkan" in again.output


def test_run_plans_and_applies_for_cron(runner, csv_file, session):
    result = runner.invoke(
        args=["sync", "run", "siasn-csv", str(csv_file(GOOD)), "--yes", "--partial"]
    )
    assert result.exit_code == 0, result.output
    run = session.scalar(select(SyncRun))
    assert run.status == "applied" and not run.full_export
    result = runner.invoke(args=["sync", "run", "siasn-csv", str(csv_file(GOOD)), "--yes"])
    assert result.exit_code == 0 and "tidak berubah 2" in result.output


def test_usage_errors_exit_2(runner, csv_file):
    path = str(csv_file(GOOD))
    assert runner.invoke(args=["sync", "run", "siasn-csv", path]).exit_code == 2
    assert runner.invoke(args=["sync", "plan", "simpeg-lokal"]).exit_code == 2
    assert runner.invoke(args=["sync", "plan", "siasn-csv"]).exit_code == 2
    assert runner.invoke(args=["sync", "plan", "tabular", path]).exit_code == 2
    assert runner.invoke(args=["sync", "plan", "tabular", path, "--mapping", "x"]).exit_code == 2
    assert runner.invoke(args=["sync", "apply", "4242"]).exit_code == 2


def test_an_unreadable_source_exits_1_with_the_reason(runner, tmp_path, session):
    path = tmp_path / "salah.csv"
    path.write_text("nomor;nama lengkap\n1;Budi\n", encoding="utf-8")
    result = runner.invoke(args=["sync", "plan", "siasn-csv", str(path)])
    assert result.exit_code == 1
    assert "kolom wajib tidak ada" in result.output
    assert session.scalar(select(SyncRun.status)) == "plan_failed"
    missing = runner.invoke(args=["sync", "plan", "siasn-csv", str(tmp_path / "tidak-ada.csv")])
    assert missing.exit_code == 1 and "tidak ditemukan" in missing.output


def test_tabular_with_a_saved_mapping(runner, tmp_path, session, make_unit):
    make_unit("Dinas Kesehatan")
    session.add(
        SyncMapping(name="dinkes", mapping={"nip": "NIP", "nama": "Nama", "unit_nama": "Unit"})
    )
    session.commit()
    path = tmp_path / "dinkes.csv"
    path.write_text(
        f"NIP,Nama,Unit\n{nip_for(date(1990, 1, 1), (2015, 1), 1, 1)},Rudi,Dinas Kesehatan\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=[
            "sync",
            "run",
            "tabular",
            str(path),
            "--mapping",
            "dinkes",
            "--partial",
            "--yes",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["applied_counts"] == {"new": 1}
    listing = runner.invoke(args=["sync", "list"])
    assert "tabular" in listing.output and "applied" in listing.output
