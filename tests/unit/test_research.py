"""The research export's generalisation: every combination of quasi-identifiers at least k times."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_core.research import LEVELS, MAX_LEFT_OUT, Person, anonymise, generalise

TODAY = date(2026, 11, 23)


def person(n, sex="female", born=date(1990, 5, 5), centre="DSH", registered=date(2026, 3, 14), status="active",
           reason=None, exited=None):
    return Person(f"P{n:04d}", sex, born, centre, registered, status, reason, exited)


def test_a_crowd_keeps_the_finest_level():
    people = [person(n) for n in range(10)]
    rows, summary = anonymise(people, 5, TODAY)
    assert summary.level == 0 and summary.left_out == 0 and len(rows) == 10
    assert rows[0][1:] == ("female", "35-39", "DSH", "2026-03", "active", None, None)


def test_a_lone_person_makes_the_file_coarser_until_they_hide_in_a_group():
    people = [person(n, registered=date(2026, 1 + n % 3, 1)) for n in range(7)]
    rows, summary = anonymise(people, 5, TODAY)
    assert summary.level == 1 and summary.left_out == 0  # months → the first quarter
    assert {row[4] for row in rows} == {"2026-Q1"}


def test_who_stays_in_a_group_smaller_than_k_is_left_out_and_counted():
    people = [person(n) for n in range(30)] + [person(99, sex="male", born=date(1950, 1, 1), status="exited",
                                                       reason="deceased", exited=date(2026, 6, 2))]
    rows, summary = anonymise(people, 5, TODAY, without_consent=4)
    assert summary.left_out == 1 and summary.without_consent == 4 and len(rows) == 30
    assert "P0099" not in {row[0] for row in rows}
    assert "left out in groups smaller than 5" in summary.describe()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["female", "male"]), st.integers(1950, 2008), st.sampled_from(["DSH", "KHJ", "KHG"]),
                          st.integers(1, 12), st.sampled_from([None, "completed", "deceased"])), min_size=1, max_size=80),
       st.integers(2, 8))
def test_every_combination_written_appears_at_least_k_times(data, k):
    people = [person(n, sex=sex, born=date(year, 6, 1), centre=centre, registered=date(2026, month, 1),
                     status="exited" if reason else "active", reason=reason, exited=date(2026, 10, 1) if reason else None)
              for n, (sex, year, centre, month, reason) in enumerate(data)]
    rows, summary = anonymise(people, k, TODAY)
    counts = Counter(row[1:] for row in rows)
    assert all(n >= k for n in counts.values())
    assert summary.rows + summary.left_out == len(people)
    if summary.level < len(LEVELS) - 1:
        assert summary.left_out <= MAX_LEFT_OUT * len(people)
    assert rows == sorted(rows) and len({row[0] for row in rows}) == len(rows)


def test_each_level_is_coarser_than_the_one_before():
    someone = person(1, reason="deceased", status="exited", exited=date(2026, 6, 2))
    seen = [generalise(someone, level, TODAY) for level in LEVELS]
    assert [row[4] for row in seen] == ["2026-03", "2026-Q1", "2026", "2026", "2026"]
    assert [row[3] for row in seen][-1] == "all" and seen[-1][6] == "left"
