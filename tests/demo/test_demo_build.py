"""The demo regency: realistic, internally consistent personnel and a clean cascade with a few
deliberate defects (built at the reduced "tiny" size for speed)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from skp_app.auth.models import RoleAssignment, User
from skp_app.auth.operations import hash_password
from skp_app.demo.generator import (
    DEMO_PASSWORD,
    DemoError,
    build_demo,
    plan_personnel,
)
from skp_app.org.models import Jabatan, Pegawai, PegawaiExternalId, UnitOrganisasi
from skp_app.org.nip import parse_nip
from skp_app.org.queries import superior_map
from skp_app.org.reference import GOLONGAN
from skp_app.planning.models import (
    Iki,
    IndikatorSasaran,
    IndikatorTarget,
    PerilakuExpectation,
    Periode,
    Rhk,
    Sasaran,
    Skp,
    SkpVersion,
)

SEED = 7
_HASH = hash_password(DEMO_PASSWORD)  # hashing is slow: once for the module
DEFECT_CODES = {
    "ORPHAN_RHK",
    "PARENT_NOT_PENILAI",
    "UNCOVERED_PARENT",
    "DUPLICATE_RHK",
    "ACTIVITY_LANGUAGE",
}


@pytest.fixture
def demo(session):
    summary = build_demo(session, size="tiny", seed=SEED, password_hash=_HASH)
    session.commit()
    return summary


def _defect_rhk(summary, code: str) -> set[int]:
    return {d.rhk_id for d in summary.defects if d.code == code}


def test_tiny_regency_builds_with_accounts_examples_and_documented_defects(demo, session):
    counts = demo.counts
    assert 200 <= counts["pegawai"] <= 400
    assert counts["opd"] >= 10
    assert counts["skp"] > 0 and counts["rhk"] >= 2 * counts["skp"]
    assert counts["iki"] >= 3 * counts["rhk"] - 10
    assert counts["perilaku_expectation"] == 7 * counts["skp"]
    usernames = {a.username for a in demo.accounts}
    assert {
        "admin",
        "bkpsdm",
        "evaluator",
        "sekda",
        "operator.bappeda",
        "operator.bkpsdm",
        "operator.diskominfo",
        "operator.inspektorat",
    } <= usernames
    assert {d.code for d in demo.defects} == DEFECT_CODES
    assert [e.role for e in demo.examples] == [
        "Staf (pelaksana/fungsional)",
        "Atasan langsung (Kasubbid)",
        "Atasan dari atasan (Kabid)",
    ]
    assert session.scalar(select(Pegawai.id).where(Pegawai.nip == demo.examples[0].nip))
    pilots = session.scalars(
        select(UnitOrganisasi.singkatan).where(
            UnitOrganisasi.is_pilot.is_(True), UnitOrganisasi.is_opd.is_(True)
        )
    ).all()
    assert sorted(pilots) == ["BKPSDM", "Bappeda", "Diskominfo", "Inspektorat"]
    operator = session.scalar(select(User).where(User.username == "operator.bappeda"))
    bappeda = session.scalar(select(UnitOrganisasi).where(UnitOrganisasi.singkatan == "Bappeda"))
    assert operator.scope_units("opd_operator") == {bappeda.id}
    sekda_user = session.scalar(select(User).where(User.username == "sekda"))
    assert sekda_user.has_role("pimpinan") and sekda_user.pegawai_id is not None
    assert session.query(RoleAssignment).count() == len(demo.accounts)


def test_building_twice_is_refused_with_a_clear_message(demo, session):
    with pytest.raises(DemoError, match="sudah berisi data"):
        build_demo(session, size="tiny", seed=SEED, password_hash=_HASH)
    with pytest.raises(DemoError, match="tidak dikenal"):
        build_demo(session, size="huge", seed=SEED)


def test_every_nip_validates_and_agrees_with_gender_birth_date_and_tmt(demo, session):
    rows = session.scalars(select(Pegawai)).all()
    asn = [p for p in rows if p.jenis_asn in ("PNS", "PPPK")]
    assert asn and len({p.nip for p in asn}) == len(asn)
    for p in asn:
        info = parse_nip(p.nip, pppk=p.jenis_asn == "PPPK")
        assert info.gender == p.jenis_kelamin, p.nip
        assert info.birth_date == p.tanggal_lahir, p.nip
        assert 1966 <= p.tanggal_lahir.year <= 2000
        if p.jenis_asn == "PNS":
            assert info.tmt_cpns == p.tmt_cpns
            age_at_tmt = p.tmt_cpns.year - p.tanggal_lahir.year
            assert 22 <= age_at_tmt <= 35, p.nip
            assert p.tmt_cpns <= date(2025, 12, 1)
        else:
            assert 1 <= info.contract_count <= 3
    bupati = [p for p in rows if p.jenis_asn == "PEJABAT"]
    assert len(bupati) == 1 and bupati[0].nip is None and bupati[0].kedudukan_hukum_id == "PN"
    assert 0.05 < sum(p.jenis_asn == "PPPK" for p in asn) / len(asn) < 0.25
    ext = session.scalars(select(PegawaiExternalId)).all()
    assert len(ext) == len(asn)
    assert all(e.source == "siasn" and len(e.external_id) == 32 for e in ext)
    assert all(int(e.external_id, 16) >= 0 for e in ext)


def test_golongan_are_real_and_fit_the_position(demo, session):
    rows = session.execute(
        select(Pegawai, Jabatan).join(Jabatan, Pegawai.jabatan_id == Jabatan.id)
    ).all()
    for p, j in rows:
        if p.jenis_asn == "PPPK":
            assert p.golongan_id is None and p.golongan_pppk in {"V", "VII", "IX", "X", "XI"}
            continue
        if p.jenis_asn != "PNS":
            continue
        assert p.golongan_id in GOLONGAN
        if j.jenis == "jpt_pratama":
            assert 42 <= p.golongan_id <= 44, (j.nama, p.golongan_id)  # IV/b–IV/d
        elif j.jenis == "administrator":
            assert 34 <= p.golongan_id <= 42, (j.nama, p.golongan_id)
        elif j.jenis == "pengawas":
            assert 32 <= p.golongan_id <= 41, (j.nama, p.golongan_id)
        elif j.jenis == "pelaksana":
            assert p.golongan_id <= 34
        if j.jenjang == "PT":
            assert p.golongan_id in (31, 32)
        elif j.jenjang == "MU":
            assert p.golongan_id in (33, 34)
        if j.jenis in ("jpt_pratama", "administrator", "pengawas") or j.jenjang in (
            "PT",
            "MU",
            "MA",
        ):
            assert p.gelar_belakang or p.gelar_depan, p.nama  # a graduate carries a title


def test_every_pegawai_with_a_jabatan_sits_in_its_unit_and_opd_tree_is_consistent(demo, session):
    rows = session.execute(
        select(Pegawai.unit_id, Jabatan.unit_id).join(Jabatan, Pegawai.jabatan_id == Jabatan.id)
    ).all()
    assert rows and all(pu == ju for pu, ju in rows)
    units = {u.id: u for u in session.scalars(select(UnitOrganisasi))}
    for u in units.values():
        if u.is_opd:
            assert u.opd_id == u.id
        elif u.jenis != "pemda":
            assert u.opd_id is not None and units[u.parent_id].opd_id in (u.opd_id, None)


def test_superior_map_gives_everyone_but_the_bupati_a_superior(demo, session):
    sup = superior_map(session)
    people = {p.id: p for p in session.scalars(select(Pegawai))}
    jabatan = {j.id: j for j in session.scalars(select(Jabatan))}
    tops = [pid for pid, s in sup.items() if s is None]
    assert [people[pid].jenis_asn for pid in tops] == ["PEJABAT"]
    sekda = next(p for p in people.values() if jabatan[p.jabatan_id].nama == "Sekretaris Daerah")
    assert sup[sekda.id] == tops[0]
    for p in people.values():
        j = jabatan[p.jabatan_id]
        if j.jenis == "jpt_pratama" and j.is_kepala_unit and p.id != sekda.id:
            assert sup[p.id] == sekda.id, j.nama
    plt = [p for p in people.values() if p.atasan_override_id is not None]
    assert plt and {p.atasan_override_jenis for p in plt} == {"plt"}
    assert all(sup[p.id] == p.atasan_override_id != p.id for p in plt)
    assert any(
        jabatan[j].kebutuhan >= 1
        and not any(p.jabatan_id == j and p.kedudukan_hukum_id == "01" for p in people.values())
        for j in jabatan
    )  # a few head positions are vacant


def test_rhk_utama_of_non_jpt_intervene_an_rhk_of_the_pejabat_penilai(demo, session):
    skps = {s.id: s for s in session.scalars(select(Skp))}
    rhks = {r.id: r for r in session.scalars(select(Rhk))}
    sup = superior_map(session)
    orphans = _defect_rhk(demo, "ORPHAN_RHK")
    wrong = _defect_rhk(demo, "PARENT_NOT_PENILAI")
    assert len(orphans) == 1 and len(wrong) == 1
    checked = 0
    for skp in skps.values():
        assert skp.penilai_pegawai_id == sup[skp.pegawai_id]
        for r in (r for r in rhks.values() if r.skp_id == skp.id and r.jenis == "utama"):
            if skp.is_jpt:
                assert r.perspektif
                assert r.parent_sasaran_id is not None or r.parent_rhk_id is not None
                continue
            if r.id in orphans:
                assert r.parent_rhk_id is None
                continue
            assert r.parent_rhk_id is not None, r.teks
            owner = skps[rhks[r.parent_rhk_id].skp_id].pegawai_id
            if r.id in wrong:
                assert owner != skp.penilai_pegawai_id
            else:
                assert owner == skp.penilai_pegawai_id, r.teks
            checked += 1
    assert checked > 100


def test_cascade_is_covered_direct_targets_add_up_and_texts_differ_under_one_parent(demo, session):
    rhks = {r.id: r for r in session.scalars(select(Rhk))}
    iki = defaultdict(list)
    for i in session.scalars(select(Iki).order_by(Iki.rhk_id, Iki.urutan)):
        iki[i.rhk_id].append(i)
    children = defaultdict(list)
    for r in rhks.values():
        if r.parent_rhk_id:
            children[r.parent_rhk_id].append(r)
        assert [i.aspek for i in iki[r.id]] == ["kuantitas", "kualitas", "waktu"]
        assert all(i.target is not None and i.target > 0 for i in iki[r.id])
    direct_parents = [
        p for p, kids in children.items() if any(k.cascading == "direct" for k in kids)
    ]
    assert direct_parents
    for pid in direct_parents:
        quantity = iki[pid][0]
        total = sum(
            (iki[k.id][0].target for k in children[pid] if k.cascading == "direct"), Decimal(0)
        )
        assert quantity.target == total, rhks[pid].teks
        assert {iki[k.id][0].satuan for k in children[pid] if k.cascading == "direct"} == {
            quantity.satuan
        }
    duplicates = _defect_rhk(demo, "DUPLICATE_RHK")
    for pid, kids in children.items():
        texts = [" ".join(k.teks.casefold().split()) for k in kids if k.id not in duplicates]
        assert len(texts) == len(set(texts)), rhks[pid].teks
    activity = _defect_rhk(demo, "ACTIVITY_LANGUAGE")
    assert [rhks[a].teks.split()[0] for a in activity] == ["Melaksanakan"]
    assert all(r.teks.split()[0] != "Melaksanakan" for r in rhks.values() if r.id not in activity)
    # Every RHK utama of a pejabat penilai is intervened by a subordinate, but the deliberate one.
    skps = session.scalars(select(Skp)).all()
    linked = {r.skp_id for r in rhks.values() if r.parent_rhk_id is not None}
    raters = {s.penilai_pegawai_id for s in skps if not s.is_jpt or s.id in linked}
    owner = {s.id: s.pegawai_id for s in skps}
    uncovered = _defect_rhk(demo, "UNCOVERED_PARENT")
    assert len(uncovered) == 1
    for r in rhks.values():
        if r.jenis == "utama" and owner[r.skp_id] in raters:
            assert bool(children[r.id]) is (r.id not in uncovered), r.teks


def test_goals_periods_and_skp_statuses(demo, session):
    periods = {p.tahun: p.is_open for p in session.scalars(select(Periode))}
    assert periods == {2025: False, 2026: True}
    regent = session.scalars(select(Sasaran).where(Sasaran.level == "regent")).all()
    assert [g.jenis for g in regent].count("visi") == 1
    assert [g.jenis for g in regent].count("misi") == 3
    sasaran = [g for g in regent if g.jenis == "sasaran"]
    assert 8 <= len(sasaran) <= 10
    ipm = session.scalar(
        select(IndikatorSasaran).where(
            IndikatorSasaran.teks == "Indeks Pembangunan Manusia", IndikatorSasaran.is_iku.is_(True)
        )
    )
    targets = {
        t.tahun: t.target
        for t in session.scalars(
            select(IndikatorTarget).where(IndikatorTarget.indikator_id == ipm.id)
        )
    }
    assert sorted(targets) == [2025, 2026, 2027, 2028, 2029]
    assert targets[2025] == Decimal("72.50") and targets[2029] > targets[2025]
    opd_goals = session.scalars(select(Sasaran).where(Sasaran.level == "opd")).all()
    per_opd = defaultdict(int)
    regent_ids = {g.id for g in sasaran}
    for g in opd_goals:
        per_opd[g.opd_id] += 1
        assert g.supports_id in regent_ids
    assert all(2 <= n <= 4 for n in per_opd.values())
    skps = session.scalars(select(Skp)).all()
    units = {u.id: u for u in session.scalars(select(UnitOrganisasi))}
    statuses = {s.status for s in skps}
    assert {"disetujui", "diajukan", "draft", "dikembalikan"} <= statuses
    pilot = [s for s in skps if units[s.opd_id].is_pilot]
    assert sum(s.status == "disetujui" for s in pilot) / len(pilot) > 0.6
    approved = [s for s in skps if s.status == "disetujui"]
    versions = {v.skp_id: v for v in session.scalars(select(SkpVersion))}
    assert set(versions) == {s.id for s in approved}
    sample = approved[0]
    assert sample.pegawai_snapshot["nip"] and sample.approved_at is not None
    assert versions[sample.id].content["rhk"] and versions[sample.id].content["pegawai"]
    assert session.query(PerilakuExpectation).count() == 7 * len(skps)
    must = [p for p in session.scalars(select(Pegawai)) if p.must_have_skp]
    without = len(must) - len({s.pegawai_id for s in skps})
    assert without == demo.counts["pegawai_tanpa_skp"]
    assert 0 < without / len(must) < 0.1


def test_same_seed_gives_the_same_people_and_the_database_matches(demo, session):
    _, first = plan_personnel("tiny", SEED)
    _, again = plan_personnel("tiny", SEED)
    _, other = plan_personnel("tiny", SEED + 1)
    key = [(p.nip, p.nama, p.gelar_depan, p.gelar_belakang) for p in first]
    assert key == [(p.nip, p.nama, p.gelar_depan, p.gelar_belakang) for p in again]
    assert key != [(p.nip, p.nama, p.gelar_depan, p.gelar_belakang) for p in other]
    stored = session.execute(select(Pegawai.id, Pegawai.nip, Pegawai.nama)).all()
    assert sorted(stored) == sorted((p.id, p.nip, p.nama) for p in first)


def test_all_sizes_plan_valid_nips_and_the_expected_number_of_people():
    expected = {"small": (1700, 2400), "median": (5200, 7000)}
    for size, (low, high) in expected.items():
        _, people = plan_personnel(size, 1)
        assert low <= len(people) <= high, size
        for p in people:
            if p.nip:
                assert parse_nip(p.nip, pppk=p.jenis_asn == "PPPK").gender == p.jenis_kelamin


def test_rows_added_after_the_demo_get_fresh_ids(demo, session, make_pegawai):
    from skp_app.auth.operations import create_user

    unit = session.scalar(select(UnitOrganisasi).where(UnitOrganisasi.singkatan == "Bappeda"))
    pegawai = make_pegawai(nama="Rina Marlina", unit=unit, gender=2)
    user = create_user(session, "operator.baru", "Rahasia123", password_hash=_HASH)
    session.commit()
    assert pegawai.id > demo.counts["pegawai"]
    assert user.id > demo.counts["users"]
