Feature: The grant committee decides within the budget
  A grant round has a budget, and a committee votes on every application. A member
  with a conflict of interest on an application neither votes on it nor counts towards
  the quorum. The decision follows the majority of the valid votes; an approval is for
  the median of the amounts the approving members voted. No decision may commit more
  money than the round has left.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role             | centre |
      | CW1  | Зарина Назарова | case_worker      | DSH    |
      | CM1  | Аҳмад Саидов    | committee_member |        |
      | CM2  | Лола Каримова   | committee_member |        |
      | CM3  | Рустам Юсупов   | committee_member |        |
      | CM4  | Нодира Шарипова | committee_member |        |
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And "Фирӯза Қодирова", female, born 05.11.1988, was registered at DSH as DSH-2026-0003
    And DSH-2026-0001 gave consent to the programme
    And DSH-2026-0002 gave consent to the programme
    And DSH-2026-0003 gave consent to the programme
    And the open grant round R2026 has a budget of 20,000 TJS for grants of 3,000 to 10,000 TJS, a quorum of 3 and the committee CM1, CM2, CM3, CM4

  Scenario: Four members, one of them conflicted, decide three applications; the budget covers two
    Given DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 each applied in round R2026 for 8,000 TJS
    When the committee member types "reentry --as CM4 grants conflict declare R2026-002 --kind neighbour --note 'lives next door'"
    Then they read "Recorded: CM4 has a conflict of interest (neighbour) on R2026-002."
    When the committee member types "reentry --as CM4 grants vote R2026-002 approve"
    Then the command is refused as not allowed: "CM4 declared a conflict of interest (neighbour) on R2026-002 and cannot vote on it"
    Given these votes:
      | application | CM1     | CM2          | CM3          | CM4          |
      | R2026-001   | approve | approve 7000 | approve 7500 | approve 8000 |
      | R2026-002   | approve | approve      |              |              |
      | R2026-003   | approve | approve      | approve      | abstain      |
    When the committee member types "reentry --as CM1 grants decide R2026-001"
    Then they read "R2026-001 is approved (7,750.00): 4 approve, 0 reject, 0 abstain of 4 valid votes (quorum 3); amount: the median of the approving amounts 7,000.00, 7,500.00, 8,000.00, 8,000.00 = 7,750.00 TJS."
    When the committee member types "reentry --as CM1 grants decide R2026-002"
    Then the command is refused with "no quorum on R2026-002: 2 valid votes, 3 needed (conflict of interest: CM4; not yet voted: CM3)"
    Given these votes:
      | application | CM3                                           |
      | R2026-002   | reject weak_plan: no customers in the mahalla |
    When the committee member types "reentry --as CM1 grants decide R2026-002"
    Then they read "R2026-002 is approved (8,000.00): 2 approve, 1 reject, 0 abstain of 3 valid votes (quorum 3); amount: the median of the approving amounts 8,000.00, 8,000.00 = 8,000.00 TJS."
    When the committee member types "reentry --as CM1 grants decide R2026-003"
    Then the command is refused with "approving R2026-003 for 8,000.00 TJS would commit more than round R2026 has left: budget 20,000.00, committed 15,750.00, remaining 4,250.00 TJS"
    And application R2026-003 is under_review
    When the administrator types "reentry --as ADM grants budget R2026"
    Then they read these figures:
      | field       | value    |
      | budget      | 20000.00 |
      | committed   | 15750.00 |
      | disbursed   | 0.00     |
      | remaining   | 4250.00  |
      | grants      | 2        |
      | women share | 50.0%    |
    When the committee member types "reentry --as CM2 grants show R2026-002"
    Then they see "Conflicts of interest"
    And they see "lives next door"
    And they see "no customers in the mahalla"

  Scenario: A donor's top-up lets the committee approve what the budget could not cover
    Given DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 each applied in round R2026 for 8,000 TJS
    And these votes:
      | application | CM1     | CM2     | CM3     | CM4     |
      | R2026-001   | approve | approve | approve | approve |
      | R2026-002   | approve | approve | approve | approve |
      | R2026-003   | approve | approve | approve | approve |
    When the committee member types "reentry --as CM1 grants decide R2026-001"
    And the committee member types "reentry --as CM1 grants decide R2026-002"
    And the committee member types "reentry --as CM1 grants decide R2026-003"
    Then the command is refused with "would commit more than round R2026 has left"
    When the administrator types "reentry --as ADM grants round change R2026 --budget 30000 --reason 'EU top-up, letter of 1 December'"
    Then they see "Round R2026 changed: budget 30,000.00 TJS, grants 3,000.00 to 10,000.00 TJS"
    When the committee member types "reentry --as CM1 grants decide R2026-003"
    Then they see "R2026-003 is approved (8,000.00)"
    When the administrator types "reentry --as ADM grants round change R2026 --budget 20000 --reason 'the donor took back its top-up'"
    Then the command is refused with "budget 20,000.00 is below what round R2026 has committed (24,000.00 TJS); cancel or reduce grants first"
    When the administrator types "reentry --as ADM audit log --action grants.round.change"
    Then they see these rows:
      | actor | action              |
      | ADM   | grants.round.change |

  Scenario: A conflict of interest declared on the wrong application is withdrawn, and the member votes
    Given DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 each applied in round R2026 for 8,000 TJS
    When the committee member types "reentry --as CM4 grants conflict declare R2026-001 --kind neighbour --note 'lives next door'"
    And the committee member types "reentry --as CM4 grants conflict list R2026-001"
    Then they see these rows:
      | member | kind      | note            |
      | CM4    | neighbour | lives next door |
    When the committee member types "reentry --as CM4 grants conflict withdraw R2026-001 --reason 'my neighbour applied as R2026-002, not this one'"
    Then they read "Withdrawn: CM4 no longer has a conflict of interest on R2026-001; they may vote on it."
    When the committee member types "reentry --as CM4 grants vote R2026-001 approve"
    Then the command succeeds

  Scenario: Without a majority the application is deferred and stays open
    Given DSH-2026-0001 applied in round R2026 for 6,000 TJS
    And these votes:
      | application | CM1     | CM2                                       | CM3     |
      | R2026-001   | approve | reject costs_unrealistic: prices too high | abstain |
    When the committee member types "reentry --as CM1 grants decide R2026-001"
    Then they read "R2026-001 is deferred: 1 approve, 1 reject, 1 abstain of 3 valid votes (quorum 3); no majority either way."
    When the committee member types "reentry --as CM3 grants vote R2026-001 approve --amount 5000 --change"
    And the committee member types "reentry --as CM1 grants decide R2026-001"
    Then they read "R2026-001 is approved (5,500.00): 2 approve, 1 reject, 0 abstain of 3 valid votes (quorum 3); amount: the median of the approving amounts 5,000.00, 6,000.00 = 5,500.00 TJS."

  Scenario: Votes that do not count are refused
    Given DSH-2026-0001 applied in round R2026 for 6,000 TJS
    And these staff members:
      | code | name           | role             | centre |
      | CM5  | Шоҳрух Мирзоев | committee_member |        |
    When the committee member types "reentry --as CM5 grants vote R2026-001 approve"
    Then the command is refused as not allowed: "CM5 is not on the committee of round R2026 and cannot vote on R2026-001"
    When the committee member types "reentry --as CM1 grants vote R2026-001 approve --amount 6500"
    Then the command is refused with "amount 6,500.00 is more than the 6,000.00 TJS requested in R2026-001"
    When the committee member types "reentry --as CM1 grants vote R2026-001 approve"
    And the committee member types "reentry --as CM1 grants vote R2026-001 abstain"
    Then the command is refused with "CM1 has already voted on R2026-001 (approve 6,000.00); to change the vote say so (--change)"
