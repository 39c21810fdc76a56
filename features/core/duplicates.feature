Feature: One person registered twice is found and merged into one record
  Two desks sometimes register the same person: one types the name in Tajik Cyrillic,
  the other in Latin letters with the surname first, or a second centre registers someone
  who came back. The case worker looks at the pairs that may be one person, and merges
  the two records into one: one code stays, the other still finds the person, and the
  consent, referrals, plans, grants and visits of both are kept together. The audit trail
  keeps both records as they were, who merged them and why.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    And "Rakhimov Jamshed", male, born 12.03.1985, was registered at DSH as DSH-2026-0002

  Scenario: The case worker sees that two records may be one person
    When the case worker types "reentry --as CW1 participants duplicates"
    Then they see these rows:
      | first         | first name     | second        | second name      | reasons                                            |
      | DSH-2026-0001 | Ҷамшед Раҳимов | DSH-2026-0002 | Rakhimov Jamshed | the same name (spelled alike); the same birth date |

  Scenario: The case worker merges the two records and the old code still finds the person
    Given DSH-2026-0002 gave consent to the programme and referrals
    And DSH-2026-0002 was referred to "Legal aid centre, Dushanbe" for legal help, and the referral is open
    When the case worker types:
      """
      reentry --as CW1 participants merge DSH-2026-0001 DSH-2026-0002 --reason "registered twice, same passport"
      """
    Then they read "Merged DSH-2026-0002 into DSH-2026-0001: 2 records moved; DSH-2026-0002 now finds DSH-2026-0001."
    And the register holds 1 participant
    When the case worker types "reentry --as CW1 participants show DSH-2026-0002"
    Then they see "DSH-2026-0001"
    And they see "Legal aid centre, Dushanbe"
    When the case worker types "reentry --as CW1 participants duplicates"
    Then they read "No likely duplicates found."

  Scenario: A merge without a reason is refused and nothing changes
    When the case worker types "reentry --as CW1 participants merge DSH-2026-0001 DSH-2026-0002 --reason ' '"
    Then the command is refused with "reason: say why the two records are one person"
    And the register holds 2 participants

  Scenario: Only an admin merges records made at two centres
    Given "Jamshed Rahimov", male, born 12.03.1985, was registered at KHJ as KHJ-2026-0001
    When the case worker types "reentry --as CW1 participants merge DSH-2026-0001 KHJ-2026-0001 --reason 'same person'"
    Then the command is refused as not allowed: "KHJ-2026-0001"
    When the administrator types "reentry --as ADM participants merge DSH-2026-0001 KHJ-2026-0001 --reason 'came back from Khujand'"
    Then they read "Merged KHJ-2026-0001 into DSH-2026-0001: 0 records moved; KHJ-2026-0001 now finds DSH-2026-0001."
