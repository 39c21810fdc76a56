Feature: Registering a participant
  A case worker at a reintegration centre registers each person who joins the
  programme after release. Every participant gets a public code that never changes:
  the centre, the year and a number, e.g. DSH-2026-0001. Names are written in Tajik or
  Russian Cyrillic; however a name was typed, it is stored one way, so the same person
  is always found and never registered twice by accident.

  Facility, release date and offence are sensitive: only case workers and admins see them.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code | name             | role        | centre |
      | CW1  | Зарина Назарова  | case_worker | DSH    |
      | TR1  | Фарҳод Саидов    | trainer     | DSH    |
      | CW2  | Дилором Ҳасанова | case_worker | KHJ    |

  Scenario: The first participant of the year gets the centre's first code
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 12.03.1985 --centre DSH
      """
    Then they read "Registered Ҷамшед Раҳимов as DSH-2026-0001."
    And the register holds 1 participant
    And participant DSH-2026-0001 is "Ҷамшед Раҳимов", born 1985-03-12, at DSH

  Scenario: The next participant gets the next number, and each centre counts on its own
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Мадина Сафарова" --sex female --birth-date 1992-07-01 --centre DSH
      """
    Then they read "Registered Мадина Сафарова as DSH-2026-0002."
    When the case worker types:
      """
      reentry --as CW2 participants add --name "Фирӯза Қодирова" --sex female --birth-date 05.11.1988 --centre KHJ
      """
    Then they read "Registered Фирӯза Қодирова as KHJ-2026-0001."
    And the register holds 3 participants

  Scenario: Extra spaces in a typed name are not kept
    When the case worker types:
      """
      reentry --as CW1 participants add --name "  Ҷамшед    Раҳимов " --sex male --birth-date 1985-03-12 --centre DSH
      """
    Then they read "Registered Ҷамшед Раҳимов as DSH-2026-0001."
    And participant DSH-2026-0001 is "Ҷамшед Раҳимов", born 1985-03-12, at DSH

  Scenario: A name typed with separate accent marks is stored with whole letters
    Some keyboards type "ӯ" as "у" followed by a separate macron. The name is stored
    with the whole letter, so it looks and searches like any other spelling.

    When the case worker CW1 registers "Алӣ Ҷӯраев", typed with separate accent marks, male, born 1990-05-04, at DSH
    Then they read "Registered Алӣ Ҷӯраев as DSH-2026-0001."
    And participant DSH-2026-0001 is stored as "Алӣ Ҷӯраев", written with whole letters
    When the case worker types "reentry --as CW1 participants list --search ҷӯраев"
    Then they see "DSH-2026-0001"

  Scenario: A search typed with separate accent marks finds the participant too
    The search text is put in the same composed form as the stored names.

    Given "Алӣ Ҷӯраев", male, born 1990-05-04, was registered at DSH as DSH-2026-0001
    When the case worker CW1 searches for "ҷӯраев", typed with separate accent marks
    Then they see "DSH-2026-0001"

  Scenario: Registering the same person twice is refused, naming the existing code
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    When the case worker types:
      """
      reentry --as CW1 participants add --name "ҶАМШЕД РАҲИМОВ" --sex male --birth-date 1985-03-12 --centre DSH
      """
    Then the command is refused with "ҶАМШЕД РАҲИМОВ, born 1985-03-12, is already registered at DSH as DSH-2026-0001"
    And the register holds 1 participant

  Scenario: A birth date in the future is refused and nothing is written
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 15.01.2031 --centre DSH
      """
    Then the command is refused with "birth_date 2031-01-15 is in the future"
    And the register holds 0 participants
    And the audit trail has no participant.register event
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 15.01.1985 --centre DSH
      """
    Then they read "Registered Ҷамшед Раҳимов as DSH-2026-0001."

  Scenario: A trainer may not register participants
    When the trainer types:
      """
      reentry --as TR1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 12.03.1985 --centre DSH
      """
    Then the command is refused as not allowed: "TR1 (trainer) may not register and update participants"
    And the register holds 0 participants

  Scenario: A trainer sees the participant but not the sensitive details
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001, with these details:
      | release date | 2026-09-30 |
      | facility     | Yavan 3/6  |
      | offence      | property   |
    When the trainer types "reentry --as TR1 participants show DSH-2026-0001"
    Then they see "Ҷамшед Раҳимов"
    And they see "1985-03-12"
    But they do not see the release date, the facility or the offence

  Scenario: A case worker sees the sensitive details
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001, with these details:
      | release date | 2026-09-30 |
      | facility     | Yavan 3/6  |
      | offence      | property   |
    When the case worker types "reentry --as CW1 participants show DSH-2026-0001"
    Then they see "Ҷамшед Раҳимов"
    And they see the release date, the facility and the offence

  Scenario: A registration made at the wrong centre is corrected, and the old code still finds the person
    Given "Фирӯза Қодирова", female, born 05.11.1988, was registered at DSH as DSH-2026-0001
    When the case worker types:
      """
      reentry --as CW1 participants correct-centre DSH-2026-0001 --to KHJ --reason "lives in Khujand; registered at the wrong desk"
      """
    Then they read "DSH-2026-0001 belongs to KHJ and is now KHJ-2026-0001; DSH-2026-0001 still finds them."
    When the case worker types "reentry --as CW2 participants show DSH-2026-0001"
    Then they see "KHJ-2026-0001"
    And they see "Фирӯза Қодирова"
