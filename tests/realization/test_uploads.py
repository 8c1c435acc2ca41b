"""Evidence uploads: checked by content, refused with clear Indonesian messages, stored
EXIF-free under random names, served only to the people who may see them."""

from __future__ import annotations

import doctest
import io
import struct
import zlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from skp_app.realization import uploads as uploads_module
from skp_app.realization.models import Bukti
from skp_app.realization.operations import record_realization, today_wib
from skp_app.realization.uploads import (
    UploadError,
    UploadLimits,
    clean_filename,
    evidence_path,
    haversine_m,
    nearest_office,
    store_upload,
    validate_link,
)
from tests.realization.realisasi_fixtures import (
    TAHUN,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    rworld_fixture,  # noqa: F401
)


@pytest.fixture
def limits(tmp_path) -> UploadLimits:
    return UploadLimits(upload_dir=tmp_path / "unggahan")


def huge_png(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 1-bit PNG of ``width × height`` pixels, built row by row (about 50 KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- pure checks -----------------------------------------------------------------------------


def test_module_doctests_pass():
    assert doctest.testmod(uploads_module).failed == 0


def test_photo_is_reencoded_without_exif_after_reading_capture_time_and_gps(limits):
    data = jpeg_bytes((800, 600), taken="2026:03:04 09:15:30", gps=(-6.917464, 107.619123))
    assert Image.open(io.BytesIO(data)).getexif()  # the upload does carry EXIF
    stored = store_upload(io.BytesIO(data), "IMG_2026.JPG", limits)

    assert stored.kind == "image" and stored.mime == "image/jpeg"
    assert stored.captured_at == datetime(2026, 3, 4, 9, 15, 30)
    assert abs(float(stored.gps_lat) - -6.917464) < 1e-4
    assert abs(float(stored.gps_lon) - 107.619123) < 1e-4
    path = evidence_path(limits.upload_dir, stored.stored_name)
    raw = path.read_bytes()
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.size == (800, 600)
        assert not img.getexif()
        assert "exif" not in img.info
    assert b"Exif\x00\x00" not in raw and b"Kamera Uji" not in raw
    assert stored.source_sha256 != stored.sha256


def test_large_photo_is_scaled_to_2560_pixels_on_the_long_side(limits):
    stored = store_upload(io.BytesIO(jpeg_bytes((3000, 1500))), "besar.jpg", limits)
    with Image.open(evidence_path(limits.upload_dir, stored.stored_name)) as img:
        assert img.size == (2560, 1280)


def test_png_with_transparency_is_stored_as_jpeg(limits):
    stored = store_upload(io.BytesIO(png_bytes()), "tangkapan-layar.png", limits)
    assert stored.nama == "tangkapan-layar.jpg"
    assert stored.captured_at is None
    with Image.open(evidence_path(limits.upload_dir, stored.stored_name)) as img:
        assert img.format == "JPEG" and img.mode == "RGB"


def test_oversized_file_is_refused(limits):
    data = b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(UploadError, match="melebihi batas ukuran 10 MB"):
        store_upload(io.BytesIO(data), "video.jpg", limits)
    assert not limits.upload_dir.exists() or not any(limits.upload_dir.rglob("*.*"))


def test_non_image_renamed_jpg_is_refused_by_content(limits):
    data = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200  # a Windows program
    with pytest.raises(UploadError) as info:
        store_upload(io.BytesIO(data), "foto-kegiatan.jpg", limits)
    assert "bukan foto JPEG, PNG atau WebP, atau dokumen PDF" in str(info.value)
    assert "diperiksa dari isinya" in str(info.value)


def test_broken_jpeg_is_refused(limits):
    with pytest.raises(UploadError, match="bukan foto yang dapat dibaca"):
        store_upload(io.BytesIO(b"\xff\xd8\xff\xe0" + b"rusak" * 50), "rusak.jpg", limits)


def test_svg_with_script_is_refused(limits):
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    with pytest.raises(UploadError, match="SVG tidak diterima karena dapat memuat skrip"):
        store_upload(io.BytesIO(svg), "logo.svg", limits)
    with pytest.raises(UploadError, match="SVG"):
        store_upload(io.BytesIO(svg), "logo.jpg", limits)
    with pytest.raises(UploadError, match="HTML/XML"):
        store_upload(io.BytesIO(b"<html><script>x()</script></html>"), "a.png", limits)


def test_huge_dimension_image_is_refused_as_decompression_bomb(limits):
    data = huge_png()
    assert len(data) < 1024 * 1024  # tiny file, 400 megapixels
    with pytest.raises(UploadError, match="Dimensi foto terlalu besar"):
        store_upload(io.BytesIO(data), "bom.png", limits)


def test_pixel_limit_is_configurable(tmp_path):
    small = UploadLimits(upload_dir=tmp_path, max_pixels=1000)
    with pytest.raises(UploadError, match=r"\(64 × 48 piksel\); batasnya 0,001 megapiksel"):
        store_upload(io.BytesIO(jpeg_bytes((64, 48))), "foto.jpg", small)


def test_path_traversal_filename_is_stored_under_a_random_name(limits):
    stored = store_upload(io.BytesIO(jpeg_bytes()), "../../etc/passwd.jpg", limits)
    assert stored.nama == "passwd.jpg"
    assert ".." not in stored.stored_name and "passwd" not in stored.stored_name
    path = evidence_path(limits.upload_dir, stored.stored_name)
    assert limits.upload_dir.resolve() in path.parents and path.is_file()
    with pytest.raises(UploadError):
        evidence_path(limits.upload_dir, "../../etc/passwd")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("..\\..\\windows\\system32\\foto.jpg", "foto.jpg"),
        ("laporan\x00.pdf", "laporan.pdf"),
        ("<script>.jpg", "_script_.jpg"),
        ("...", "berkas"),
        ("", "berkas"),
    ],
)
def test_display_names_are_cleaned(raw, clean):
    assert clean_filename(raw) == clean


def test_pdf_is_stored_byte_for_byte(limits):
    data = pdf_bytes()
    stored = store_upload(io.BytesIO(data), "Laporan Maret.pdf", limits)
    assert stored.kind == "pdf" and stored.mime == "application/pdf"
    assert evidence_path(limits.upload_dir, stored.stored_name).read_bytes() == data


def test_pdf_with_javascript_or_broken_structure_is_refused(limits):
    scripted = pdf_bytes(b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(UploadError, match="memuat skrip"):
        store_upload(io.BytesIO(scripted), "laporan.pdf", limits)
    with pytest.raises(UploadError, match="bukan dokumen PDF yang utuh"):
        store_upload(io.BytesIO(b"%PDF-1.4\nhanya kepala"), "potong.pdf", limits)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://server/berkas",
        "data:text/html,<b>x</b>",
        "https://",
        "www.x.id",
    ],
)
def test_only_http_links_are_accepted(url):
    with pytest.raises(UploadError):
        validate_link(url)
    assert (
        validate_link("https://drive.google.com/file/d/1a") == "https://drive.google.com/file/d/1a"
    )


def test_nearest_office_uses_haversine_distance():
    offices = [
        {"nama": "Kantor Bupati", "lat": -6.9175, "lon": 107.6191, "radius_m": 150},
        {"nama": "Mal Pelayanan Publik", "lat": -6.9, "lon": 107.6, "radius_m": 100},
        {"nama": "tanpa koordinat"},
    ]
    office, distance = nearest_office(-6.9176, 107.6192, offices)
    assert office["nama"] == "Kantor Bupati" and distance < 20
    assert round(haversine_m(0, 0, 0, 1) / 1000) == 111


# --- through the pages -----------------------------------------------------------------------


def _realisasi(session, rworld):
    today = today_wib()
    r = record_realization(
        session,
        rworld.skp["staf"],
        rworld.iki["staf"],
        tahun=TAHUN,
        bulan=today.month,
        nilai="1",
        actor=rworld.users["staf"],
        today=today,
    )
    session.commit()
    return r


def test_upload_through_the_page_then_serve_with_safe_headers(rworld, session, client, login, app):
    r = _realisasi(session, rworld)
    login(rworld.users["staf"])
    resp = client.post(
        f"/realisasi/{r.id}/bukti",
        data={"berkas": (io.BytesIO(jpeg_bytes(taken=None)), "../../etc/passwd.jpg")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    bukti = session.query(Bukti).one()
    assert bukti.nama == "passwd.jpg" and bukti.kind == "image"
    assert (
        Path(app.config["SKP_UPLOAD_DIR"]).resolve()
        in evidence_path(app.config["SKP_UPLOAD_DIR"], bukti.stored_name).parents
    )
    got = client.get(f"/bukti/{bukti.id}")
    assert got.status_code == 200
    assert got.mimetype == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in got.headers.get("Content-Disposition", "")
    assert not Image.open(io.BytesIO(got.data)).getexif()


def test_pdf_is_served_as_attachment(rworld, session, client, login):
    r = _realisasi(session, rworld)
    login(rworld.users["staf"])
    client.post(
        f"/realisasi/{r.id}/bukti",
        data={"berkas": (io.BytesIO(pdf_bytes()), "Laporan Maret.pdf")},
        content_type="multipart/form-data",
    )
    bukti = session.query(Bukti).one()
    got = client.get(f"/bukti/{bukti.id}")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("logo.svg", "SVG tidak diterima"),
        ("foto.jpg", "bukan foto JPEG, PNG atau WebP"),
    ],
)
def test_refused_upload_shows_indonesian_message_and_stores_nothing(
    rworld, session, client, login, name, message
):
    r = _realisasi(session, rworld)
    login(rworld.users["staf"])
    content = b"<svg><script>alert(1)</script></svg>" if name.endswith("svg") else b"teks biasa"
    resp = client.post(
        f"/realisasi/{r.id}/bukti",
        data={"berkas": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in resp.get_data(as_text=True)
    assert session.query(Bukti).count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staf", 200),  # owner
        ("kasi", 200),  # direct superior, pejabat penilai
        ("kabid", 200),  # superior chain
        ("operator", 200),  # operator of the OPD
        ("admin", 200),
        ("staf2", 403),  # a colleague
        ("operator_lain", 403),  # operator of another OPD
        ("hr", 403),
        ("bappeda", 403),
    ],
)
def test_evidence_route_checks_who_may_see_it(rworld, session, client, login, app, who, status):
    r = _realisasi(session, rworld)
    from skp_app.realization.operations import attach_evidence
    from skp_app.realization.uploads import limits_from_config

    bukti = attach_evidence(
        session,
        r,
        stream=io.BytesIO(jpeg_bytes()),
        filename="foto.jpg",
        limits=limits_from_config(app.config),
        actor=rworld.users["staf"],
    )
    session.commit()
    login(rworld.users[who])
    assert client.get(f"/bukti/{bukti.id}").status_code == status


def test_gps_of_the_stored_row_is_decimal_degrees(rworld, session, app):
    r = _realisasi(session, rworld)
    from skp_app.realization.operations import attach_evidence
    from skp_app.realization.uploads import limits_from_config

    bukti = attach_evidence(
        session,
        r,
        stream=io.BytesIO(jpeg_bytes(gps=(-7.250445, 112.768845))),
        filename="lokasi.jpg",
        limits=limits_from_config(app.config),
        actor=rworld.users["staf"],
    )
    session.commit()
    session.expire_all()
    row = session.get(Bukti, bukti.id)
    assert abs(row.gps_lat - Decimal("-7.250445")) < Decimal("0.0001")
    assert abs(row.gps_lon - Decimal("112.768845")) < Decimal("0.0001")
