Feature: The lead trainer calibrates the panel before a cohort is scored
  Before my panel scores a new cohort's plans, I pick a few plans of an earlier cohort
  that an earlier panel has already scored. Every trainer of my panel scores them on
  the same rubric without seeing whose plans they are: they are called C1, C2, …
  Then I see, for each trainer and each criterion, how far their scores lie from the
  rest of the panel and from what the earlier panel agreed on. Anyone further away
  than the band I set (in rubric points) is flagged, so we know what to talk about.
  Calibration scores are kept apart: they never change a plan's score or its ranking.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name           | role    | centre |
      | TR1  | Фарҳод Саидов  | trainer | DSH    |
      | TR2  | Мадина Юсупова | trainer | DSH    |
      | TR3  | Рустам Олимов  | trainer | DSH    |
    And "Зарина Ашурова", female, born 04.07.1991, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And the spring cohort DSH-26S, trained by TR1 and TR2, scored these plans on every criterion:
      | participant   | title           | sector | TR1 | TR2 |
      | DSH-2026-0001 | Sewing workshop | sewing | 4   | 4   |
      | DSH-2026-0002 | Bakery          | cooking | 3   | 3   |
    And TR1 opened cohort DSH-26A at DSH with the trainers TR1, TR2, TR3 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |

  Scenario: I open a round, my panel scores it, and I see who is outside the band
    When the lead trainer types "reentry --as TR1 plans calibration new DSH-26A --plan DSH-26S-P001,DSH-26S-P002 --band 1"
    Then they read "Opened calibration round DSH-26A-CAL1 for DSH-26A: 2 plans (C1, C2), band 1.00 point(s) per criterion."
    When the trainer types "reentry --as TR3 plans calibration plans DSH-26A-CAL1"
    Then they see "Sewing workshop"
    And they do not see "DSH-2026-0001"
    And they do not see "DSH-26S-P001"
    Given in round DSH-26A-CAL1 the trainers gave these values on every criterion:
      | plan | TR1 | TR2 | TR3 |
      | C1   | 4   | 4   | 2   |
      | C2   | 3   | 3   | 1   |
    When the lead trainer types "reentry --as TR1 plans calibration show DSH-26A-CAL1"
    Then they see "Scored: TR1 2/2, TR2 2/2, TR3 2/2."
    And they see these rows:
      | trainer | criterion            | plans | from panel | from consensus | flag             |
      | TR1     | market_understanding | 2     | 0.67       | 0.00           |                  |
      | TR3     | market_understanding | 2     | -1.33      | -2.00          | outside the band |
      | TR3     | realistic_budget     | 2     | -1.33      | -2.00          | outside the band |
    And they read "Outside the band: TR3."

  Scenario: A trainer scores the round offline on a calibration sheet
    Given TR1 opened calibration round DSH-26A-CAL1 with DSH-26S-P001 and DSH-26S-P002
    When the trainer types "reentry --as TR2 plans calibration sheet DSH-26A-CAL1 -o cal-TR2.csv"
    Then they read "Wrote 2 plans to cal-TR2.csv."
    Given TR2 filled in 4 for every criterion of C1 in "cal-TR2.csv"
    And TR2 filled in 3 for every criterion of C2 in "cal-TR2.csv"
    When the trainer types "reentry --as TR2 plans calibration import DSH-26A-CAL1 cal-TR2.csv"
    Then they read "Loaded cal-TR2.csv: 2 plans scored, 0 replaced; 0 rows already recorded (nothing changed); 0 rows not filled in."
    When the trainer types "reentry --as TR2 plans calibration show DSH-26A-CAL1"
    Then they see "Scored: TR1 0/2, TR2 2/2, TR3 0/2."
    And they see these rows:
      | trainer | criterion  | from panel | from consensus | flag |
      | TR2     | commitment |            | 0.00           |      |

  Scenario: Calibration scores do not change the earlier plans' scores
    Given TR1 opened calibration round DSH-26A-CAL1 with DSH-26S-P001 and DSH-26S-P002
    And in round DSH-26A-CAL1 the trainers gave these values on every criterion:
      | plan | TR1 | TR2 | TR3 |
      | C1   | 1   | 1   | 1   |
    When the trainer types "reentry --as TR1 plans ranking DSH-26S"
    Then they see these rows:
      | rank | plan         | sheets | panel score |
      | 1    | DSH-26S-P001 | 2      | 75.00       |
      | 2    | DSH-26S-P002 | 2      | 50.00       |

  Scenario: Only the lead trainer opens a round
    When the trainer types "reentry --as TR2 plans calibration new DSH-26A --plan DSH-26S-P001"
    Then the command is refused as not allowed: "only an admin or its lead trainer (TR1) may"

  Scenario: Plans must come from an earlier cohort
    Given DSH-2026-0001 is enrolled in DSH-26A
    And DSH-2026-0001 submitted the plan "Sewing workshop" (sewing) in DSH-26A, requesting 5000 TJS
    When the lead trainer types "reentry --as TR1 plans calibration new DSH-26A --plan DSH-26A-P001"
    Then the command is refused with "plan DSH-26A-P001 is not from an earlier cohort than DSH-26A"

  Scenario: A trainer outside the panel cannot score the round
    Given TR1 opened calibration round DSH-26A-CAL1 with DSH-26S-P001 and DSH-26S-P002
    And these staff members:
      | code | name           | role    | centre |
      | TR4  | Нигора Азизова | trainer | DSH    |
    When the trainer types "reentry --as TR4 plans calibration score DSH-26A-CAL1 C1 --value market_understanding=4"
    Then the command is refused as not allowed: "TR4 is not a trainer of cohort DSH-26A"
