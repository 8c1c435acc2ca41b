"""Name pools of the demo regency: personal names by region of origin, and academic titles.

Names follow the naming customs of the larger groups found in a Javanese/Sundanese regency's
civil service (Javanese, Sundanese, Minang, Batak, Bugis, Balinese, a few Chinese-Indonesian and
Minahasa names, and the "modern" Arabic-Indonesian names common among those born after 1990).
Titles (*gelar*) follow the degree and field: ``S.Kom.``, ``S.E.``, ``M.Si.``, ``Ns.``, ``dr.``,
``A.Md.Keb.`` …; graduates from before the 1993 title reform carry ``Drs.``/``Dra.``/``Ir.`` in
front of the name. Everything is drawn from a :class:`random.Random`, so a seed gives the same
people every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["EDUCATION", "FIELDS", "make_gelar", "make_name"]


@dataclass(frozen=True, slots=True)
class _Pool:
    weight: float
    muslim: float  # share of the group that may carry the haji titles H./Hj.
    male: tuple[str, ...]
    female: tuple[str, ...]
    male_last: tuple[str, ...]
    female_last: tuple[str, ...]
    towns: tuple[str, ...] = ("Jakarta",)
    single_male: tuple[str, ...] = ()
    single_female: tuple[str, ...] = ()


# fmt: off
_JAWA = _Pool(
    0.4, 0.9,
    male=(
        "Agus", "Budi", "Bambang", "Joko", "Slamet", "Sugeng", "Hadi", "Eko", "Dwi", "Tri",
        "Wahyu", "Heru", "Teguh", "Rudi", "Bayu", "Aris", "Arif", "Fajar", "Priyo", "Wawan",
        "Hendro", "Suryo", "Galih", "Dimas", "Anang", "Gatot", "Imam", "Kukuh", "Bagus", "Catur",
        "Danang", "Yudi", "Edi", "Sigit", "Puguh", "Didik", "Nanang", "Yoyok", "Guntur", "Lilik",
        "Haris", "Andri", "Setyo", "Ahmad", "Muhammad",
    ),
    female=(
        "Sri", "Dwi", "Tri", "Endang", "Siti", "Rini", "Retno", "Wulan", "Dewi", "Ratna", "Yuni",
        "Sari", "Indah", "Ayu", "Novita", "Anik", "Yuliana", "Fitri", "Kartika", "Puji", "Ika",
        "Nur", "Eka", "Tutik", "Erna", "Nanik", "Umi", "Dyah", "Rika", "Wiwik", "Ning", "Heni",
        "Yayuk", "Titik", "Lusi", "Mega",
    ),
    male_last=(
        "Santoso", "Setiawan", "Prasetyo", "Wibowo", "Nugroho", "Susanto", "Hidayat", "Purnomo",
        "Saputra", "Kurniawan", "Wijaya", "Hartono", "Susilo", "Utomo", "Raharjo", "Sulistyo",
        "Widodo", "Pramono", "Sutanto", "Suryadi", "Handoko", "Wicaksono", "Ardiansyah",
        "Firmansyah", "Cahyono", "Rahmanto", "Subekti", "Triyono", "Haryanto", "Mulyono",
        "Prabowo", "Budiman", "Darmawan", "Santosa", "Nurcahyo", "Wibisono",
    ),
    female_last=(
        "Wahyuni", "Rahayu", "Lestari", "Handayani", "Susanti", "Wulandari", "Astuti",
        "Purwaningsih", "Setyowati", "Kusumawati", "Rahmawati", "Suryani", "Nurhayati", "Pratiwi",
        "Anggraeni", "Puspitasari", "Kurniasih", "Yuliani", "Maryati", "Sulistyowati",
        "Widyaningsih", "Hartati", "Ningsih", "Utami", "Indrawati", "Setyaningsih", "Mulyani",
        "Prihatini",
    ),
    towns=(
        "Semarang", "Surakarta", "Yogyakarta", "Kediri", "Madiun", "Klaten", "Purwokerto", "Tegal",
        "Cirebon", "Malang",
    ),
    single_male=(
        "Sutrisno", "Sumarno", "Suparman", "Sugiyanto", "Suwarno", "Mulyadi", "Sukirno",
        "Kasiyanto", "Suprapto", "Sudarmaji", "Waluyo", "Mujiono",
    ),
    single_female=(
        "Suparmi", "Sumiyati", "Sumarni", "Sulastri", "Suwarni", "Sukesi", "Marsini", "Tukiyem",
        "Partini", "Sriyatun",
    ),
)

_SUNDA = _Pool(
    0.2, 0.97,
    male=(
        "Asep", "Dede", "Cecep", "Ujang", "Dadang", "Jajang", "Engkos", "Yayan", "Iwan", "Deden",
        "Ade", "Dadan", "Rahmat", "Nandang", "Ayi", "Ruslan", "Ikhsan", "Atep", "Encep", "Aep",
        "Yoyo", "Oman", "Dudi", "Yusuf", "Ridwan", "Tatang", "Acep",
    ),
    female=(
        "Euis", "Neneng", "Iis", "Yeti", "Ai", "Lilis", "Enung", "Tati", "Cucu", "Nia", "Rina",
        "Nurul", "Teti", "Ela", "Imas", "Ida", "Wida", "Siti", "Dede", "Yani", "Eneng", "Nining",
        "Heni", "Popon",
    ),
    male_last=(
        "Saepudin", "Supriatna", "Sutisna", "Kurniawan", "Hermawan", "Gunawan", "Hidayat",
        "Sudrajat", "Rusmana", "Suherman", "Permana", "Somantri", "Kusnadi", "Suryana", "Ruhiyat",
        "Sobari", "Mulyana", "Firdaus", "Nurjaman", "Setiadi", "Sumarna", "Rukmana", "Sopandi",
        "Hendrayana", "Suhendar", "Taufik",
    ),
    female_last=(
        "Nurhayati", "Rohmawati", "Kurniasih", "Komalasari", "Suryani", "Mulyani", "Sumiati",
        "Herlina", "Rosita", "Yulianti", "Solihah", "Nurlaela", "Hasanah", "Sukmawati", "Rostika",
        "Fauziah", "Nurjanah", "Sopiah", "Nuraeni", "Apriani",
    ),
    towns=(
        "Bandung", "Garut", "Tasikmalaya", "Ciamis", "Sumedang", "Cianjur", "Sukabumi", "Kuningan",
        "Majalengka",
    ),
)

_MINANG = _Pool(
    0.07, 1.0,
    male=(
        "Zulkifli", "Yusrizal", "Afrizal", "Syafrizal", "Jasman", "Hendri", "Erizal", "Yuhendri",
        "Defri", "Zulfahmi", "Rizal", "Masrul", "Irwan", "Nofrizal", "Taufik", "Fadli", "Azwar",
        "Syahrul",
    ),
    female=(
        "Rahmi", "Yusnita", "Elfi", "Yulia", "Desi", "Mardiana", "Rosnelli", "Nelfi", "Yenni",
        "Syafriani", "Vivi", "Reni", "Novia", "Zuraida", "Elvira", "Mona", "Fitri",
    ),
    male_last=(
        "Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang", "Effendi", "Syarif", "Amri",
        "Hamdani", "Bahar", "Anwar", "Datuak", "Nasrun", "Zainal",
    ),
    female_last=(
        "Yulianti", "Syafitri", "Marlina", "Novianti", "Zurnelly", "Susanti", "Elfira", "Putri",
        "Yanti", "Rosalina", "Wahyuni", "Sasmita",
    ),
    towns=("Padang", "Bukittinggi", "Payakumbuh", "Solok", "Padang Panjang"),
)

_BATAK = _Pool(
    0.08, 0.35,
    male=(
        "Rudi", "Hotman", "Parlindungan", "Maruli", "Togar", "Sahat", "Bonar", "Poltak", "Jonny",
        "Benny", "Robert", "Tigor", "Hendra", "Sabar", "Martua", "Binsar", "Ferry", "Daniel",
        "Samuel", "Roy", "Marihot", "Pangihutan",
    ),
    female=(
        "Maria", "Rosmawati", "Lasmaria", "Tiurma", "Ruth", "Debora", "Lenny", "Romauli",
        "Marlina", "Nurhaida", "Herlina", "Yanti", "Rotua", "Sondang", "Friska", "Ester",
    ),
    male_last=(
        "Siregar", "Simanjuntak", "Nainggolan", "Sitompul", "Hutapea", "Harahap", "Nasution",
        "Lubis", "Pasaribu", "Situmorang", "Simatupang", "Sinaga", "Panjaitan", "Tampubolon",
        "Manurung", "Sihombing", "Simbolon", "Hutagalung", "Silalahi", "Sitorus",
    ),
    female_last=(
        "Siregar", "Simanjuntak", "Nainggolan", "Sitompul", "Hutapea", "Harahap", "Nasution",
        "Lubis", "Pasaribu", "Situmorang", "Simatupang", "Sinaga", "Panjaitan", "Tampubolon",
        "Manurung", "Sihombing", "Br. Ginting", "Br. Sembiring", "Sitorus",
    ),
    towns=("Medan", "Tarutung", "Pematangsiantar", "Padangsidimpuan", "Balige"),
)

_BUGIS = _Pool(
    0.07, 1.0,
    male=(
        "Andi", "Muhammad", "Muh.", "Ahmad", "Abdul", "Syamsul", "Arifuddin", "Syahrir",
        "Hasanuddin", "Ilham", "Muhlis", "Amiruddin", "Jamaluddin", "Rusdi", "Sulaiman",
        "Nasrullah", "Zainal", "Baharuddin", "Sahabuddin",
    ),
    female=(
        "Andi Tenri", "Hasnah", "Hasni", "Nurhaedah", "Sitti", "St.", "Rahmatia", "Irmawati",
        "Hasmawati", "Suriani", "Nurlina", "Syamsiah", "Haslinda", "Nurfaidah", "Besse",
    ),
    male_last=(
        "Arfah", "Mappa", "Latief", "Djafar", "Pallawa", "Baso", "Rasyid", "Syam", "Ridwan",
        "Hamzah", "Tahir", "Mappiasse", "Sainuddin", "Karim", "Amir", "Haris", "Makmur",
    ),
    female_last=(
        "Aminah", "Mappa", "Latief", "Djafar", "Rasyid", "Syam", "Hamzah", "Tahir", "Nurbaya",
        "Salma", "Ramlah", "Haerani", "Nurhayati",
    ),
    towns=("Makassar", "Watampone", "Sengkang", "Parepare", "Sidrap"),
)

_BALI = _Pool(
    0.05, 0.0,
    male=(
        "I Putu", "I Wayan", "I Gede", "I Made", "I Kadek", "I Nengah", "I Nyoman", "I Komang",
        "I Ketut", "I Gusti Ngurah", "Ida Bagus",
    ),
    female=(
        "Ni Luh Putu", "Ni Wayan", "Ni Putu", "Ni Made", "Ni Kadek", "Ni Nyoman", "Ni Komang",
        "Ni Ketut", "Ni Luh", "Desak Made", "Ida Ayu",
    ),
    male_last=(
        "Suartana", "Adnyana", "Budiarta", "Wirawan", "Sudiarta", "Arsana", "Mahendra", "Sukadana",
        "Darmawan", "Suyasa", "Widiana", "Astawa", "Sutama", "Parwata", "Mertayasa", "Artawan",
    ),
    female_last=(
        "Ariani", "Suartini", "Widiastuti", "Sukmawati", "Yuliani", "Ayu Lestari", "Kartini",
        "Sulastri", "Astiti", "Rai Sukmawati", "Suciani", "Ariasih", "Sriasih", "Puspadewi",
    ),
    towns=("Denpasar", "Gianyar", "Tabanan", "Singaraja", "Klungkung"),
)

_MODERN = _Pool(
    0.08, 1.0,
    male=(
        "Muhammad", "Ahmad", "Rizki", "Fikri", "Reza", "Aditya", "Ananda", "Bima", "Rendi",
        "Faisal", "Hafiz", "Irfan", "Luthfi", "Naufal", "Rafi", "Yoga", "Dimas", "Fahmi", "Alif",
        "Ilham", "Gilang", "Arya", "Raka",
    ),
    female=(
        "Nur", "Siti", "Aisyah", "Annisa", "Dina", "Intan", "Laila", "Melati", "Nadia", "Putri",
        "Salsabila", "Syifa", "Zahra", "Amalia", "Fitriani", "Nabila", "Aulia", "Anisa", "Rizka",
        "Dinda",
    ),
    male_last=(
        "Pratama", "Ramadhan", "Maulana", "Hakim", "Akbar", "Syahputra", "Alfarizi", "Nugraha",
        "Firmansyah", "Fadillah", "Rizky Pratama", "Hidayatullah", "Prasetya", "Kurniawan",
        "Saputra",
    ),
    female_last=(
        "Rahmawati", "Maharani", "Azzahra", "Ramadhani", "Safitri", "Nurjanah", "Aulia",
        "Permatasari", "Kusuma", "Nur Azizah", "Fadilah", "Khairunnisa", "Oktaviani",
    ),
    towns=("Bandung", "Jakarta", "Bogor", "Bekasi", "Semarang", "Surabaya"),
)

_TIONGHOA = _Pool(
    0.02, 0.0,
    male=("Hendra", "Susanto", "Yohanes", "Budi", "Wiliam", "Hartono", "Gunawan", "Ferdinand"),
    female=("Linda", "Lily", "Meiliana", "Yuliana", "Veronika", "Lanny", "Fransiska"),
    male_last=("Wijaya", "Halim", "Tanoto", "Gunawan", "Salim", "Hartanto", "Sugiarto"),
    female_last=("Kurniawati", "Suryani", "Halim", "Wijaya", "Tanjaya", "Susilo"),
    towns=("Jakarta", "Bandung", "Semarang", "Pontianak"),
)

_MINAHASA = _Pool(
    0.03, 0.0,
    male=("Johanes", "Stevie", "Frangky", "Jemmy", "Ronald", "Novry", "Alfrets", "Meidy"),
    female=("Yolanda", "Marlene", "Stella", "Grace", "Juliana", "Feybe", "Deisy"),
    male_last=("Rumengan", "Wenas", "Sumampouw", "Lumowa", "Tumbelaka", "Pangemanan", "Rondonuwu"),
    female_last=("Rumengan", "Wenas", "Sumampouw", "Mandagi", "Kaunang", "Lontoh", "Tambuwun"),
    towns=("Manado", "Tomohon", "Bitung", "Tondano"),
)

_POOLS: tuple[_Pool, ...] = (_JAWA, _SUNDA, _MINANG, _BATAK, _BUGIS, _BALI, _MODERN, _TIONGHOA,
                             _MINAHASA)
_POOL_WEIGHTS = [p.weight for p in _POOLS]
# fmt: on

#: Education levels with the starting golongan of a PNS recruited with that diploma
#: (PP 99/2000: SLTA II/a, D-III II/c, S1/D-IV III/a, S2 III/b, S3 III/c).
EDUCATION: dict[str, int] = {"SMA": 21, "D3": 23, "S1": 31, "S2": 32, "S3": 33}

# field -> (D3 titles, S1 titles, S2 titles, pre-1993 front title or "")
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "gov": (
        ("A.Md.",),
        ("S.STP.", "S.IP.", "S.Sos.", "S.AP."),
        ("M.Si.", "M.A.P.", "M.M."),
        "Drs.",
    ),
    "econ": (("A.Md.Ak.", "A.Md."), ("S.E.", "S.Ak."), ("M.M.", "M.Ak.", "M.Si."), "Drs."),
    "law": (("A.Md.",), ("S.H.",), ("M.H.", "M.Kn."), ""),
    "it": (("A.Md.Kom.", "A.Md.T."), ("S.Kom.", "S.T."), ("M.Kom.", "M.T."), ""),
    "eng": (("A.Md.T.",), ("S.T.",), ("M.T.", "M.Eng."), "Ir."),
    "agri": (("A.Md.P.",), ("S.P.",), ("M.P.", "M.Si."), "Ir."),
    "fish": (("A.Md.Pi.",), ("S.Pi.",), ("M.Si.", "M.P."), "Ir."),
    "vet": (("A.Md.Pt.",), ("S.Pt.",), ("M.Si.",), "drh."),
    "edu": (("A.Md.Pd.",), ("S.Pd.", "S.Pd.I.", "S.Pd.SD."), ("M.Pd.",), "Drs."),
    "health": (("A.Md.Kes.",), ("S.K.M.",), ("M.Kes.", "M.K.M."), ""),
    "nurse": (("A.Md.Kep.",), ("S.Kep.",), ("M.Kep.",), ""),
    "midwife": (("A.Md.Keb.",), ("S.Tr.Keb.", "S.Keb."), ("M.Keb.",), ""),
    "doctor": ((), ("",), ("M.Kes.", "Sp.PD", "Sp.A", "Sp.OG", "Sp.B"), ""),
    "pharm": (("A.Md.Farm.",), ("S.Farm.",), ("M.Farm.",), ""),
    "social": (("A.Md.",), ("S.Sos.", "S.Psi."), ("M.Si.", "M.Sos."), "Drs."),
    "plan": (("A.Md.",), ("S.T.", "S.E.", "S.P.W.K.", "S.Si."), ("M.Si.", "M.T.", "M.E."), "Ir."),
    "stat": (("A.Md.Stat.",), ("S.Si.", "S.Stat.", "S.Tr.Stat."), ("M.Si.",), "Drs."),
    "library": (("A.Md.",), ("S.I.Pust.", "S.Hum."), ("M.Hum.", "M.I.P."), "Drs."),
    "env": (("A.Md.T.",), ("S.T.", "S.Si."), ("M.Si.", "M.T."), "Ir."),
    "general": (
        ("A.Md.",),
        ("S.Sos.", "S.E.", "S.H.", "S.AP.", "S.IP."),
        ("M.Si.", "M.M."),
        "Drs.",
    ),
}


def make_name(rng: random.Random, gender: str, birth_year: int) -> tuple[str, bool, str]:
    """Return ``(nama, may_be_haji, tempat_lahir)`` for a person born in ``birth_year``.

    ``gender`` is "L" or "P". Half of the staff were born in the regency itself; the others in
    a town of their group's home region.
    """
    pool = rng.choices(_POOLS, weights=_POOL_WEIGHTS)[0]
    birthplace = "Sukamaju" if rng.random() < 0.5 else rng.choice(pool.towns)
    if birth_year >= 1990 and pool in (_JAWA, _SUNDA) and rng.random() < 0.35:
        pool = _MODERN
    male = gender == "L"
    singles = pool.single_male if male else pool.single_female
    if singles and birth_year < 1978 and rng.random() < 0.18:
        return rng.choice(singles), rng.random() < pool.muslim, birthplace
    first = rng.choice(pool.male if male else pool.female)
    last_pool = pool.male_last if male else pool.female_last
    last = rng.choice(last_pool)
    if pool is _BUGIS and male and first != "Andi" and rng.random() < 0.15:
        first = f"Andi {first}"
    if pool in (_JAWA, _SUNDA, _MODERN) and rng.random() < 0.25:
        # A middle name: "Agus Budi Santoso", "Siti Nur Rahmawati".
        middle = rng.choice(pool.male if male else pool.female)
        if middle not in first and middle != last:
            first = f"{first} {middle}"
    if first.split()[-1] == last.split()[0]:
        last = last_pool[(last_pool.index(last) + 1) % len(last_pool)]
    return f"{first} {last}", rng.random() < pool.muslim, birthplace


def make_gelar(
    rng: random.Random,
    *,
    edu: str,
    field: str,
    gender: str,
    birth_year: int,
    muslim: bool,
    senior: bool = False,
) -> tuple[str, str]:
    """Return ``(gelar_depan, gelar_belakang)`` for a degree ``edu`` in ``field``.

    ``senior`` officials (JPT, administrators) sometimes carry the haji title.
    """
    d3, s1, s2, old_front = FIELDS.get(field, FIELDS["general"])
    front: list[str] = []
    back: list[str] = []
    if edu == "SMA":
        pass
    elif edu == "D3":
        back.append(rng.choice(d3 or FIELDS["general"][0]))
    else:
        if field == "doctor":
            front.append("dr.")
        elif field == "pharm" and edu != "D3":
            front.append("apt.")
        elif field == "nurse" and rng.random() < 0.8:
            front.append("Ns.")
        elif field == "vet":
            front.append("drh.")
        s1_title = rng.choice(s1)
        # The 1993 title reform: older graduates in these fields carry a front title instead.
        if old_front and old_front not in ("drh.",) and birth_year < 1971 and rng.random() < 0.7:
            title = old_front
            if title == "Drs." and gender == "P":
                title = "Dra."
            front.insert(0, title)
        elif s1_title:
            back.append(s1_title)
        if edu in ("S2", "S3"):
            back.append(rng.choice(s2))
        if edu == "S3":
            front.insert(0, "Dr.")
    if muslim and senior and birth_year < 1980 and rng.random() < 0.3:
        front.append("H." if gender == "L" else "Hj.")
    return " ".join(front), ", ".join(back)
