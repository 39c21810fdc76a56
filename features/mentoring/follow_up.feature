Feature: The follow-up schedule
  When the first tranche of a grant is paid, the mentor owes visits 1, 3, 6 and 12
  months later. Each visit has a window of two weeks either side of its date: inside
  it the visit is on time. Microgrants tells mentoring when a tranche is paid; where
  microgrants is not used, a case worker starts the schedule by hand. A grant is
  followed once, however often the news arrives.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And these mentors:
      | code | name            | sex    | centre | capacity | languages | sectors |
      | MN1  | Фарида Каримова | female | DSH    | 5        | tg, ru    | sewing  |
    And "Мадина Сафарова", female, born 01.02.1990, was registered at DSH as DSH-2026-0001
    And MN1 mentors DSH-2026-0001

  Scenario: The first tranche starts the schedule of visits
    Given microgrants approved grant G-2026-014 of DSH-2026-0001 for a sewing business
    And today is 2026-06-10
    When microgrants records tranche 1 of G-2026-014, released on 2026-06-10
    And the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001"
    Then they see these rows:
      | grant      | status | visit     | due on     | window                  | state    |
      | G-2026-014 | active | 1 month   | 2026-07-10 | 2026-06-26 … 2026-07-24 | upcoming |
      | G-2026-014 | active | 3 months  | 2026-09-10 | 2026-08-27 … 2026-09-24 | upcoming |
      | G-2026-014 | active | 6 months  | 2026-12-10 | 2026-11-26 … 2026-12-24 | upcoming |
      | G-2026-014 | active | 12 months | 2027-06-10 | 2027-05-27 … 2027-06-24 | upcoming |

  Scenario: A schedule starting on the last day of a month keeps to the months' ends
    Given today is 2026-06-01
    When the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001 --from 31.05.2026"
    And the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001"
    Then they see these rows:
      | visit     | due on     |
      | 1 month   | 2026-06-30 |
      | 3 months  | 2026-08-31 |
      | 6 months  | 2026-11-30 |
      | 12 months | 2027-05-31 |

  Scenario: The same tranche announced twice does not make a second schedule
    Given microgrants approved grant G-2026-014 of DSH-2026-0001 for a sewing business
    And today is 2026-06-12
    And microgrants recorded tranche 1 of G-2026-014, released on 2026-06-10
    When microgrants records tranche 1 of G-2026-014, released on 2026-06-10
    Then DSH-2026-0001 has 1 follow-up schedule, started on 2026-06-10, with 4 visits due

  Scenario: Without microgrants the schedule is started by hand, once per grant
    Given today is 2026-06-12
    When the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001 --from 2026-06-10 --grant G-2026-014"
    Then they read "Follow-up of DSH-2026-0001 started on 2026-06-10: 4 visits due, the first on 2026-07-10 (window 2026-06-26 … 2026-07-24)."
    When the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001 --from 2026-06-10 --grant G-2026-014"
    Then the command is refused with "grant G-2026-014 already has a follow-up schedule (DSH-2026-0001, active)"
    And DSH-2026-0001 has 1 follow-up schedule, started on 2026-06-10, with 4 visits due

  Scenario: A start date in the future is refused
    Given today is 2026-06-12
    When the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001 --from 2026-07-01"
    Then the command is refused with "start date 2026-07-01 is in the future"
    And DSH-2026-0001 has no follow-up schedule

  Scenario: An overdue visit shows up in due --overdue
    Given today is 2026-06-12
    And the case worker started the follow-up of DSH-2026-0001 on 2026-06-10
    And today is 2026-08-01
    When the mentor types "reentry --as MN1 mentoring due --overdue"
    Then they see these rows:
      | due on     | participant   | mentor | visit         | state                             |
      | 2026-07-10 | DSH-2026-0001 | MN1    | 1-month visit | OVERDUE: window closed 2026-07-24 |
    And they do not see "3-month visit"
    When the mentor types "reentry --as MN1 mentoring due --within 45"
    Then they see these rows:
      | due on     | visit         | state                             |
      | 2026-07-10 | 1-month visit | OVERDUE: window closed 2026-07-24 |
      | 2026-09-10 | 3-month visit | in 40 days                        |
