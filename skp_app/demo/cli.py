"""``skp demo``: build the demo regency (Pemerintah Kabupaten Sukamaju) into the database."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from skp_app.demo.generator import (
    DemoError,
    DemoSummary,
    build_demo,
    reset_database,
)
from skp_app.demo.structure import SIZES
from skp_app.extensions import db

_ROLE_LABELS = {
    "admin": "admin",
    "hr": "hr (BKPSDM)",
    "opd_operator": "opd_operator",
    "evaluator": "evaluator",
    "pimpinan": "pimpinan",
}
_SKP_LABELS = {
    "disetujui": "disetujui",
    "diajukan": "diajukan",
    "draft": "draf",
    "dikembalikan": "dikembalikan",
}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _s(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",") + " s"


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return ["  " + r.rstrip() for r in out]


def report(summary: DemoSummary) -> str:
    """Return the human-readable report of a build (Indonesian)."""
    c = summary.counts
    skp_parts = ", ".join(
        f"{label} {_n(c.get(f'skp_{key}', 0))}" for key, label in _SKP_LABELS.items()
    )
    lines = [
        f"Data demo {summary.instansi} (ukuran {summary.size}, seed {summary.seed}) selesai "
        f"dibangun dalam {_s(summary.timings.get('total', 0))}.",
        "",
        "Ringkasan:",
        f"  OPD {_n(c.get('opd', 0))} · unit organisasi {_n(c.get('unit_organisasi', 0))} · "
        f"jabatan {_n(c.get('jabatan', 0))} (kosong {_n(c.get('jabatan_kosong', 0))}, "
        f"Plt {_n(c.get('plt', 0))} pegawai)",
        f"  Pegawai {_n(c.get('pegawai', 0))} (PNS {_n(c.get('pns', 0))}, PPPK "
        f"{_n(c.get('pppk', 0))}, aktif {_n(c.get('pegawai_aktif', 0))}) · akun "
        f"{_n(c.get('users', 0))}",
        f"  Sasaran {_n(c.get('sasaran', 0))} · SKP 2026 {_n(c.get('skp', 0))} ({skp_parts}) · "
        f"wajib SKP tetapi belum punya {_n(c.get('pegawai_tanpa_skp', 0))}",
        f"  RHK {_n(c.get('rhk', 0))} · IKI {_n(c.get('iki', 0))}",
        f"  Realisasi Jan–Okt {_n(c.get('realisasi', 0))} · evaluasi triwulan "
        f"{_n(c.get('evaluasi', 0))} · kehadiran {_n(c.get('kehadiran', 0))} · aktivitas "
        f"{_n(c.get('aktivitas', 0))} ({_n(c.get('aktivitas_bertanda', 0))} bertanda) · "
        f"baris rekap TPP Oktober {_n(c.get('tpp_recap_line', 0))}",
        "",
        f"Akun demo (kata sandi semua akun: {summary.password}):",
    ]
    rows = [
        (a.username, ", ".join(_ROLE_LABELS.get(r, r) for r in a.role.split(", ")), a.description)
        for a in summary.accounts
    ]
    rows.append(("<NIP 18 digit>", "pegawai", "Setiap pegawai: nama pengguna = NIP / NI PPPK"))
    lines += _table(rows, ("Nama pengguna", "Peran", "Keterangan"))
    if summary.examples:
        lines += ["", "Contoh pegawai di OPD pilot (masuk dengan NIP sebagai nama pengguna):"]
        lines += _table(
            [(e.nip, e.nama, e.description, e.role, e.skp_status) for e in summary.examples],
            ("NIP", "Nama", "Jabatan", "Peran dalam contoh", "SKP 2026"),
        )
    if summary.defects:
        lines += ["", "Cacat cascading yang disengaja (harus ditemukan oleh pemeriksaan cascade):"]
        lines += _table(
            [
                (d.code, d.opd, f"{d.nama} ({d.nip})", f"RHK #{d.rhk_id}: {d.rhk_teks}")
                for d in summary.defects
            ],
            ("Kode", "OPD", "Pegawai", "RHK"),
        )
    lines += [
        "",
        "Waktu per tahap: "
        + " · ".join(f"{name} {_s(t)}" for name, t in summary.timings.items() if name != "total"),
    ]
    return "\n".join(lines)


@click.command(
    "demo",
    help="Bangun data demo Pemerintah Kabupaten Sukamaju (OPD, pegawai, "
    "akun, sasaran dan SKP) pada basis data kosong.",
)
@click.option(
    "--size",
    type=click.Choice(list(SIZES)),
    default="small",
    show_default=True,
    help="Ukuran: tiny ≈300, small ≈2.000, median ≈6.000, large ≈20.000 pegawai.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Benih acak; seed yang sama menghasilkan data yang sama.",
)
@click.option(
    "--reset",
    is_flag=True,
    help="Hapus SEMUA tabel lalu buat ulang (db.drop_all/create_all) sebelum membangun.",
)
@click.option("--json", "as_json", is_flag=True, help="Cetak ringkasan sebagai JSON.")
@with_appcontext
def cli(size: str, seed: int, reset: bool, as_json: bool) -> None:
    if reset:
        reset_database()
    try:
        summary = build_demo(db.session, size=size, seed=seed)
    except DemoError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report(summary))
