"""The JSON API's OpenAPI document (flask-smorest) and its single error shape.

Every API error is ``{"error": <code>, "message": <text>, "fields": {<field>: [<msg>]}}``.
flask-smorest registers one HTTPException handler for the whole app, so it also decides
between that JSON shape (for ``/api/`` paths) and the Indonesian HTML error pages.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

__all__ = ["SkpApi", "api_error", "is_api_request"]

ERROR_TITLES = {
    400: "Permintaan tidak valid",
    401: "Silakan masuk terlebih dahulu",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Metode tidak diizinkan",
    409: "Terjadi konflik",
    413: "Berkas terlalu besar",
    422: "Data tidak valid",
    429: "Terlalu banyak permintaan",
    500: "Terjadi kesalahan pada server",
}
ERROR_TEXTS = {
    400: "Permintaan tidak dapat diproses. Periksa kembali isian Anda.",
    401: "Sesi Anda telah berakhir atau Anda belum masuk.",
    403: "Anda tidak memiliki hak untuk membuka atau mengubah data ini.",
    404: "Data atau halaman yang Anda cari tidak ada.",
    405: "Aksi ini tidak dapat dilakukan dengan cara tersebut.",
    409: "Data telah berubah atau aksi ini tidak sesuai dengan statusnya saat ini.",
    413: "Ukuran berkas melebihi batas yang diizinkan.",
    422: "Sebagian isian tidak valid.",
    429: "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
    500: "Maaf, terjadi kesalahan. Tim teknis telah dicatat; silakan coba lagi.",
}
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def is_api_request() -> bool:
    """Return whether the current request addresses the JSON API."""
    return request.path.startswith("/api/")


def api_error(status: int, message: str | None = None, *, fields: dict | None = None, error=None):
    """Return the API's one error response shape."""
    body = {
        "error": error or ERROR_CODES.get(status, "error"),
        "message": message or ERROR_TEXTS.get(status, "Kesalahan."),
        "fields": fields or {},
    }
    return jsonify(body), status


def render_error(status: int, message: str | None = None):
    """Return the Indonesian HTML error page for ``status``."""
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=ERROR_TITLES.get(status, "Kesalahan"),
            message=message or ERROR_TEXTS.get(status, ""),
        ),
        status,
    )


class SkpApi(Api):
    """flask-smorest Api whose errors use the project's shapes."""

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        if is_api_request():
            fields = None
            data = getattr(error, "data", None) or {}
            messages = data.get("messages") if isinstance(data, dict) else None
            if messages:
                # marshmallow: {"json": {"field": ["msg"]}} -> {"field": ["msg"]}
                fields = {}
                for location in messages.values():
                    if isinstance(location, dict):
                        fields.update(location)
                status = 422
            message = None
            if error.description and error.description != type(error).description:
                message = error.description
            return api_error(status, message, fields=fields)
        message = None
        if error.description and error.description != type(error).description:
            message = error.description
        return render_error(status, message)
