"""Fingerprints: an unchanged rerun skips the rows it found unchanged before, and only those.

A row is skipped when it is byte for byte the row last found unchanged (or applied) for its
employee, and the employee's database row — compared columns, external id, unit and position
— is as it was then. Anything else goes through the full comparison.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from skp_app.org.models import Jabatan, Pegawai
from skp_app.sync.adapters.mapping import RecordBuilder
from skp_app.sync.models import SyncFingerprint
from tests.sync.test_engine_plan import (
    NIP_DOKTER,
    NIP_STAF,
    base_rows,
    changes,
    plan_csv,
    quarantine,
    sync_csv,
)


@pytest.fixture
def builds(monkeypatch):
    """Count the source rows turned into records (the work a fingerprint saves)."""
    calls = {"n": 0}
    real = RecordBuilder.build

    def counting(self, *args, **kwargs):
        calls["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RecordBuilder, "build", counting)
    return calls


@pytest.fixture
def synced(session, csv_file):
    """The five employees of the base export, planned and applied once."""
    sync_csv(session, csv_file(base_rows()))
    return base_rows()


def _fingerprints(session):
    return session.scalar(select(func.count()).select_from(SyncFingerprint))


def test_applied_rows_are_fingerprinted_and_an_unchanged_rerun_skips_them(
    session, csv_file, synced, builds
):
    assert _fingerprints(session) == 5
    run = plan_csv(session, csv_file(synced))
    assert builds["n"] == 0
    assert run.counts["unchanged"] == 5 and run.pending_changes == 0
    assert run.counts["records"] == 5


def test_a_changed_row_is_compared_in_full(session, csv_file, synced, builds):
    rows = synced
    rows[4]["gol_akhir_id"] = "34"  # the doctor is promoted
    run = plan_csv(session, csv_file(rows))
    assert builds["n"] == 1
    (c,) = changes(session, run, entity="pegawai")
    assert c.nip == NIP_DOKTER and "golongan_id" in c.diff
    assert run.counts["unchanged"] == 4


def test_an_employee_edited_in_the_application_is_compared_again(session, csv_file, synced, builds):
    staf = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_STAF))
    staf.nama = "Agus Prasetyo (salah ketik)"
    session.commit()
    run = plan_csv(session, csv_file(synced))
    assert builds["n"] == 1
    (c,) = changes(session, run, entity="pegawai")
    assert c.nip == NIP_STAF and c.diff["nama"] == ["Agus Prasetyo (salah ketik)", "AGUS PRASETYO"]


def test_a_position_renamed_in_the_application_is_compared_again(session, csv_file, synced, builds):
    dokter = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_DOKTER))
    session.get(Jabatan, dokter.jabatan_id).nama = "Dokter Spesialis"
    session.commit()
    run = plan_csv(session, csv_file(synced))
    assert builds["n"] == 1
    (c,) = changes(session, run, entity="pegawai")
    assert c.nip == NIP_DOKTER and c.diff["jabatan"] == ["Dokter Spesialis", "DOKTER AHLI MUDA"]


def test_a_fingerprinted_row_repeated_later_is_quarantined_with_its_twin(
    session, csv_file, synced, builds
):
    rows = [*synced, dict(synced[2])]  # the staff row again at the end of the file
    run = plan_csv(session, csv_file(rows), batch_size=2)
    assert [(q.row_number, q.reason_code) for q in quarantine(session, run)] == [
        (4, "nip_duplicate"),
        (7, "nip_duplicate"),
    ]
    assert run.counts["unchanged"] == 4 and run.pending_changes == 0


def test_rows_found_unchanged_without_a_fingerprint_get_one(session, csv_file, synced, builds):
    session.execute(delete(SyncFingerprint))
    session.commit()
    plan_csv(session, csv_file(synced))
    assert builds["n"] == 5 and _fingerprints(session) == 5
    builds["n"] = 0
    plan_csv(session, csv_file(synced))
    assert builds["n"] == 0


def test_a_source_naming_superiors_is_always_compared_in_full(session, csv_file):
    from skp_app.sync import engine
    from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter

    # A superior can change without the employee's own row changing (the superior moves), so
    # a source that names superiors is never skipped.
    adapter = SiasnCsvAdapter(csv_file(base_rows()))
    adapter.fields = frozenset({*adapter.fields, "atasan_nip"})
    run = engine.plan(session, adapter, full_export=True, actor="t")
    engine.apply(session, run, actor="t")
    assert _fingerprints(session) == 0
