Feature: Matching a mentor to a participant
  After the grant, a mentor visits the new business for a year. The case worker asks
  which mentors fit a participant best: someone at the same centre, who knows the
  trade, who speaks the participant's language, who still has room, and a woman for a
  woman who asked for one. Each reason is shown with its points. A mentor follows a
  limited number of people; only an admin may go beyond that, saying why.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And these mentors:
      | code | name            | sex    | centre | capacity | languages | sectors         |
      | MN1  | Фарида Каримова | female | DSH    | 1        | tg, ru    | sewing, cooking |
      | MN2  | Раҳим Назаров   | male   | DSH    | 5        | tg        | car repair      |
      | MN3  | Нилуфар Юсупова | female | KHJ    | 4        | ru, uz    | sewing          |
    And "Мадина Сафарова", female, born 01.02.1990, was registered at DSH as DSH-2026-0001

  Scenario: The best mentor is suggested with the reasons, and assigned
    When the case worker types:
      """
      reentry --as CW1 mentoring mentee DSH-2026-0001 --languages tg --sector sewing --same-sex-mentor yes
      """
    Then they read "Recorded the mentoring profile of DSH-2026-0001."
    When the case worker types "reentry --as CW1 mentoring suggest DSH-2026-0001"
    Then they see these rows:
      | rank | mentor | score | reasons                                                                                                                         |
      | 1    | MN1    | 100   | same centre DSH (+30); knows sewing (+25); speaks tg (+20); 1 of 1 places free (+15); a woman, as asked (+10)                    |
      | 2    | MN2    | 65    | same centre DSH (+30); does not know sewing; speaks tg (+20); 5 of 5 places free (+15); a man; the participant asked for a woman |
      | 3    | MN3    | 50    | other centre KHJ; knows sewing (+25); no common language (mentor speaks ru, uz); 4 of 4 places free (+15); a woman, as asked (+10) |
    When the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN1"
    Then they read "Assigned MN1 to DSH-2026-0001 from 2026-05-01."
    And MN1 mentors DSH-2026-0001

  Scenario: A full mentor takes another mentee only when an admin overrides, saying why
    Given "Гулнора Ҳасанова", female, born 15.08.1994, was registered at DSH as DSH-2026-0002
    And MN1 mentors DSH-2026-0001
    When the case worker types "reentry --as CW1 mentoring assign DSH-2026-0002 --mentor MN1"
    Then the command is refused with "MN1 already follows 1 person, the capacity of their profile; an admin can assign anyway with --override-capacity REASON"
    And DSH-2026-0002 has no mentor
    When the administrator types:
      """
      reentry --as ADM mentoring assign DSH-2026-0002 --mentor MN1 --override-capacity "the only woman mentor who sews"
      """
    Then they read "Assigned MN1 to DSH-2026-0002 from 2026-05-01. Beyond capacity: the only woman mentor who sews."
    And MN1 mentors DSH-2026-0002

  Scenario: A reassignment needs a reason and ends the previous mentor's assignment
    Given MN1 mentors DSH-2026-0001
    When the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN2"
    Then the command is refused with "DSH-2026-0001 already has a mentor, MN1 (since 2026-05-01); say why they are reassigned (--reason)"
    And MN1 mentors DSH-2026-0001
    When the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN2 --reason 'MN1 is on leave'"
    Then they read "Assigned MN2 to DSH-2026-0001 from 2026-05-01. MN1's assignment ended (MN1 is on leave)."
    And MN2 mentors DSH-2026-0001

  Scenario: A staff member without the mentor role cannot be assigned
    When the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor CW1"
    Then the command is refused with "CW1 (case_worker) is not a mentor; give them the role first: reentry staff roles CW1 --add mentor"
    And DSH-2026-0001 has no mentor

  Scenario: Everyone whose follow-up has started is matched with the best mentor of their centre who has a place
    Given "Гулнора Ҳасанова", female, born 15.08.1994, was registered at DSH as DSH-2026-0002
    And "Ҷамшед Раҳимов", male, born 03.03.1988, was registered at DSH as DSH-2026-0003
    And the case worker started the follow-up of DSH-2026-0001 on 2026-05-01
    And the case worker started the follow-up of DSH-2026-0002 on 2026-05-01
    And the case worker started the follow-up of DSH-2026-0003 on 2026-05-01
    When the case worker types "reentry --as CW1 mentoring mentee DSH-2026-0001 --languages tg --sector sewing --same-sex-mentor yes"
    And the case worker types "reentry --as CW1 mentoring match --centre DSH"
    Then they read "Matched 3 participants with a mentor."
    And they read "DSH-2026-0001 → MN1 from 2026-05-01"
    And they read "DSH-2026-0002 → MN2 from 2026-05-01"
    And they read "DSH-2026-0003 → MN2 from 2026-05-01"
    When the case worker types "reentry --as CW1 mentoring match --centre DSH"
    Then they read "Matched 0 participants with a mentor."
