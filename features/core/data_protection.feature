Feature: Each person sees only whom they work with, and only what their role needs
  Participants have criminal records; some were referred for drug treatment or to a
  psychologist. A case worker, trainer or mentor at a centre sees that centre's people.
  Head office sees what its work needs: the M&E officer counts people but never reads a
  name or a phone number; a mentor at head office sees the people she mentors. A person
  moves to another centre only by a transfer the sending centre records; leaving the
  programme stops the work that was open for them. Someone who left may ask to be
  forgotten: the administrator erases who they were, and the counts stay.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code | name             | role        | centre |
      | CW1  | Зарина Назарова  | case_worker | DSH    |
      | CW2  | Дилором Ҳасанова | case_worker | KHJ    |
      | ME1  | Фарҳод Саидов    | me_officer  |        |
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001, with these details:
      | phone        | +992 93 123 4567 |
      | release date | 2026-09-30       |
      | facility     | Yavan 3/6        |
    And DSH-2026-0001 gave consent to programme and referrals

  Scenario: A Khujand case worker cannot open or change a Dushanbe file
    When the case worker types "reentry --as CW2 participants show DSH-2026-0001"
    Then the command is refused with "DSH-2026-0001 belongs to Dushanbe; you work at Khujand"
    When the case worker types "reentry --as CW2 participants update DSH-2026-0001 --phone '+992 93 000 0000'"
    Then the command is refused with "DSH-2026-0001 belongs to Dushanbe; you work at Khujand"
    When the case worker types "reentry --as CW2 referrals add DSH-2026-0001 --service legal --to 'Legal aid' --reason documents"
    Then the command is refused with "DSH-2026-0001 belongs to Dushanbe; you work at Khujand"
    When the case worker types "reentry --as CW2 participants list"
    Then they read "No participants found."

  Scenario: The M&E officer gets counts, never names
    When the M&E officer types "reentry --as ME1 --format csv participants list"
    Then they see "DSH-2026-0001"
    And they do not see "Ҷамшед Раҳимов"
    And they do not see "1985-03-12"
    When the M&E officer types "reentry --as ME1 --format json audit log --key DSH-2026-0001"
    Then they do not see "Ҷамшед Раҳимов"
    And they do not see "+992931234567"
    And they do not see "Yavan 3/6"
    When the M&E officer types "reentry --as ME1 report programme"
    Then the command succeeds

  Scenario: A mentor at head office sees only her mentees
    Given "Мадина Сафарова", female, born 01.02.1990, was registered at DSH as DSH-2026-0002
    And MN1, a mentor at head office, mentors DSH-2026-0002
    When the mentor types "reentry --as MN1 participants list"
    Then they see "DSH-2026-0002"
    And they see "Мадина Сафарова"
    And they do not see "DSH-2026-0001"
    When the mentor types "reentry --as MN1 participants show DSH-2026-0001"
    Then the command is refused with "DSH-2026-0001 belongs to Dushanbe; you work at head office"

  Scenario: A drug-treatment referral is read only by those who need to know
    Given DSH-2026-0001 was referred to "Narcology centre" for drug_treatment help, and the referral is open
    When the case worker types "reentry --as CW1 referrals list"
    Then they see "Narcology centre"
    When the M&E officer types "reentry --as ME1 referrals list"
    Then they do not see "Narcology centre"

  Scenario: The sending centre transfers a participant, and the file moves with them
    When the case worker types "reentry --as CW1 participants transfer DSH-2026-0001 --to KHJ --reason 'moved to Khujand'"
    Then they read "DSH-2026-0001 now belongs to KHJ."
    When the case worker types "reentry --as CW2 participants show DSH-2026-0001"
    Then they see "Ҷамшед Раҳимов"
    When the case worker types "reentry --as CW1 participants show DSH-2026-0001"
    Then the command is refused with "DSH-2026-0001 belongs to Khujand; you work at Dushanbe"

  Scenario: Leaving the programme stops open referrals until the person is readmitted
    Given DSH-2026-0001 was referred to "Legal aid centre" for legal help, and the referral is open
    When the case worker types "reentry --as CW1 participants exit DSH-2026-0001 --reason withdrew"
    Then referral 1 is cancelled
    When the case worker types "reentry --as CW1 referrals add DSH-2026-0001 --service legal --to 'Legal aid' --reason again"
    Then the command is refused with "DSH-2026-0001 has left the programme; no new referral can be opened"
    When the case worker types "reentry --as CW1 participants readmit DSH-2026-0001 --reason 'came back'"
    Then they read "DSH-2026-0001 is back in the programme."
    When the case worker types "reentry --as CW1 referrals add DSH-2026-0001 --service legal --to 'Legal aid' --reason again"
    Then the command succeeds

  Scenario: The administrator erases someone who left and asked to be forgotten
    Given DSH-2026-0001 was referred to "Legal aid centre" for legal help, and the referral is open
    When the case worker types "reentry --as CW1 participants exit DSH-2026-0001 --reason withdrew"
    And the administrator types "reentry --as ADM participants erase DSH-2026-0001 --reason 'asked on 2026-11-20' --dry-run"
    Then they see "1 person would be erased; nothing was changed (dry run)."
    When the administrator types "reentry --as ADM participants erase DSH-2026-0001 --reason 'asked on 2026-11-20'"
    Then they see "1 person erased."
    When the administrator types "reentry --as ADM participants show DSH-2026-0001"
    Then they see "(erased)"
    And they do not see "Ҷамшед Раҳимов"
    When the administrator types "reentry --as ADM --format json audit log --key DSH-2026-0001"
    Then they do not see "Ҷамшед Раҳимов"
    And they do not see "Yavan 3/6"
    When the administrator types "reentry --as ADM audit verify"
    Then they see "The audit trail is intact"

  Scenario: Only the administrator erases, and only people who left
    When the case worker types "reentry --as CW1 participants erase DSH-2026-0001 --reason asked"
    Then the command is refused with "CW1 (case_worker) may not erase people who left"
    When the administrator types "reentry --as ADM participants erase DSH-2026-0001 --reason asked"
    Then the command is refused with "DSH-2026-0001 is still in the programme: record their exit first"
