"""The bulk writer of the sync (skp_app.sync.bulk) and the record parser's memo."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, text

from skp_app.audit.models import AuditEvent
from skp_app.sync.adapters.mapping import SIASN_CSV_MAPPING, RecordBuilder
from skp_app.sync.bulk import (
    bulk_insert,
    commit_batch,
    execute_in,
    is_postgres,
    record_audit,
    reserve_ids,
    select_in,
    update_many,
)
from skp_app.sync.models import SyncFingerprint, SyncRun


def _event(**values) -> dict:
    return {
        "occurred_at": datetime(2026, 1, 5, 8, 30),
        "actor_label": "sinkronisasi",
        "action": "pegawai.sync_update",
        "object_type": "pegawai",
        "object_id": "7",
        **values,
    }


def test_bulk_rows_read_back_as_the_json_values_written(session):
    after = {
        "nama": "Ni Luh Putu Ayu Wédari, S.Kom.",
        "tanggal_lahir": date(1990, 2, 16),
        "tpp": Decimal("1250000.50"),
        "kode": {"01"},
        7: "kunci angka",
        "pecahan": (1, 2),
        "besar": 2**70,  # beyond the 64 bits orjson writes: the standard encoder takes over
        "kosong": None,
    }
    bulk_insert(session, AuditEvent.__table__, [_event(before={}, after=after)])
    session.commit()
    stored = session.scalars(select(AuditEvent)).one()
    assert stored.before == {}
    assert stored.after == {
        "nama": "Ni Luh Putu Ayu Wédari, S.Kom.",
        "tanggal_lahir": "1990-02-16",
        "tpp": "1250000.50",
        "kode": ["01"],
        "7": "kunci angka",
        "pecahan": [1, 2],
        "besar": 2**70,
        "kosong": None,
    }


def test_each_row_is_announced_once_in_order_before_it_is_written(session):
    seen = []
    rows = [_event(object_id=str(i), summary=f"Pegawai {i}") for i in range(5)]
    record_audit(session, rows[:0], actor="sinkronisasi")  # nothing to write, nothing called
    bulk_insert(session, AuditEvent.__table__, rows, each=seen.append)
    session.commit()
    assert seen == [0, 1, 2, 3, 4]
    assert session.scalars(select(AuditEvent.object_id).order_by(AuditEvent.id)).all() == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]


def test_a_batch_commit_is_a_commit_and_leaves_the_durability_setting_alone(session):
    if is_postgres(session):
        before = session.execute(text("SHOW synchronous_commit")).scalar()
    run = SyncRun(source="siasn-csv", full_export=True, params={})
    session.add(run)
    commit_batch(session)
    session.rollback()
    assert session.get(SyncRun, run.id) is not None
    if is_postgres(session):
        assert session.execute(text("SHOW synchronous_commit")).scalar() == before


def test_the_parser_memo_never_keeps_an_invalid_date_or_hides_its_message():
    keys = list(SIASN_CSV_MAPPING.values())
    keys = [k for k in keys if isinstance(k, str)]
    index = {k: i for i, k in enumerate(keys)}
    builder = RecordBuilder(SIASN_CSV_MAPPING, index)

    def row(tanggal_lahir: str) -> list[str]:
        cells = [""] * len(keys)
        cells[index["nip_baru"]] = "199002162015032001"
        cells[index["nama"]] = "DEWI LESTARI"
        cells[index["tanggal_lahir"]] = tanggal_lahir
        cells[index["gol_akhir_id"]] = "32"
        cells[index["kedudukan_hukum_id"]] = "1"
        return cells

    for _ in range(2):
        bad = builder.build(2, "baris 2", {}, row("31-02-1990"))
        assert bad.tanggal_lahir is None
        assert bad.problems == [
            ("date_invalid", "Tanggal lahir '31-02-1990' bukan tanggal yang valid.")
        ]
        good = builder.build(3, "baris 3", {}, row("16-02-1990"))
        assert good.tanggal_lahir == date(1990, 2, 16)
        assert (good.golongan_id, good.kedudukan_hukum_id, good.problems) == (32, "01", [])


def test_lookups_find_keys_with_quotes_backslashes_commas_and_braces(session):
    keys = ['19900216"2015', "a\\b", "c,d", "{e}", "f g", "NULL", ""]
    bulk_insert(
        session,
        SyncFingerprint.__table__,
        [
            {"source": "tabular", "nip": k, "row_digest": i, "db_digest": -i}
            for i, k in enumerate(keys)
        ],
    )
    found = select_in(
        session, SyncFingerprint.__table__, ["nip"], "nip", keys, where={"source": "tabular"}
    )
    assert sorted(r[0] for r in found) == sorted(keys)
    ids = select_in(session, SyncFingerprint.__table__, ["nip"], "row_digest", [0, 2, 99])
    assert sorted(r[0] for r in ids) == sorted([keys[0], keys[2]])
    execute_in(
        session, "DELETE FROM sync_fingerprints WHERE source = ? AND nip IN", ("tabular",), keys[:3]
    )
    left = select_in(session, SyncFingerprint.__table__, ["nip"], "nip", keys)
    assert sorted(r[0] for r in left) == sorted(keys[3:])


def test_updates_set_texts_with_quotes_backslashes_and_nulls_row_by_row(session):
    summaries = ['kata "kutip"', "garis\\miring", "koma, {kurung}", "NULL", "", "baris\nbaru"]
    bulk_insert(
        session,
        AuditEvent.__table__,
        [_event(object_id=str(i), summary="lama", after={"n": i}) for i in range(len(summaries))],
    )
    ids = {e.object_id: e.id for e in session.scalars(select(AuditEvent))}
    update_many(
        session,
        AuditEvent.__table__,
        "id",
        [
            {"id": ids[str(i)], "summary": s, "after": None if i % 2 else {"kata": s}}
            for i, s in enumerate(summaries)
        ],
        where={"source": "web"},
    )
    session.commit()
    session.expire_all()
    rows = {e.object_id: e for e in session.scalars(select(AuditEvent))}
    assert [rows[str(i)].summary for i in range(len(summaries))] == summaries
    assert [rows[str(i)].after for i in range(len(summaries))] == [
        None if i % 2 else {"kata": s} for i, s in enumerate(summaries)
    ]


def test_reserved_ids_are_new_and_distinct_and_the_sequence_never_repeats_them(
    session, make_pegawai
):
    from skp_app.org.models import Pegawai

    existing = make_pegawai().id
    session.commit()
    first = reserve_ids(session, Pegawai.__table__, 3)
    assert len(set(first)) == 3 and min(first) > existing
    assert reserve_ids(session, Pegawai.__table__, 0) == []
    if is_postgres(session):  # SQLite hands out max(id) + 1… inside its writing transaction
        second = reserve_ids(session, Pegawai.__table__, 2)
        assert min(second) > max(first)
    session.rollback()


def test_audit_events_written_in_bulk_equal_those_of_record_many(session, make_user):
    from skp_app.audit.operations import record_many

    hr = make_user("bkpsdm.hr", roles=[("hr", None)])
    session.commit()
    events = [
        {
            "action": "pegawai.sync_create",
            "object_type": "pegawai",
            "object_id": 41,
            "after": {"nip": "198707142019022001", "nama": "Siti Rahayu", "tmt": date(2019, 2, 1)},
            "summary": "Pegawai Siti Rahayu ditambahkan (sinkronisasi #3)",
        },
        {
            "action": "pegawai.sync_update",
            "object_type": "pegawai",
            "object_id": "42",
            "before": {"nama": "Budi"},
            "after": {"nama": "Budi Santoso"},
            "summary": "x" * 600,  # cut to the column's 500 characters, as record_many does
        },
    ]
    record_audit(session, events, actor=hr, source="sync")
    record_many(session, events, actor=hr, source="sync")
    session.commit()

    def shown(e: AuditEvent) -> tuple:
        return (
            e.actor_user_id,
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.summary,
            e.before,
            e.after,
            e.source,
            e.ip,
        )

    stored = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "pegawai").order_by(AuditEvent.id)
    ).all()
    assert len(stored) == 4
    assert [shown(e) for e in stored[:2]] == [shown(e) for e in stored[2:]]
    assert stored[0].actor_user_id == hr.id and stored[0].after["tmt"] == "2019-02-01"
