Feature: Finance releases a grant in tranches
  A grant is paid in tranches by the round's plan, here 60% on signing and 40% after a
  mentor's visit verified that the business is operating and the equipment is there.
  The person who recorded the approval never records its tranches, no tranche goes
  beyond the grant, and an admin may let a tranche out without a visit only with a
  reason that is kept.

  Maker-checker (four eyes, on by default, set per round): a tranche one finance officer
  records is pending until a second person confirms it. Only confirmed money counts in
  the budget and the reports, and a grant's next tranche waits until its last one is
  confirmed. Who may confirm a tranche, or reverse it: a finance officer or an admin
  who did not record it and took no part in deciding the grant (recording its decision,
  voting on it, declaring a conflict on it, or entering a tally sheet with it). A wrong
  tranche is reversed by an audited counter-entry, never deleted; its number is never
  used again, and the part may be paid again as a new tranche. A tranche of a completed
  grant stands. A verified part waits a number of days after the verifying visit only
  when the round says so (grants round payment-rules ROUND --visit-wait DAYS).

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
      | FO1  | Гулнора Раҷабова | finance_officer  |        |
      | FO2  | Бахтиёр Олимов   | finance_officer  |        |
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0001
    And DSH-2026-0001 gave consent to the programme
    And the open grant round R2026 has a budget of 20,000 TJS for grants of 3,000 to 10,000 TJS, a quorum of 3, the committee CM1, CM2, CM3 and the tranche plan "60,40:verified"
    And DSH-2026-0001 was granted 8,000 TJS in round R2026, approved by CM1

  Scenario: Two tranches, the second after a mentor verified the business
    When the finance officer types:
      """
      reentry --as FO1 grants disburse R2026-001 --method in_kind --items "2 sewing machines" \
          --supplier "Textile LLC" --receipt 0457 --eur-rate 11.65
      """
    Then they read "Tranche 1 of R2026-001: 4,800.00 TJS released on 2026-11-23 (in_kind). It counts once a second finance officer confirms it: reentry grants confirm R2026-001 --tranche 1"
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 1"
    Then they read "Tranche 1 of R2026-001 confirmed: 4,800.00 TJS."
    When the finance officer types "reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-118"
    Then the command is refused with "tranche 2 of R2026-001 draws on part 2 of the plan (60% on signing, 40% after a verified visit) and needs a verified visit on or after 2026-11-23; none is on file."
    Given a mentor visited DSH-2026-0001 on 2026-11-23 and found the business operating with the equipment in place
    When the finance officer types "reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-118"
    Then they read "Tranche 2 of R2026-001: 3,200.00 TJS released on 2026-11-23 (bank_transfer). It counts once a second finance officer confirms it: reentry grants confirm R2026-001 --tranche 2"
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 2"
    And the finance officer types "reentry --as FO1 grants show R2026-001"
    Then they see "completed"
    And they see "mentoring visit 1, visit of 2026-11-23 by MN1"
    And they see "412.02"
    When the administrator types "reentry --as ADM grants budget R2026"
    Then they read these figures:
      | field     | value    |
      | committed | 8000.00  |
      | disbursed | 8000.00  |
      | remaining | 12000.00 |

  Scenario: Without a visit an admin lets the tranche out, and the reason is kept
    Given the first tranche of R2026-001 was released and confirmed by FO2
    When the finance officer types "reentry --as FO1 grants override R2026-001 --reason 'the mentor is ill'"
    Then the command is refused as not allowed: "FO1 (finance_officer) may not let a tranche go out without a verified visit, with a reason"
    When the administrator types "reentry --as ADM grants override R2026-001 --reason 'the mentor is on leave; the director saw the workshop'"
    And the finance officer types "reentry --as FO1 grants disburse R2026-001"
    Then they read "Tranche 2 of R2026-001: 3,200.00 TJS released on 2026-11-23 (cash). It counts once a second finance officer confirms it: reentry grants confirm R2026-001 --tranche 2"
    When the finance officer types "reentry --as FO1 grants show R2026-001"
    Then they see "override by ADM: the mentor is on leave; the director saw the workshop"

  Scenario: The member who recorded the approval cannot release its money
    Given CM1 is also a finance officer
    When the committee member types "reentry --as CM1 grants disburse R2026-001"
    Then the command is refused as not allowed: "four eyes: CM1 recorded the approval of R2026-001, so someone else records its tranches"

  Scenario: A tranche beyond the grant is refused
    When the finance officer types "reentry --as FO1 grants disburse R2026-001 --amount 8000.01"
    Then the command is refused with "a tranche of 8,000.01 would bring R2026-001 to 8,000.01, beyond the 8,000.00 TJS granted (8,000.00 TJS left)"
    And R2026-001 has no tranches

  Scenario: Cancelling a grant returns what was not paid out to the budget
    Given the first tranche of R2026-001 was released
    When the administrator types "reentry --as ADM grants cancel R2026-001 --reason 'moved to Russia for work'"
    Then they read "R2026-001 is cancelled; the 4,800.00 TJS paid out stays committed, the rest is back in the budget of round R2026."
    When the administrator types "reentry --as ADM grants budget R2026"
    Then they read these figures:
      | field     | value    |
      | approved  | 8000.00  |
      | returned  | 3200.00  |
      | committed | 4800.00  |
      | remaining | 15200.00 |
      | grants    | 0        |

  Scenario: A tranche counts only once a second finance officer confirms it
    When the finance officer types "reentry --as FO1 grants disburse R2026-001"
    And the administrator types "reentry --as ADM grants budget R2026"
    Then they read these figures:
      | field     | value   |
      | disbursed | 0.00    |
      | pending   | 4800.00 |
    When the finance officer types "reentry --as FO2 grants tranches --pending"
    Then they see these rows:
      | application | number | amount  | recorded by |
      | R2026-001   | 1      | 4800.00 | FO1         |
    When the finance officer types "reentry --as FO1 grants confirm R2026-001 --tranche 1"
    Then the command is refused as not allowed: "four eyes: FO1 recorded tranche 1 of R2026-001, so someone else confirms it"
    Given CM1 is also a finance officer
    When the committee member types "reentry --as CM1 grants confirm R2026-001 --tranche 1"
    Then the command is refused as not allowed: "four eyes: CM1 took part in deciding R2026-001 (its decision, votes or tally sheet), so someone else confirms it"
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 1"
    Then they read "Tranche 1 of R2026-001 confirmed: 4,800.00 TJS."
    When the administrator types "reentry --as ADM grants budget R2026"
    Then they read these figures:
      | field     | value   |
      | disbursed | 4800.00 |
      | pending   | 0.00    |

  Scenario: A wrong tranche is reversed by a counter-entry and paid again
    Given the first tranche of R2026-001 was released
    When the finance officer types "reentry --as FO1 grants reverse R2026-001 --tranche 1 --reason 'wrong account'"
    Then the command is refused as not allowed: "four eyes: FO1 recorded tranche 1 of R2026-001, so someone else reverses it"
    When the second finance officer types "reentry --as FO2 grants reverse R2026-001 --tranche 1 --reason 'paid to the wrong account'"
    Then they read "Tranche 1 of R2026-001 (4,800.00 TJS) reversed: paid to the wrong account"
    When the finance officer types "reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-119"
    Then they read "Tranche 2 of R2026-001: 4,800.00 TJS released on 2026-11-23 (bank_transfer). It counts once a second finance officer confirms it: reentry grants confirm R2026-001 --tranche 2"
    When the finance officer types "reentry --as FO1 grants tranches R2026-001"
    Then they see these rows:
      | number | amount  | status   |
      | 1      | 4800.00 | reversed |
      | 2      | 4800.00 | pending  |
    When the administrator types "reentry --as ADM audit log --key R2026-001"
    Then they see "grants.tranche.reverse"
