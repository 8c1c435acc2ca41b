"""Local fake SIASN and SIMPEG web services, served over real HTTP on 127.0.0.1.

The shapes follow domain.md §6.6: the WSO2 token endpoint (client credentials with basic auth),
the SSO token endpoint (password grant), ``referensi/ref-unor`` and ``pns/data-utama/{nip}``
wrapped in ``{"data": …}``, dates ``dd-mm-yyyy`` with ``01-01-0001`` as null; the SIMPEG list
with ``items`` + ``pagination``. Failures can be injected: HTTP errors on a path, a delay (for
timeouts), an expiring gateway token, a permanent outage after N calls.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from contextlib import contextmanager

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CONSUMER_KEY = "kab-sampel-consumer"
CONSUMER_SECRET = "rahasia-consumer-123"
SSO_CLIENT_ID = "kab-sampel-client"
SSO_USER = "199001012015031001"
SSO_PASSWORD = "sandi-sso-456"
SIMPEG_TOKEN = "simpeg-token-789"


def hex_id(seed: str, upper: bool = False) -> str:
    """A realistic 32-hex SIASN id derived from ``seed``."""
    h = hashlib.md5(seed.encode()).hexdigest()  # noqa: S324 — test ids, not security
    return h.upper() if upper else h


def _json(data, status=200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


class FakeSiasn:
    """WSO2 gateway + SSO + apisiasn/1.0 with injectable failures."""

    def __init__(self, units: list[dict], pegawai: dict[str, dict]):
        self.units = units
        self.pegawai = pegawai  # nip -> data-utama dict
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self.wso_issued = 0
        self.sso_issued = 0
        self.valid_wso: set[str] = set()
        self.valid_sso: set[str] = set()
        self.fail: dict[str, list[int]] = {}  # path -> statuses to answer first (one per call)
        self.delay: dict[str, list[float]] = {}  # path -> seconds to sleep first (one per call)
        self.expire_wso_after: int | None = None  # API calls a gateway token stays valid for
        self.down_after: int | None = None  # data-utama calls answered before a lasting outage
        self.api_calls = 0
        self.data_utama_calls = 0
        self._wso_uses: dict[str, int] = {}

    # --- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        with self.lock:
            self.log.append(
                {
                    "method": request.method,
                    "path": path,
                    "authorization": request.headers.get("Authorization", ""),
                    "auth": request.headers.get("Auth", ""),
                    "at": time.monotonic(),
                }
            )
            delays = self.delay.get(path)
            pause = delays.pop(0) if delays else 0
            fails = self.fail.get(path)
            status = fails.pop(0) if fails else None
        if pause:
            time.sleep(pause)
        if status is not None:
            return _json({"code": status, "message": "gangguan layanan"}, status)
        if path == "/oauth2/token" and request.method == "POST":
            return self.wso_token(request)
        if path == "/sso/token" and request.method == "POST":
            return self.sso_token(request)
        if path.startswith("/apisiasn/1.0/"):
            return self.api(request, path.removeprefix("/apisiasn/1.0/"))
        return _json({"message": "not found"}, 404)

    def wso_token(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        expected = (
            "Basic " + base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        )
        if header != expected or request.form.get("grant_type") != "client_credentials":
            return _json({"error": "invalid_client"}, 401)
        with self.lock:
            self.wso_issued += 1
            token = f"wso-{self.wso_issued}-{hex_id(str(self.wso_issued))}"
            self.valid_wso.add(token)
            self._wso_uses[token] = 0
        return _json(
            {"access_token": token, "scope": "default", "token_type": "Bearer", "expires_in": 3600}
        )

    def sso_token(self, request: Request) -> Response:
        f = request.form
        if (
            f.get("grant_type") != "password"
            or f.get("client_id") != SSO_CLIENT_ID
            or f.get("username") != SSO_USER
            or f.get("password") != SSO_PASSWORD
        ):
            return _json({"error": "invalid_grant"}, 401)
        with self.lock:
            self.sso_issued += 1
            token = f"sso-{self.sso_issued}-{hex_id('s' + str(self.sso_issued))}"
            self.valid_sso.add(token)
        return _json({"access_token": token, "expires_in": 1800, "token_type": "Bearer"})

    def api(self, request: Request, path: str) -> Response:
        wso = request.headers.get("Authorization", "").removeprefix("Bearer ")
        sso = request.headers.get("Auth", "").removeprefix("bearer ")
        with self.lock:
            if wso not in self.valid_wso:
                return _json({"fault": {"code": 900901, "message": "Invalid Credentials"}}, 401)
            self._wso_uses[wso] += 1
            if self.expire_wso_after is not None and self._wso_uses[wso] > self.expire_wso_after:
                self.valid_wso.discard(wso)
                return _json({"fault": {"code": 900901, "message": "Access token expired"}}, 401)
            if sso not in self.valid_sso:
                return _json({"message": "Unauthorized SSO"}, 401)
            self.api_calls += 1
        if path == "referensi/ref-unor":
            return _json({"data": self.units})
        if path.startswith("pns/data-utama/"):
            nip = path.removeprefix("pns/data-utama/")
            with self.lock:
                self.data_utama_calls += 1
                calls = self.data_utama_calls
            if self.down_after is not None and calls > self.down_after:
                return _json({"message": "Service Unavailable"}, 503)
            data = self.pegawai.get(nip)
            if data is None:
                return _json({"code": 0, "data": "Data tidak ditemukan"}, 404)
            return _json({"code": 1, "data": data})
        return _json({"message": "not found"}, 404)


class FakeSimpeg:
    """``GET /api/v5.0/pegawai/?page=&per_page=`` with a bearer token."""

    def __init__(self, items: list[dict]):
        self.items = items
        self.log: list[dict] = []
        self.fail: dict[int, list[int]] = {}  # page -> statuses to answer first
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path != "/api/v5.0/pegawai/":
            return _json({"message": "not found"}, 404)
        if request.headers.get("Authorization") != f"Bearer {SIMPEG_TOKEN}":
            return _json({"message": "Unauthenticated."}, 401)
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 25))
        with self.lock:
            self.log.append({"page": page, "per_page": per_page})
            fails = self.fail.get(page)
            status = fails.pop(0) if fails else None
        if status is not None:
            return _json({"message": "Server Error"}, status)
        total = len(self.items)
        pages = max(1, -(-total // per_page))
        chunk = self.items[(page - 1) * per_page : page * per_page]
        return _json(
            {
                "items": chunk,
                "pagination": {
                    "page": page,
                    "per_page": per_page,
                    "total": total,
                    "total_pages": pages,
                },
            }
        )


@contextmanager
def serve(app):
    """Serve a WSGI app on 127.0.0.1 at a random port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


# --- realistic fixtures -----------------------------------------------------------------------

INSTANSI_ID = hex_id("instansi-kab-sampel", upper=True)


def ref_unor(uid, nama, parent, induk, eselon="00", pemimpin="", nama_jabatan=""):
    return {
        "Id": uid,
        "InstansiId": INSTANSI_ID,
        "DiatasanId": parent or "",
        "EselonId": eselon,
        "NamaUnor": nama,
        "NamaJabatan": nama_jabatan,
        "CepatKode": "",
        "IndukUnorId": induk or "",
        "PemimpinPnsId": pemimpin,
        "JenisUnorId": "1",
    }


def data_utama(
    nip,
    nama,
    *,
    unor_id,
    unor_nama,
    induk_id,
    induk_nama,
    jabatan,
    jenis_jabatan,
    eselon_id="",
    golongan_id="32",
    golongan="III/b",
    kedudukan="01",
    gender="M",
    tgl_lahir=None,
    tmt_jabatan="02-01-2023",
    gelar_depan="",
    gelar_belakang="",
):
    """A ``pns/data-utama`` payload with SIASN's names and casing (a subset of the ~150 keys)."""
    tgl = tgl_lahir or f"{nip[6:8]}-{nip[4:6]}-{nip[0:4]}"
    return {
        "id": hex_id("pns-" + nip, upper=True),
        "nipBaru": nip,
        "nipLama": "",
        "nama": nama,
        "gelarDepan": gelar_depan,
        "gelarBelakang": gelar_belakang,
        "tempatLahir": "SAMPEL",
        "tglLahir": tgl,
        "agama": "Islam",
        "agamaId": "1",
        "email": "",
        "emailGov": f"{nip}@sampelkab.go.id",
        "noHp": "081234567890",
        "jenisPegawaiId": "15",
        "jenisPegawaiNama": "PNS Daerah Kab./Kota yang bekerja pada Kab./Kota",
        "kedudukanPnsId": kedudukan,
        "kedudukanPnsNama": {"01": "Aktif", "99": "Pensiun"}.get(kedudukan, "Lainnya"),
        "statusPegawai": "PNS",
        "jenisKelamin": gender,
        "tmtCpns": f"01-{nip[12:14]}-{nip[8:12]}",
        "tmtPns": f"01-{nip[12:14]}-{int(nip[8:12]) + 1}",
        "tmtPensiun": "01-01-0001",
        "instansiIndukId": INSTANSI_ID,
        "instansiIndukNama": "Pemerintah Kab. Sampel",
        "instansiKerjaId": INSTANSI_ID,
        "instansiKerjaNama": "Pemerintah Kab. Sampel",
        "satuanKerjaKerjaId": INSTANSI_ID,
        "satuanKerjaKerjaNama": "Pemerintah Kab. Sampel",
        "unorId": unor_id,
        "unorNama": unor_nama,
        "unorIndukId": induk_id,
        "unorIndukNama": induk_nama,
        "jenisJabatanId": jenis_jabatan,
        "jenisJabatan": {
            "1": "Jabatan Struktural",
            "2": "Jabatan Fungsional Tertentu",
            "4": "Jabatan Fungsional Umum",
        }[jenis_jabatan],
        "jabatanNama": jabatan,
        "jabatanStrukturalNama": jabatan if jenis_jabatan == "1" else "",
        "jabatanFungsionalNama": jabatan if jenis_jabatan == "2" else "",
        "jabatanFungsionalUmumNama": jabatan if jenis_jabatan == "4" else "",
        "tmtJabatan": tmt_jabatan,
        "golRuangAwalId": "31",
        "golRuangAwal": "III/a",
        "golRuangAkhirId": golongan_id,
        "golRuangAkhir": golongan,
        "tmtGolAkhir": "01-04-2021",
        "eselon": "",
        "eselonId": eselon_id,
        "kelas_jabatan": "9",
        "karis_karsu": "",
        "kode_jenjang_jabatan": "",
        "statusHidup": "Hidup",
    }
