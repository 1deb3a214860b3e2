"""NIP structure: 18 digits = birth date YYYYMMDD, appointment YYYYMM, sex 1/2, serial;
and which employment status needs, allows or forbids a NIP."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from opd.models import TeamMember
from opd.services.teams import clean_identity, parse_nip
from tests.factories import nip


def codes(value):
    with pytest.raises(ValidationError) as caught:
        parse_nip(value)
    return caught.value.code


def test_a_valid_nip_is_read_into_its_parts():
    info = parse_nip("198503122010011003")
    assert info.birth_date == datetime.date(1985, 3, 12)
    assert (info.appointment_year, info.appointment_month) == (2010, 1)
    assert info.sex == "L" and info.serial == "003"
    assert parse_nip(nip(sex="2")).sex == "P"


def test_spaces_and_dots_as_usually_written_are_accepted():
    assert parse_nip("19850312 201001 1 003").nip == "198503122010011003"
    assert parse_nip("19850312.201001.1.003").nip == "198503122010011003"


@pytest.mark.parametrize(
    "value, code",
    [
        ("19850312201001100", "nip_length"),  # 17 digits
        ("1985031220100110031", "nip_length"),  # 19 digits
        ("", "nip_length"),
        ("19850312201001100A", "nip_digits"),
        ("1985-03-12-2010011", "nip_digits"),
        ("１９８５０３１２２０１００１１００３", "nip_digits"),  # full-width digits
        ("198502302010011003", "nip_birth_date"),  # 30 February
        ("198513012010011003", "nip_birth_date"),  # month 13
        ("198503002010011003", "nip_birth_date"),  # day 0
        ("198503122010131003", "nip_appointment_month"),
        ("198503122010001003", "nip_appointment_month"),
        ("198503121999011003", "nip_appointment_year"),  # appointed at 14
        ("198503122010013003", "nip_sex"),
        ("198503122010010003", "nip_sex"),
    ],
)
def test_invalid_nips_are_refused_with_the_reason(value, code):
    assert codes(value) == code


def test_leap_day_birth_dates_exist_only_in_leap_years():
    assert parse_nip(nip(birth="19880229")).birth_date == datetime.date(1988, 2, 29)
    assert codes(nip(birth="19890229")) == "nip_birth_date"


def test_appointment_from_seventeen_years_after_birth():
    assert parse_nip(nip(birth="19850312", appointed="200201")).appointment_year == 2002
    assert codes(nip(birth="19850312", appointed="200112")) == "nip_appointment_year"


S = TeamMember.Status


def test_a_civil_servant_needs_a_valid_nip():
    assert clean_identity(S.PNS, "19850312 201001 1 003") == "198503122010011003"
    with pytest.raises(ValidationError) as caught:
        clean_identity(S.PNS, "")
    assert "nip" in caught.value.message_dict
    with pytest.raises(ValidationError):
        clean_identity(S.PNS, "123")


def test_pppk_may_have_a_nip_ptt_and_non_asn_have_none():
    assert clean_identity(S.PPPK, "") == ""
    assert clean_identity(S.PPPK, nip(appointed="202201")) == nip(appointed="202201")
    assert clean_identity(S.PTT, "") == ""
    assert clean_identity(S.NON_ASN, " ") == ""
    for status in (S.PTT, S.NON_ASN):
        with pytest.raises(ValidationError):
            clean_identity(status, nip())
