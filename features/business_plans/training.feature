Feature: A trainer runs a business-training cohort
  A cohort is a training group at a centre: its trainers (the first named leads it),
  its planned sessions on business planning, marketing, bookkeeping and more, and the
  participants enrolled. Attendance is recorded per session: present, absent or
  excused. Someone completes the training when present at 80% of the sessions held
  (an excused absence is recorded, but it is not attendance).

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | TR1  | Фарҳод Саидов   | trainer     | DSH    |
      | TR2  | Мадина Юсупова  | trainer     | DSH    |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And "Зарина Ашурова", female, born 04.07.1991, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And "Фирдавс Назаров", male, born 01.01.1990, was registered at DSH as DSH-2026-0003

  Scenario: A trainer opens a cohort and enrols three participants
    When the trainer types:
      """
      reentry --as TR1 plans cohort add DSH-26A --centre DSH --title "Business training, autumn 2026" \
          --start 2026-09-01 --end 2026-11-20 --trainer TR1,TR2 \
          --session 2026-09-07:business_planning --session 2026-09-14:marketing --session 2026-09-21:bookkeeping
      """
    Then they read "Opened cohort DSH-26A with 3 planned sessions; rubric default@1."
    When the trainer types "reentry --as TR1 plans enrol DSH-26A DSH-2026-0001 DSH-2026-0002 DSH-2026-0003"
    Then they read "Enrolled 3 in DSH-26A: DSH-2026-0001, DSH-2026-0002, DSH-2026-0003."
    When the trainer types "reentry --as TR1 plans cohort show DSH-26A"
    Then they see "1. 2026-09-07 business_planning"
    And they see "3. 2026-09-21 bookkeeping"

  Scenario: Attendance over five sessions decides who completed the training
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1, TR2 and these sessions:
      | date       | topic                |
      | 2026-09-07 | business_planning    |
      | 2026-09-14 | marketing            |
      | 2026-09-21 | bookkeeping          |
      | 2026-09-28 | personal_development |
      | 2026-10-05 | civic_education      |
    And DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 are enrolled in DSH-26A
    When the trainer types "reentry --as TR1 plans attend DSH-26A 1 --absent DSH-2026-0003 --others present"
    Then they read "Session 1 of DSH-26A: 2 present, 1 absent, 0 excused recorded."
    When the trainer types "reentry --as TR1 plans attend DSH-26A 2 --excused DSH-2026-0003 --absent DSH-2026-0002 --others present"
    Then they read "Session 2 of DSH-26A: 1 present, 1 absent, 1 excused recorded."
    When the trainer types "reentry --as TR1 plans attend DSH-26A 2026-09-21 --others present"
    And the trainer types "reentry --as TR1 plans attend DSH-26A 4 --others present"
    And the trainer types "reentry --as TR1 plans attend DSH-26A 5 --absent DSH-2026-0003 --others present"
    And the trainer types "reentry --as TR1 plans completion DSH-26A"
    Then they see these rows:
      | participant   | present | absent | excused | held | rate   | completed |
      | DSH-2026-0001 | 5       | 0      | 0       | 5    | 100.0% | yes       |
      | DSH-2026-0002 | 4       | 1      | 0       | 5    | 80.0%  | yes       |
      | DSH-2026-0003 | 2       | 2      | 1       | 5    | 40.0%  | no        |

  Scenario: A session planned on the wrong day is moved, one planned twice is cancelled, and a held one stays
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1, TR2 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
      | 2026-09-14 | marketing         |
      | 2026-09-21 | bookkeeping       |
      | 2026-09-22 | bookkeeping       |
    And DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 are enrolled in DSH-26A
    When the trainer types "reentry --as TR1 plans attend DSH-26A 1 --others present"
    And the trainer types "reentry --as TR1 plans cohort move-session DSH-26A 2 --on 2026-09-24 --reason 'the hall is taken on the 14th'"
    Then they read "Session 4 of DSH-26A is now on 2026-09-24 (marketing)."
    When the trainer types "reentry --as TR1 plans cohort cancel-session DSH-26A 2026-09-22 --reason 'bookkeeping was planned twice'"
    Then they read "Cancelled session 3 of DSH-26A on 2026-09-22."
    When the trainer types "reentry --as TR1 plans cohort show DSH-26A"
    Then they see "2. 2026-09-21 bookkeeping"
    And they see "3. 2026-09-24 marketing"
    When the trainer types "reentry --as TR1 plans cohort cancel-session DSH-26A 1 --reason 'nobody came'"
    Then the command is refused with "session 1 of DSH-26A already has attendance; a session that was held is not cancelled"

  Scenario: A participant enrolled by mistake is taken off the cohort, with their marks
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
    And DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 are enrolled in DSH-26A
    When the trainer types "reentry --as TR1 plans attend DSH-26A 1 --others present"
    And the trainer types "reentry --as TR1 plans unenrol DSH-26A DSH-2026-0003 --reason 'enrolled instead of DSH-2026-0013'"
    Then they read "DSH-2026-0003 is no longer enrolled in DSH-26A."
    When the trainer types "reentry --as TR1 plans completion DSH-26A"
    Then they do not see "DSH-2026-0003"
    When the trainer types "reentry --as TR1 plans unenrol DSH-26A DSH-2026-0003"
    Then the command is refused with "Missing option '--reason'"

  Scenario: A register from a spreadsheet is recorded whole
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
      | 2026-09-14 | marketing         |
    And DSH-2026-0001 and DSH-2026-0002 are enrolled in DSH-26A
    And a register "register.csv" with:
      | session    | participant   | mark    |
      | 1          | DSH-2026-0001 | present |
      | 1          | DSH-2026-0002 | p       |
      | 2026-09-14 | DSH-2026-0001 | excused |
      | 2026-09-14 | DSH-2026-0002 | a       |
    When the trainer types "reentry --as TR1 plans attend DSH-26A --file register.csv"
    Then they read "Loaded register.csv: 4 attendance marks of DSH-26A recorded; 0 rows already recorded (nothing changed); 0 rows not filled in."

  Scenario: A trainer enters the same register twice and is told nothing changed
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
      | 2026-09-14 | marketing         |
    And DSH-2026-0001 and DSH-2026-0002 are enrolled in DSH-26A
    And a register "register.csv" with:
      | session    | participant   | name            | mark    |
      | 1          | DSH-2026-0001 | Зарина Ашурова  | present |
      | 1          | DSH-2026-0002 | Ҷамшед Раҳимов  | absent  |
      | 2026-09-14 | DSH-2026-0001 | Зарина Ашурова  |         |
      | 2026-09-14 | DSH-2026-0002 | Ҷамшед Раҳимов  |         |
    When the trainer types "reentry --as TR1 plans attend DSH-26A --file register.csv"
    Then they read "Loaded register.csv: 2 attendance marks of DSH-26A recorded; 0 rows already recorded (nothing changed); 2 rows not filled in."
    When the trainer types "reentry --as TR1 plans attend DSH-26A --file register.csv"
    Then they read "Nothing changed: register.csv has 2 rows already recorded; 2 rows not filled in."
    When the trainer types "reentry --as TR1 plans completion DSH-26A"
    Then they see these rows:
      | participant   | present | absent | excused | held |
      | DSH-2026-0001 | 1       | 0      | 0       | 1    |
      | DSH-2026-0002 | 0       | 1      | 0       | 1    |

  Scenario: A register with a mistake records nothing and names the rows
    Given TR1 opened cohort DSH-26A at DSH with the trainers TR1 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
    And DSH-2026-0001 and DSH-2026-0002 are enrolled in DSH-26A
    And a register "register.csv" with:
      | session | participant   | mark    |
      | 1       | DSH-2026-0001 | present |
      | 1       | DSH-2026-0003 | present |
      | 1       | DSH-2026-0002 | late    |
    When the trainer types "reentry --as TR1 plans attend DSH-26A --file register.csv"
    Then the command is refused with "register.csv: 2 of 3 rows are invalid; nothing was recorded"
    And the refusal names "row 3, participant: DSH-2026-0003 is not enrolled in DSH-26A"
    And the refusal names "row 4, mark: 'late' is not one of present, absent, excused"
    And no attendance is recorded in DSH-26A

  Scenario: Only staff with the trainer role can teach a cohort
    When the case worker types:
      """
      reentry --as CW1 plans cohort add DSH-26B --centre DSH --title "Winter" --start 2026-12-01 \
          --end 2027-02-28 --trainer CW1
      """
    Then the command is refused with "CW1 is not an active staff member with the trainer role"
