from datetime import date

import pytest

from skp_app.org.nip import InvalidNip, format_nip, is_valid_nip, parse_nip


@pytest.mark.parametrize(
    ("nip", "birth", "tmt", "gender", "seq"),
    [
        ("198602162008031001", date(1986, 2, 16), (2008, 3), "L", 1),
        ("197303141997022002", date(1973, 3, 14), (1997, 2), "P", 2),
        ("19680411 199303 1 009", date(1968, 4, 11), (1993, 3), "L", 9),
    ],
)
def test_parse_nip_reads_every_part(nip, birth, tmt, gender, seq):
    info = parse_nip(nip)
    assert info.birth_date == birth
    assert (info.tmt_year, info.tmt_month) == tmt
    assert info.gender == gender
    assert info.sequence == seq
    assert info.tmt_cpns == date(tmt[0], tmt[1], 1)


def test_display_format_round_trips():
    info = parse_nip("198602162008031001")
    assert info.display == "19860216 200803 1 001"
    assert parse_nip(info.display).nip == "198602162008031001"
    assert format_nip("12345") == "12345"


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("", "kosong"),
        ("19860216200803100", "18 digit"),
        ("1986021620080310011", "18 digit"),
        ("19860216A008031001", "selain angka"),
        ("1.98602E+17", "notasi ilmiah"),
        ("198613262008031001", "digit 1-8"),
        ("198602302008031001", "digit 1-8"),
        ("193002162008031001", "Tahun lahir"),
        ("198602161950031001", "TMT"),
        ("198602161999031001", "belum berusia 17"),
        ("198602162008131001", "digit 13-14"),
        ("198602162008001001", "digit 13-14"),
        ("198602162008033001", "digit 15"),
        ("198602162008031000", "000"),
    ],
)
def test_parse_nip_rejects_with_precise_message(nip, fragment):
    with pytest.raises(InvalidNip) as exc:
        parse_nip(nip)
    assert fragment in str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert not is_valid_nip(nip)


def test_pppk_number_uses_relaxed_rule():
    # Digits 13-14 count contracts for NI PPPK, so "13" is fine there but not in a PNS NIP.
    nip = "199001012022132001"
    assert not is_valid_nip(nip)
    info = parse_nip(nip, pppk=True)
    assert info.is_pppk and info.contract_count == 13 and info.tmt_month is None
    assert info.gender == "P"
