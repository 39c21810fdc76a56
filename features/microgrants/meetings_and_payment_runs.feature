Feature: The committee's tally sheet and finance's payment run
  A committee meets once a month. Its secretary prints the agenda's tally sheet, the
  members fill it in (approve with an amount, reject with a reason and a note, abstain,
  or declare a conflict of interest), and the secretary enters the whole sheet at once;
  the meeting then decides the applications in front of it, the best plans first, as long
  as the budget lasts. A sheet with a mistake is not entered at all, and every mistake is
  named by its row. Finance works the same way: its worklist shows which tranches can go
  out today (a first tranche, or a later one whose mentor's visit came), and it enters the
  day's payment run as one sheet.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name             | role             | centre |
      | CW1  | Зарина Назарова  | case_worker      | DSH    |
      | CM1  | Аҳмад Саидов     | committee_member |        |
      | CM2  | Лола Каримова    | committee_member |        |
      | CM3  | Рустам Юсупов    | committee_member |        |
      | CM4  | Нодира Шарипова  | committee_member |        |
      | FO1  | Гулнора Раҷабова | finance_officer  |        |
      | FO2  | Бахтиёр Олимов   | finance_officer  |        |
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And "Фирӯза Қодирова", female, born 05.11.1988, was registered at DSH as DSH-2026-0003
    And DSH-2026-0001 gave consent to the programme
    And DSH-2026-0002 gave consent to the programme
    And DSH-2026-0003 gave consent to the programme
    And the open grant round R2026 has a budget of 20,000 TJS for grants of 3,000 to 10,000 TJS, a quorum of 3, the committee CM1, CM2, CM3, CM4 and the tranche plan "60,40:verified"

  Scenario: The secretary enters the meeting's sheet; the best plans are decided first while the money lasts
    Given DSH-2026-0001's shortlisted plan scored 62
    And DSH-2026-0002's shortlisted plan scored 91
    And DSH-2026-0003's shortlisted plan scored 75
    And DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 each applied in round R2026 for 8,000 TJS
    And a tally sheet "tally.csv" with:
      | application | member | vote     | amount | reason    | note                        |
      | R2026-002   | CM1    | approve  |        |           |                             |
      | R2026-002   | CM2    | approve  | 7000   |           |                             |
      | R2026-002   | CM3    | approve  | 7500   |           |                             |
      | R2026-002   | CM4    | conflict |        | neighbour | lives next door             |
      | R2026-003   | CM1    | approve  |        |           |                             |
      | R2026-003   | CM2    | approve  |        |           |                             |
      | R2026-003   | CM3    | reject   |        | weak_plan | no customers in the mahalla |
      | R2026-001   | CM1    | approve  |        |           |                             |
      | R2026-001   | CM2    | approve  |        |           |                             |
      | R2026-001   | CM3    | abstain  |        |           |                             |
    When the administrator types "reentry --as ADM grants agenda R2026 --out blank.xlsx"
    Then they read "Wrote the tally sheet of round R2026 to blank.xlsx: 12 rows to fill in (vote: approve, reject, abstain or conflict)."
    When the committee member types "reentry --as CM1 grants meeting R2026 tally.csv"
    Then the command is refused as not allowed: "CM1 (committee_member) may not enter a committee meeting's tally sheet"
    When the administrator types "reentry --as ADM grants meeting R2026 tally.csv --decide"
    Then they read "tally.csv: 9 votes, 0 changed, 1 conflicts of interest recorded on 3 applications of round R2026."
    And they read "Decided 2: 2 approved (15,500.00), 0 rejected, 0 deferred; 1 not decided."
    And they see "approving it for 8,000.00 TJS would commit more than the round has left: committed 15,500.00, remaining 4,500.00 TJS"
    And application R2026-002 is approved
    And application R2026-003 is approved
    And application R2026-001 is under_review
    When the committee member types "reentry --as CM2 grants show R2026-002"
    Then they see "lives next door"

  Scenario: A sheet with mistakes is not entered, and each mistake is named by its row
    Given DSH-2026-0001 applied in round R2026 for 6,000 TJS
    And a tally sheet "tally.csv" with:
      | application | member | vote    | amount | reason | note      |
      | R2026-001   | CM1    | approve | 6500   |        |           |
      | R2026-001   | CM2    | reject  |        |        | too risky |
      | R2026-001   | CM3    | approve |        |        |           |
    When the administrator types "reentry --as ADM grants meeting R2026 tally.csv --decide"
    Then the command is refused with "tally.csv: 2 of 3 rows are invalid; nothing was recorded"
    And the refusal names "row 2, amount: 6,500.00 is more than the 6,000.00 TJS requested in R2026-001"
    And the refusal names "row 3, reason: a vote to reject gives a reason, one of weak_plan, not_viable, costs_unrealistic, low_contribution, outside_priorities, funded_elsewhere, other"
    And application R2026-001 is under_review

  Scenario: Finance releases what its worklist says is ready in one payment run
    Given DSH-2026-0001 was granted 8,000 TJS in round R2026, approved by CM1
    And DSH-2026-0002 was granted 5,000 TJS in round R2026, approved by CM1
    When the finance officer types "reentry --as FO1 grants tranches --ready"
    Then they see these rows:
      | application | tranche | amount  | ready |
      | R2026-001   | 1       | 4800.00 | yes   |
      | R2026-002   | 1       | 3000.00 | yes   |
    Given a payment sheet "payments.csv" with:
      | application | method        | items             | supplier    | receipt | reference | eur_rate |
      | R2026-001   | in_kind       | 2 sewing machines | Textile LLC | 0457    |           | 11.65    |
      | R2026-002   | bank_transfer |                   |             |         | TR-118    |          |
    When the finance officer types "reentry --as FO1 grants payments payments.csv"
    Then they read "payments.csv: 2 tranches released, 7,800.00 TJS in all; 0 grants fully paid."
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 1"
    And the second finance officer types "reentry --as FO2 grants confirm R2026-002 --tranche 1"
    Given a mentor visited DSH-2026-0001 on 2026-11-23 and found the business operating with the equipment in place
    When the finance officer types "reentry --as FO1 grants tranches --due"
    Then they see these rows:
      | application | tranche | amount  | ready | verification                                   |
      | R2026-001   | 2       | 3200.00 | yes   | mentoring visit 1, visit of 2026-11-23 by MN1 |
      | R2026-002   | 2       | 2000.00 | no    |                                                |
    Given a payment sheet "second.csv" with:
      | application |
      | R2026-001   |
      | R2026-002   |
    When the finance officer types "reentry --as FO1 grants payments second.csv"
    Then the command is refused with "second.csv: 1 of 2 rows are invalid; no tranche was recorded"
    And the refusal names "row 3, application: tranche 2 of R2026-002 draws on part 2 of the plan (60% on signing, 40% after a verified visit) and needs a verified visit on or after 2026-11-23; none is on file"
    And R2026-001 has 1 tranche

  Scenario: A finance officer enters the same payment run twice
    A payment run's row is known by its grant, its tranche number and its reference:
    entered again, a row that says what is already recorded changes nothing, so a run
    typed in twice never pays a grant's next tranche by mistake.
    Given DSH-2026-0001 was granted 8,000 TJS in round R2026, approved by CM1
    And a mentor visited DSH-2026-0001 on 2026-11-23 and found the business operating with the equipment in place
    And a payment sheet "payments.csv" with:
      | application | tranche | method        | reference |
      | R2026-001   | 1       | bank_transfer | TR-118    |
    When the finance officer types "reentry --as FO1 grants payments payments.csv"
    Then they read "payments.csv: 1 tranches released, 4,800.00 TJS in all; 0 grants fully paid."
    When the finance officer types "reentry --as FO1 grants payments payments.csv"
    Then they read "payments.csv: nothing changed: all 1 rows are already recorded."
    And R2026-001 has 1 tranche
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 1"
    And the finance officer types "reentry --as FO1 grants payments payments.csv"
    Then they read "payments.csv: nothing changed: all 1 rows are already recorded."
    And R2026-001 has 1 tranche
