"""``skp demo`` through the CLI runner, logging in with the demo accounts, and the cascade check
finding exactly the deliberate defects."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from skp_app.auth.operations import hash_password
from skp_app.demo.generator import DEMO_PASSWORD, build_demo
from skp_app.org.models import Pegawai, UnitOrganisasi

_HASH = hash_password(DEMO_PASSWORD)


def test_cli_builds_the_tiny_regency_prints_accounts_and_refuses_a_second_run(runner, session):
    result = runner.invoke(args=["demo", "--size", "tiny", "--seed", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pemerintah Kabupaten Sukamaju" in out
    assert f"kata sandi semua akun: {DEMO_PASSWORD}" in out
    for username in ("admin", "bkpsdm", "operator.bappeda", "evaluator", "sekda"):
        assert username in out
    assert "ORPHAN_RHK" in out and "ACTIVITY_LANGUAGE" in out
    assert "Perencana Ahli Pertama" in out  # the example staff member of Bappeda
    assert session.query(Pegawai).count() > 200

    again = runner.invoke(args=["demo", "--size", "tiny"])
    assert again.exit_code != 0
    assert "sudah berisi data" in again.output
    assert "--reset" in again.output


def test_cli_reset_rebuilds_and_json_output(runner, session):
    first = runner.invoke(args=["demo", "--size", "tiny", "--seed", "3", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["size"] == "tiny" and data["password"] == DEMO_PASSWORD
    assert {d["code"] for d in data["defects"]} >= {"ORPHAN_RHK", "DUPLICATE_RHK"}
    session.commit()
    session.close()
    rebuilt = runner.invoke(args=["demo", "--size", "tiny", "--seed", "3", "--reset", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.output)["counts"]["pegawai"] == data["counts"]["pegawai"]
    assert session.query(Pegawai).count() == data["counts"]["pegawai"]


def test_cli_rejects_an_unknown_size(runner):
    result = runner.invoke(args=["demo", "--size", "raksasa"])
    assert result.exit_code != 0
    assert "raksasa" in result.output


def test_demo_accounts_log_in_with_the_demo_password(client, session):
    summary = build_demo(session, size="tiny", seed=5, password_hash=_HASH)
    session.commit()
    staff_nip = summary.examples[0].nip
    for login in ("admin", "bkpsdm", "operator.diskominfo", "evaluator", "sekda", staff_nip):
        resp = client.post("/login", data={"login": login, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, login
        client.post("/logout")
    spaced = f"{staff_nip[:8]} {staff_nip[8:14]} {staff_nip[14]} {staff_nip[15:]}"
    assert (
        client.post("/login", data={"login": spaced, "password": DEMO_PASSWORD}).status_code == 302
    )
    client.post("/logout")
    wrong = client.post("/login", data={"login": staff_nip, "password": "Salah12345"})
    assert wrong.status_code == 200
    retired = session.scalar(select(Pegawai).where(Pegawai.kedudukan_hukum_id == "99"))
    refused = client.post("/login", data={"login": retired.nip, "password": DEMO_PASSWORD})
    assert refused.status_code == 200  # a retired employee's account is disabled


def test_cascade_check_finds_every_deliberate_defect_and_bappeda_is_clean(session):
    queries = pytest.importorskip("skp_app.cascading.queries")
    summary = build_demo(session, size="tiny", seed=11, password_hash=_HASH)
    session.commit()
    _graph, findings = queries.cascade_for(session, 2026)
    by_code: dict[str, set[str]] = {}
    for f in findings:
        by_code.setdefault(f.code, set()).update(f.nodes)
    for defect in summary.defects:
        assert f"rhk:{defect.rhk_id}" in by_code.get(defect.code, set()), defect.code
    assert "TARGET_SUM_MISMATCH" not in by_code
    assert "CYCLE" not in by_code
    bappeda = session.scalar(select(UnitOrganisasi.id).where(UnitOrganisasi.singkatan == "Bappeda"))
    assert [f for f in findings if f.opd_id == bappeda] == []
