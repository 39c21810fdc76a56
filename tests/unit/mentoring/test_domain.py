"""Mentoring's domain rules without a database: visits, profiles, settings, the score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reentry_core.convert import structure
from reentry_core.domain import ServiceType, Sex
from reentry_core.errors import InvalidInput
from reentry_mentoring.domain import (
    BusinessStatus, Language, MenteeProfile, MentorProfile, RiskFlag, RiskReferral, Settings, Visit, VisitMode,
    normalise_sector, parse_risk_referral, rank, referral_changes, score_mentor,
)

VISIT = {"participant": "dsh-2026-0001", "mentor": "mn1", "visited_on": "12.07.2026", "mode": "on site",
         "business_status": "Operating"}


def test_a_visit_is_built_from_what_people_type():
    visit = structure({**VISIT, "revenue": "4 500,50", "costs": "0", "risk_flags": ["substance use", "Police"],
                       "equipment_seen": "yes", "owners": 1}, Visit)
    assert (visit.participant, visit.mentor, visit.visited_on) == ("DSH-2026-0001", "MN1", date(2026, 7, 12))
    assert visit.mode is VisitMode.ON_SITE and visit.business_status is BusinessStatus.OPERATING
    assert visit.revenue == Decimal("4500.50") and visit.costs == Decimal("0.00")
    assert visit.risk_flags == {RiskFlag.RELAPSE, RiskFlag.POLICE_HARASSMENT}
    assert visit.profit == Decimal("4500.50") and visit.people_working == 1 and visit.verifies


@pytest.mark.parametrize("changes, message", [
    ({"revenue": "-1"}, "revenue: -1 is negative"),
    ({"costs": "1.0005"}, "costs: 1.0005 has more than two decimals"),
    ({"revenue": "a lot"}, "revenue: 'a lot' is not a number"),
    ({"business_status": "bankrupt"}, "business_status: 'bankrupt' is not one of operating"),
    ({"mode": "pigeon"}, "mode: 'pigeon' is not one of on_site, phone, video"),
    ({"risk_flags": ["debt", "ufo"]}, "'ufo' is not one of relapse"),
    ({"mode": "phone", "equipment_seen": True}, "equipment_seen: a phone call cannot see the equipment"),
    ({"owners": 21}, "owners: 21 is not between 0 and 20"),
    ({"visited_on": "31.06.2026"}, "visited_on: '31.06.2026' is not a date"),
    ({"advice": "x" * 2001}, "advice is longer than 2000 characters"),
])
def test_a_bad_visit_names_the_field_in_one_line(changes, message):
    with pytest.raises(InvalidInput) as err:
        structure({**VISIT, **changes}, Visit)
    assert message in err.value.message and "\n" not in err.value.message


def test_a_visit_without_figures_has_no_profit_and_no_head_count():
    visit = structure({**VISIT, "revenue": "100"}, Visit)
    assert visit.profit is None and visit.people_working is None and not visit.verifies
    assert structure({**VISIT, "owners": 0, "hired_workers": 0}, Visit).people_working == 0


@pytest.mark.parametrize("typed, key", [("Car repair", "car_repair"), ("car-repair", "car_repair"),
                                        ("  SEWING ", "sewing"), ("Қаннодӣ", "қаннодӣ"), ("welding 2", "welding_2")])
def test_a_sector_is_spelled_one_way(typed, key):
    assert normalise_sector(typed) == key


@pytest.mark.parametrize("typed", ["", "   ", "!!", "123", "a" * 61])
def test_a_sector_that_is_no_word_is_refused(typed):
    with pytest.raises(InvalidInput, match="sector"):
        normalise_sector(typed)


def test_languages_accept_codes_and_names():
    profile = MenteeProfile("DSH-2026-0001", languages="Tajik, русский, uz")
    assert profile.languages == {Language.TG, Language.RU, Language.UZ}
    with pytest.raises(InvalidInput, match="languages: 'klingon' is not one of tg, ru, uz, en, ky, fa"):
        MenteeProfile("DSH-2026-0001", languages="tg,klingon")


def test_settings_by_default_and_their_limits():
    settings = Settings()
    assert settings.offsets == (1, 3, 6, 12) and settings.window_days == 14
    assert settings.referral_for(RiskFlag.RELAPSE) == RiskReferral(ServiceType.DRUG_TREATMENT, "Drug treatment service")
    assert settings.referral_for(RiskFlag.POLICE_HARASSMENT).service_type is ServiceType.LEGAL
    assert settings.referral_for(RiskFlag.FAMILY_CONFLICT).service_type is ServiceType.PSYCHOLOGICAL
    assert Settings(offsets="2, 4,6", window_days="20").offsets == (2, 4, 6)
    for offsets, window, message in [("3,1", 14, "must grow"), ("", 14, "at least one month"),
                                     ("0,3", 14, "between 1 and 60"), ("1,x", 14, "whole months"),
                                     ("1,3", -1, "between 0 and 60"), ("1,3", "two", "'two' is not a whole number"),
                                     ("1,2", 14, "would overlap")]:
        with pytest.raises(InvalidInput, match=message):
            Settings(offsets=offsets, window_days=window)


def test_settings_survive_the_round_trip_to_plain_data():
    changed = Settings(offsets=(1, 6), risk_referrals={"other": None, "debt": {"service_type": "legal",
                                                                               "to_whom": "Debt clinic"}})
    plain = changed.to_plain()
    assert plain["risk_referrals"]["other"] is None and plain["risk_referrals"]["debt"]["to_whom"] == "Debt clinic"
    assert Settings(**plain) == changed


def test_risk_referrals_typed_as_text_or_given_as_a_mapping():
    assert parse_risk_referral("police=legal:Legal aid centre") == (
        RiskFlag.POLICE_HARASSMENT, RiskReferral(ServiceType.LEGAL, "Legal aid centre"))
    assert parse_risk_referral("health=none") == (RiskFlag.HEALTH, None)
    flag, target = parse_risk_referral("debt=documents")  # to whom: the default's
    assert target == RiskReferral(ServiceType.DOCUMENTS, "Legal aid (debt advice)")
    assert referral_changes({"relapse": ("drug_treatment", "Narcology centre"), "other": None}) == [
        (RiskFlag.RELAPSE, RiskReferral(ServiceType.DRUG_TREATMENT, "Narcology centre")), (RiskFlag.OTHER, None)]
    with pytest.raises(InvalidInput, match="'alien' is not one of relapse"):
        parse_risk_referral("alien=legal:x")


def mentor(code, centre="DSH", sex="female", capacity=4, languages="tg", sectors="sewing"):
    return MentorProfile(code, centre, sex, capacity, languages, sectors, full_name=code)


def test_the_score_adds_the_documented_points():
    wants = MenteeProfile("DSH-2026-0001", languages="tg", sector="sewing", same_sex_mentor=True)
    best = score_mentor(mentor("MN1"), 0, "DSH", Sex.FEMALE, wants)
    assert best.score == 30 + 25 + 20 + 15 + 10
    half = score_mentor(mentor("MN1", capacity=4), 2, "DSH", "female", wants)
    assert half.score == 30 + 25 + 20 + 8 + 10 and "2 of 4 places free (+8)" in half.reasons  # 7.5 rounds up
    nothing = score_mentor(mentor("MN2", centre="KHJ", sex="male", languages="ru", sectors="welding", capacity=2), 2,
                           "DSH", "female", wants)
    assert nothing.score == 0 and not nothing.has_place
    indifferent = score_mentor(mentor("MN2", sex="male"), 0, "DSH", "female",
                               MenteeProfile("DSH-2026-0001", same_sex_mentor=False))
    assert indifferent.score == 30 + 15 and not any("man" in reason for reason in indifferent.reasons)


def test_ranking_puts_free_places_first_then_score_then_the_least_loaded():
    wants = MenteeProfile("DSH-2026-0001", languages="tg", sector="sewing")
    full = score_mentor(mentor("MN1", capacity=1), 1, "DSH", "female", wants)
    busy = score_mentor(mentor("MN2", capacity=4), 2, "DSH", "female", wants)
    free = score_mentor(mentor("MN3", capacity=8), 4, "DSH", "female", wants)
    assert busy.score == free.score
    assert [s.mentor for s in rank([full, free, busy])] == ["MN2", "MN3", "MN1"]
