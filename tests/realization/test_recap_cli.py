"""``skp recap``: synchronous recap with exports, precise errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from skp_app.realization import tpp_recap as rc
from skp_app.realization.models import TppRecap
from skp_app.realization.tpp import PRESET_DEFAULT
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN

kominfo = evaluasi_fixtures.kominfo


@pytest.fixture
def policy(session, kominfo):
    rc.save_policy_version(
        session,
        kominfo.instansi,
        policy_data=PRESET_DEFAULT.to_dict(),
        pagu_per_kelas={"8": 4_500_000, "11": 7_000_000, "14": 12_000_000},
        berlaku_mulai=date(TAHUN, 1, 1),
        actor=kominfo.users.hr,
    )
    session.commit()


def _recaps(session) -> int:
    return session.scalar(select(func.count()).select_from(TppRecap))


def test_recap_prints_json_and_stores_the_recap(runner, session, kominfo, policy):
    result = runner.invoke(args=["recap", "--bulan", f"{TAHUN}-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["tahun"] == TAHUN and payload["bulan"] == 3
    assert len(payload["baris"]) == 5
    assert {b["NIP"] for b in payload["baris"]} >= {kominfo.budi.nip, kominfo.dewi.nip}
    assert "Rekap TPP Maret 2026: 5 pegawai" in result.stderr
    assert _recaps(session) == 1


def test_recap_writes_csv_for_one_opd(runner, session, kominfo, policy, tmp_path):
    target = tmp_path / "rekap.csv"
    result = runner.invoke(
        args=[
            "recap",
            "--bulan",
            f"{TAHUN}-03",
            "--opd",
            str(kominfo.dinas.id),
            "--output",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["NIP", "Nama"] and len(rows) == 5  # header + 4 Diskominfo staff
    assert kominfo.outsider.nip not in {r[0] for r in rows}
    assert f"ditulis ke {target}" in result.stderr


def test_recap_xlsx_needs_an_output_file(runner, session, kominfo, policy, tmp_path):
    result = runner.invoke(args=["recap", "--bulan", f"{TAHUN}-03", "--format", "xlsx"])
    assert result.exit_code == 2
    assert "Format xlsx memerlukan --output PATH" in result.output
    target = tmp_path / "rekap.xlsx"
    result = runner.invoke(
        args=["recap", "--bulan", f"{TAHUN}-03", "--format", "xlsx", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    assert sheet.cell(row=3, column=1).value == "NIP"
    assert sheet.max_row == 3 + 5


@pytest.mark.parametrize(
    ("bulan", "message"),
    [
        ("2026-13", "bulan harus 01–12"),
        ("Maret 2026", "gunakan format YYYY-MM"),
        ("2026/03", "gunakan format YYYY-MM"),
        ("2100-01", "Januari 2100 belum dimulai"),
    ],
)
def test_bad_bulan_exits_2_with_a_precise_message(runner, session, kominfo, policy, bulan, message):
    result = runner.invoke(args=["recap", "--bulan", bulan])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "--bulan" in result.output
    assert _recaps(session) == 0


def test_unknown_opd_exits_2(runner, session, kominfo, policy):
    result = runner.invoke(args=["recap", "--bulan", f"{TAHUN}-03", "--opd", "999"])
    assert result.exit_code == 2
    assert "OPD dengan id 999 tidak ditemukan" in result.output and "--opd" in result.output


def test_recap_without_policy_exits_1(runner, session, kominfo):
    result = runner.invoke(args=["recap", "--bulan", f"{TAHUN}-03"])
    assert result.exit_code == 1
    assert "Belum ada kebijakan TPP yang berlaku untuk Maret 2026" in result.output
    assert _recaps(session) == 0


def test_missing_bulan_is_a_usage_error(runner, session, kominfo, policy):
    result = runner.invoke(args=["recap"])
    assert result.exit_code == 2
    assert "--bulan" in result.output
