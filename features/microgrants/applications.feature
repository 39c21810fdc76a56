Feature: Applying for a grant
  A case worker enters a participant's application in an open round with its budget
  lines: what is bought, how many, at what unit cost, in cash or in kind, and from whom.
  The amount requested is the sum of the lines and must lie between the round's
  smallest and largest grant. Eligibility is checked on submission; an ineligible
  application is kept with its reasons. Bad input is refused in one line and nothing
  is written.

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
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0001
    And DSH-2026-0001 gave consent to the programme
    And the open grant round R2026 has a budget of 20,000 TJS for grants of 3,000 to 10,000 TJS, a quorum of 3 and the committee CM1, CM2, CM3

  Scenario: An application with two budget lines goes to the committee
    When the case worker types:
      """
      reentry --as CW1 grants apply R2026 DSH-2026-0001 --contribution 1500 \
          --line "Sewing machine;2;3500;in_kind;Textile LLC" --line "Fabric;10;120;cash" --submit
      """
    Then they read "R2026-001 of DSH-2026-0001: 8,200.00 TJS requested, under review."
    When the committee member types "reentry --as CM1 grants list --round R2026"
    Then they see these rows:
      | code      | participant   | name            | status       | requested |
      | R2026-001 | DSH-2026-0001 | Мадина Сафарова | under_review | 8200.00   |

  Scenario Outline: A bad amount is refused and nothing is written
    When the case worker types "reentry --as CW1 grants apply R2026 DSH-2026-0001 --line 'Sewing machine;1;<unit cost>;in_kind;Textile LLC'"
    Then the command is refused with "<message>"
    And round R2026 has no applications

    Examples:
      | unit cost | message                                                                     |
      | -3500     | line 1: unit_cost: -3500 must be more than zero                             |
      | 0         | line 1: unit_cost: 0 must be more than zero                                 |
      | three     | line 1: unit_cost: 'three' is not a number                                  |
      | 3500.5055  | line 1: unit_cost: 3500.5055 has more than two decimals                      |
      | 10500     | requested 10,500.00 TJS is above the round's maximum grant of 10,000.00 TJS |

  Scenario: A closed round takes no applications
    When the administrator types "reentry --as ADM grants round close R2026"
    And the case worker types "reentry --as CW1 grants apply R2026 DSH-2026-0001 --line 'Sewing machine;1;5000'"
    Then the command is refused with "cannot apply: round R2026 is closed"
    And round R2026 has no applications

  Scenario: One open application per participant in a round
    Given DSH-2026-0001 applied in round R2026 for 5,000 TJS
    When the case worker types "reentry --as CW1 grants apply R2026 DSH-2026-0001 --line 'Oven;1;4000'"
    Then the command is refused with "DSH-2026-0001 already has application R2026-001 (under_review) in round R2026"
    When the case worker types "reentry --as CW1 grants withdraw R2026-001 --reason 'found work in Khujand'"
    Then they read "R2026-001 is withdrawn."

  Scenario: An application that does not meet the round's requirements is kept with its reasons
    Given the open grant round STRICT requires a shortlisted plan and the committee CM1, CM2, CM3
    When the case worker types "reentry --as CW1 grants apply STRICT DSH-2026-0001 --line 'Sewing machine;1;5000' --submit"
    Then they read "STRICT-001 of DSH-2026-0001 is ineligible and kept with its reasons: DSH-2026-0001 has no shortlisted business plan"
    And application STRICT-001 is ineligible

  Scenario: An unknown application code is named
    When the committee member types "reentry --as CM1 grants show R2026-042"
    Then the command is refused with "application 'R2026-042' does not exist"
