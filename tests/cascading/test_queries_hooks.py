"""The RHK-saved signal: planning sends it, cascading re-checks and flashes the findings."""

from __future__ import annotations

from flask import get_flashed_messages

from skp_app.cascading import hooks
from skp_app.planning.models import Rhk
from skp_app.planning.signals import rhk_saved


def test_receiver_is_connected_to_the_planning_signal(app):
    assert hooks.on_rhk_saved in [r for r in rhk_saved.receivers_for(app)]


def test_saving_a_faulty_rhk_flashes_its_findings(cascade_world, app, session):
    w = cascade_world
    with app.test_request_context("/skp/1/rhk/1/ubah", method="POST"):
        results = rhk_saved.send(app, rhk_ids=[w.rhk["rina_skip"]])
        flashes = get_flashed_messages(with_categories=True)
    found = results[0][1]
    assert {f.code for f in found} == {"PARENT_NOT_PENILAI", "LEVEL_SKIPPED"}
    assert ("danger", found[0].message) in [
        (c, m.removeprefix("Pemeriksaan cascading: ")) for c, m in flashes
    ]
    assert {c for c, _m in flashes} == {"danger", "warning"}
    assert all(m.startswith("Pemeriksaan cascading: ") for _c, m in flashes)


def test_only_findings_that_name_the_saved_rhk_are_flashed(cascade_world, app):
    w = cascade_world
    with app.test_request_context("/"):
        rhk_saved.send(app, rhk_ids=[w.rhk["kasi_jaringan"]])
        flashes = get_flashed_messages()
    # The duplicate between Rina and Agus sits below the Kasi's RHK but does not name it.
    assert flashes == []


def test_a_clean_rhk_flashes_nothing_and_many_findings_are_capped(cascade_world, app, session):
    w = cascade_world
    with app.test_request_context("/"):
        rhk_saved.send(app, rhk_ids=[w.rhk["perencana1_data"]])
        assert get_flashed_messages() == []
    # Break several RHK of the Kepala Bidang at once: at most MAX_FLASHES messages plus a count.
    for key in ("kabid_infra", "kabid_laporan", "kabid_noiki"):
        session.get(Rhk, w.rhk[key]).parent_rhk_id = w.rhk["kaban_dok"]  # another OPD's RHK
    session.flush()
    ids = [w.rhk[k] for k in ("kabid_infra", "kabid_laporan", "kabid_noiki")]
    with app.test_request_context("/"):
        rhk_saved.send(app, rhk_ids=ids)
        flashes = get_flashed_messages()
    assert len(flashes) == hooks.MAX_FLASHES + 1
    assert flashes[-1].startswith("… dan ") and "temuan cascading lain" in flashes[-1]
    session.rollback()


def test_a_failing_check_never_breaks_the_save(cascade_world, app, session):
    rhk = session.get(Rhk, cascade_world.rhk["rina_dup"])
    rhk.teks = "Terpeliharanya jaringan kantor cabang"
    session.flush()
    with app.test_request_context("/"):
        results = rhk_saved.send(app, rhk_ids=[999_999])  # unknown: the check raises
        assert get_flashed_messages() == []
    assert results[0][1] == []
    session.commit()  # the caller's unit of work is intact
    assert session.get(Rhk, rhk.id).teks == "Terpeliharanya jaringan kantor cabang"


def test_outside_a_request_the_receiver_only_returns_the_findings(cascade_world, app):
    results = rhk_saved.send(app, rhk_ids=[cascade_world.rhk["kabid_noiki"]])
    assert {f.code for f in results[0][1]} == {"NO_IKI", "UNCOVERED_PARENT"}
    assert hooks.on_rhk_saved(app, rhk_ids=[]) == []
