"""Evidence uploads: content-checked photos and PDFs, stored EXIF-free under random names.

The type of an upload is decided by its *content* (magic bytes, then Pillow for images and a
structural check for PDFs), never by its name or the browser's content type. Photos are
re-encoded to JPEG (quality 85, longest side at most 2560 px) after their capture time
(EXIF ``DateTimeOriginal``) and GPS position were read, so the stored copy carries no EXIF,
XMP or comment. PDFs are stored byte for byte once they pass the checks. SVG, HTML and PDFs
with JavaScript or launch actions are refused.

This module knows nothing of Flask or the database: callers pass the limits
(:class:`UploadLimits`, built from the app config by :func:`limits_from_config`).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import secrets
import struct
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "JPEG_QUALITY",
    "MAX_SIDE",
    "StoredUpload",
    "UploadError",
    "UploadLimits",
    "clean_filename",
    "evidence_path",
    "haversine_m",
    "limits_from_config",
    "nearest_office",
    "read_limited",
    "sniff",
    "store_upload",
    "validate_link",
]

DEFAULT_MAX_PIXELS = 40_000_000
"""Largest accepted photo in pixels (40 MP); larger ones are refused as decompression bombs."""
MAX_SIDE = 2560
JPEG_QUALITY = 85
ALLOWED_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
KIND_LABEL = "foto JPEG, PNG atau WebP, atau dokumen PDF"
_PDF_SCRIPT = re.compile(rb"/(?:JavaScript|Launch)\b|/JS\s*[(<]")
_MARKUP = re.compile(rb"<\s*(?:svg|\?xml|!doctype|html|script)", re.IGNORECASE)


class UploadError(ValueError):
    """An upload was refused; the message (Indonesian) says why and what to do."""


@dataclass(frozen=True)
class UploadLimits:
    """Where uploads go and how large they may be."""

    upload_dir: Path
    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = DEFAULT_MAX_PIXELS

    @property
    def max_mb_label(self) -> str:
        mb = self.max_bytes / (1024 * 1024)
        return f"{mb:g} MB".replace(".", ",")


def limits_from_config(config: Mapping) -> UploadLimits:
    """Build the limits from the app config (``SKP_UPLOAD_DIR``, ``SKP_MAX_UPLOAD_MB``,
    ``SKP_MAX_IMAGE_PIXELS``)."""
    mb = config.get("SKP_MAX_UPLOAD_MB", 10)
    return UploadLimits(
        upload_dir=Path(config["SKP_UPLOAD_DIR"]),
        max_bytes=int(Decimal(str(mb)) * 1024 * 1024),
        max_pixels=int(config.get("SKP_MAX_IMAGE_PIXELS") or DEFAULT_MAX_PIXELS),
    )


@dataclass(frozen=True)
class StoredUpload:
    """What was stored for one upload (the caller records it as a ``Bukti`` row)."""

    kind: str  # image / pdf
    nama: str  # cleaned display name
    stored_name: str  # random relative path inside the upload directory
    mime: str
    size: int
    sha256: str  # of the stored copy
    source_sha256: str  # of the bytes uploaded
    captured_at: datetime | None = None
    gps_lat: Decimal | None = None
    gps_lon: Decimal | None = None


# --- names and links -------------------------------------------------------------------------


def clean_filename(name: str | None, default: str = "berkas") -> str:
    """Return a display name without directories, control characters or odd symbols.

    >>> clean_filename("../../etc/passwd.jpg")
    'passwd.jpg'
    >>> clean_filename("C:\\\\Users\\\\budi\\\\Foto Kegiatan (1).JPG")
    'Foto Kegiatan (1).JPG'
    >>> clean_filename("..")
    'berkas'
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r"[^\w\s().,\-+&]", "_", text).strip().lstrip(".").strip()
    text = re.sub(r"\s+", " ", text)
    if not text or set(text) <= {".", "_", " "}:
        return default
    if len(text) > 150:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else text[:150]
    return text


def validate_link(url: str | None) -> str:
    """Return ``url`` stripped if it is an absolute http(s) link, else raise :class:`UploadError`.

    >>> validate_link(" https://drive.google.com/file/d/abc ")
    'https://drive.google.com/file/d/abc'
    """
    text = (url or "").strip()
    if not text:
        raise UploadError("Tautan bukti dukung wajib diisi.")
    if len(text) > 1000:
        raise UploadError("Tautan bukti dukung terlalu panjang (maksimal 1.000 karakter).")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise UploadError("Tautan bukti dukung tidak boleh memuat spasi.")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise UploadError("Tautan bukti dukung tidak valid.") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise UploadError("Tautan bukti dukung harus diawali http:// atau https://.")
    if not parts.hostname or "@" in parts.netloc:
        raise UploadError("Tautan bukti dukung harus memuat alamat situs yang sah.")
    return text


# --- reading and sniffing --------------------------------------------------------------------


def read_limited(stream: BinaryIO, max_bytes: int, *, label: str = "Berkas") -> bytes:
    """Read at most ``max_bytes`` from ``stream``; refuse a larger or empty upload."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g}".replace(".", ",")
        raise UploadError(f"{label} melebihi batas ukuran {limit} MB. Perkecil lalu unggah lagi.")
    if not data:
        raise UploadError(f"{label} kosong.")
    return data


def sniff(data: bytes) -> str | None:
    """Return ``jpeg``, ``png``, ``webp``, ``pdf`` or ``markup`` from the first bytes, or None.

    >>> sniff(b"%PDF-1.7 ..."), sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"<svg onload=x>")
    ('pdf', 'png', 'markup')
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _MARKUP.search(head[:1024]) or head.startswith(b"<"):
        return "markup"
    return None


# --- images ----------------------------------------------------------------------------------


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
        return float(num) / float(den)
    return float(value)


def _dms_to_degrees(dms, ref) -> float | None:
    """Convert EXIF (degrees, minutes, seconds) rationals and a N/S/E/W ref to decimal degrees."""
    try:
        degrees, minutes, seconds = (_rational(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if math.isnan(value) or math.isinf(value):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref or "").strip().upper() in {"S", "W"}:
        value = -value
    return value


def _exif_capture(img: Image.Image) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """Read the capture time (DateTimeOriginal) and GPS position of an opened image."""
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block just means "no metadata"
        return None, None, None
    captured = None
    try:
        raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "ignore")
        if raw:
            captured = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, TypeError, KeyError):
        captured = None
    lat = lon = None
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, TypeError, ValueError):
        gps = {}
    if gps:
        la = _dms_to_degrees(
            gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef)
        )
        lo = _dms_to_degrees(
            gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef)
        )
        if la is not None and lo is not None and abs(la) <= 90 and abs(lo) <= 180:
            lat = Decimal(f"{la:.7f}")
            lon = Decimal(f"{lo:.7f}")
    return captured, lat, lon


def _reencode_image(data: bytes, kind: str, limits: UploadLimits, shown: str):
    """Check, read the metadata of and re-encode a photo; return (jpeg bytes, metadata)."""
    bad = f"Berkas “{shown}” bukan foto yang dapat dibaca (rusak atau formatnya tidak sah)."
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_IMAGE_FORMATS or probe.format.lower() != kind:
                raise UploadError(bad)
            width, height = probe.size
            if width * height > limits.max_pixels or max(width, height) > 30000:
                raise UploadError(_too_many_pixels(width, height, limits.max_pixels))
            probe.verify()
            img = Image.open(io.BytesIO(data))
            captured, lat, lon = _exif_capture(img)
            img.seek(0)
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode in {"RGBA", "LA", "P", "PA"}:
                img = img.convert("RGBA")
                background = Image.new("RGB", img.size, (255, 255, 255))
                background.paste(img, mask=img.getchannel("A"))
                img = background
            elif img.mode != "RGB":
                img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            img.info = {}
            out = io.BytesIO()
            img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError(_too_many_pixels(None, None, limits.max_pixels)) from None
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            IndexError,
            TypeError,
            struct.error,
        ):
            raise UploadError(bad) from None
    return out.getvalue(), captured, lat, lon


def _too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> str:
    mp = f"{max_pixels / 1_000_000:g}".replace(".", ",")
    size = f" ({width:,} × {height:,} piksel)".replace(",", ".") if width and height else ""
    return (
        f"Dimensi foto terlalu besar{size}; batasnya {mp} megapiksel. "
        "Perkecil foto lalu unggah lagi."
    )


# --- PDF -------------------------------------------------------------------------------------


def _check_pdf(data: bytes, shown: str) -> None:
    bad = f"Berkas “{shown}” bukan dokumen PDF yang utuh."
    if not re.match(rb"%PDF-[12]\.\d", data[:8]):
        raise UploadError(bad)
    if b"%%EOF" not in data[-2048:]:
        raise UploadError(bad)
    if not re.search(rb"\d+\s+\d+\s+obj\b", data) or not (b"xref" in data or b"/XRef" in data):
        raise UploadError(bad)
    if _PDF_SCRIPT.search(data):
        raise UploadError(
            f"Dokumen “{shown}” memuat skrip (JavaScript) atau perintah menjalankan program, "
            "sehingga ditolak. Cetak ulang sebagai PDF biasa lalu unggah lagi."
        )


# --- storing ---------------------------------------------------------------------------------


def evidence_path(upload_dir: Path | str, stored_name: str) -> Path:
    """Return the absolute path of a stored file, refusing names that leave the directory."""
    base = Path(upload_dir).resolve()
    path = (base / stored_name).resolve()
    if base not in path.parents:
        raise UploadError("Nama berkas tersimpan tidak sah.")
    return path


def _write(limits: UploadLimits, content: bytes, suffix: str) -> str:
    token = secrets.token_hex(16)
    stored_name = f"{token[:2]}/{token}{suffix}"
    path = evidence_path(limits.upload_dir, stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(content)
    os.replace(tmp, path)
    return stored_name


def store_upload(stream: BinaryIO, filename: str | None, limits: UploadLimits) -> StoredUpload:
    """Check one uploaded file by content and store it; return what was stored.

    Raises
    ------
    UploadError
        Too large or empty, not a JPEG/PNG/WebP photo or PDF by content, SVG/HTML, a PDF with
        scripts, a broken file or a photo above the pixel limit.
    """
    shown = clean_filename(filename)
    data = read_limited(stream, limits.max_bytes, label=f"Berkas “{shown}”")
    kind = sniff(data)
    if kind == "markup":
        if data.lstrip()[:1] == b"<" and re.search(rb"<\s*svg", data[:4096], re.IGNORECASE):
            raise UploadError(
                f"Berkas “{shown}” adalah gambar SVG. SVG tidak diterima karena dapat memuat "
                "skrip; unggah foto JPEG/PNG/WebP atau PDF."
            )
        raise UploadError(
            f"Berkas “{shown}” berisi HTML/XML yang dapat memuat skrip dan tidak diterima; "
            f"unggah {KIND_LABEL}."
        )
    if kind is None:
        raise UploadError(
            f"Isi berkas “{shown}” bukan {KIND_LABEL} (jenis berkas diperiksa dari isinya, "
            "bukan dari namanya)."
        )
    source_sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        _check_pdf(data, shown)
        stored = _write(limits, data, ".pdf")
        return StoredUpload(
            "pdf", shown, stored, "application/pdf", len(data), source_sha, source_sha
        )
    content, captured, lat, lon = _reencode_image(data, kind, limits, shown)
    stored = _write(limits, content, ".jpg")
    stem = shown.rsplit(".", 1)[0] if "." in shown else shown
    return StoredUpload(
        kind="image",
        nama=f"{stem}.jpg",
        stored_name=stored,
        mime="image/jpeg",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        source_sha256=source_sha,
        captured_at=captured,
        gps_lat=lat,
        gps_lon=lon,
    )


# --- places ----------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two points (haversine formula).

    >>> round(haversine_m(-6.2, 106.816666, -6.2, 106.826666))
    1105
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_office(
    lat: float, lon: float, offices: Iterable[Mapping]
) -> tuple[Mapping, float] | None:
    """Return the nearest configured office and its distance in metres, or None.

    Offices are ``{"nama", "lat", "lon", "radius_m"}`` (Instansi.settings["office_locations"]);
    entries without usable coordinates are ignored.
    """
    best = None
    for office in offices or ():
        try:
            olat, olon = float(office["lat"]), float(office["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        distance = haversine_m(lat, lon, olat, olon)
        if best is None or distance < best[1]:
            best = (office, distance)
    return best
