"""``skp cascade check``: output and exit codes (0 clean, 1 errors, 2 bad input)."""

from __future__ import annotations

import json

from skp_app.planning.models import Iki, Rhk, Skp


def test_check_exits_1_when_the_cascade_has_errors(cascade_world, runner):
    result = runner.invoke(args=["cascade", "check", "--periode", "2026"])
    assert result.exit_code == 1, result.output
    assert "Pemeriksaan cascading periode 2026" in result.output
    assert "== Dinas Komunikasi dan Informatika" in result.output
    assert "ORPHAN_RHK · RHK utama tanpa induk [V1]" in result.output
    assert "[Galat]" in result.output and "Rina Marlina" in result.output


def test_check_exits_0_for_the_clean_pilot_opd(cascade_world, runner):
    opd = cascade_world.unit["bappeda"]
    result = runner.invoke(args=["cascade", "check", "--periode", "2026", "--opd", str(opd)])
    assert result.exit_code == 0, result.output
    assert "Badan Perencanaan Pembangunan Daerah" in result.output
    assert "tidak ada temuan" in result.output


def test_check_exits_0_when_only_warnings_remain(cascade_world, runner, session):
    w = cascade_world
    # Give the Kepala Bappeda a second RHK utama nobody intervenes: a warning, not an error.
    extra = Rhk(skp_id=w.skp["kaban"], jenis="utama", teks="Meningkatnya kualitas kajian")
    extra.parent_sasaran_id = w.goal["og_bappeda"]
    session.add(extra)
    session.flush()
    session.add(
        Iki(rhk_id=extra.id, aspek="kuantitas", teks="Jumlah kajian", target=2, satuan="Kajian")
    )
    session.commit()
    opd = w.unit["bappeda"]
    result = runner.invoke(
        args=["cascade", "check", "--periode", "2026", "--opd", str(opd), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == 0
    assert [f["code"] for f in data["findings"]] == ["UNCOVERED_PARENT"]


def test_check_json_lists_nodes_severity_owner_and_message(cascade_world, runner):
    w = cascade_world
    result = runner.invoke(args=["cascade", "check", "--periode", "2026", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["periode"] == 2026 and data["opd_id"] is None
    assert data["errors"] == data["summary"]["by_severity"]["error"] > 0
    orphan = next(f for f in data["findings"] if f["code"] == "ORPHAN_RHK")
    assert orphan == {
        "code": "ORPHAN_RHK",
        "severity": "error",
        "rule": "V3",
        "nodes": [f"rhk:{w.rhk['kadis_orphan']}"],
        "path": [],
        "owner_pegawai_id": w.peg["kadis"],
        "owner_name": "Agus Salim, S.T., M.T.",
        "opd_id": w.unit["kominfo"],
        "opd_nama": "Dinas Komunikasi dan Informatika",
        "title": "RHK utama tanpa induk",
        "message": orphan["message"],
    }
    assert "belum dikaitkan dengan sasaran OPD" in orphan["message"]


def test_unknown_periode_exits_2_with_a_precise_message(cascade_world, runner):
    result = runner.invoke(args=["cascade", "check", "--periode", "2031"])
    assert result.exit_code == 2
    assert "Periode 2031 tidak ditemukan (periode yang ada: 2025, 2026)." in result.output


def test_unknown_opd_exits_2(cascade_world, runner):
    result = runner.invoke(args=["cascade", "check", "--periode", "2026", "--opd", "999999"])
    assert result.exit_code == 2
    assert "OPD dengan id 999999 tidak ditemukan." in result.output


def test_a_unit_that_is_not_an_opd_exits_2(cascade_world, runner):
    pemda = cascade_world.unit["pemda"]
    result = runner.invoke(
        args=["cascade", "check", "--periode", "2026", "--opd", str(pemda), "--json"]
    )
    assert result.exit_code == 2
    first_line = result.output.splitlines()[0]
    assert json.loads(first_line)["error"] == "invalid_input"
    assert "bukan OPD" in result.output


def test_non_numeric_periode_is_a_usage_error(cascade_world, runner):
    result = runner.invoke(args=["cascade", "check", "--periode", "dua-ribu"])
    assert result.exit_code == 2


def test_closed_skps_are_not_checked(cascade_world, runner, session):
    w = cascade_world
    # Closing Rina's SKP (a transfer) removes her RHK from the check: PARENT_MISSING goes.
    skp = session.get(Skp, w.skp["rina"])
    skp.status, skp.is_current = "ditutup", False
    session.commit()
    result = runner.invoke(args=["cascade", "check", "--periode", "2026", "--json"])
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert "PARENT_MISSING" not in codes


def test_whole_periode_check_is_the_same_on_one_or_two_processes(
    cascade_world, runner, app, monkeypatch
):
    outputs = {}
    for workers in (1, 2):
        monkeypatch.setitem(app.config, "SKP_CASCADE_WORKERS", workers)
        result = runner.invoke(args=["cascade", "check", "--periode", "2026", "--json"])
        assert result.exit_code == 1, result.output
        outputs[workers] = json.loads(result.output)
    assert outputs[1] == outputs[2]
    assert any(f["owner_name"] == "Agus Salim, S.T., M.T." for f in outputs[2]["findings"])
