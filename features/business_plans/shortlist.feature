Feature: The cohort is ranked and shortlisted
  Once every plan has its sheets, the lead trainer ranks the cohort by panel score and
  shortlists the best plans for the grant committee: the others are not selected. A
  plan still waiting for moderation holds the shortlist back. The panel's agreement
  (intraclass correlations) shows whether the trainers score alike.

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
    And "Фирдавс Назаров", male, born 01.01.1990, was registered at DSH as DSH-2026-0003
    And TR1 opened cohort DSH-26A at DSH with the trainers TR1, TR2, TR3 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
    And DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003 are enrolled in DSH-26A
    And DSH-2026-0001 submitted the plan "Sewing workshop" (sewing) in DSH-26A, requesting 5000 TJS
    And DSH-2026-0002 submitted the plan "Car repair shop" (car_repair) in DSH-26A, requesting 8000 TJS
    And DSH-2026-0003 submitted the plan "Bakery" (cooking) in DSH-26A, requesting 3000 TJS
    And the trainers gave these values on every criterion:
      | plan         | TR1 | TR2 | TR3 |
      | DSH-26A-P001 | 5   | 4   | 4   |
      | DSH-26A-P002 | 3   | 3   | 4   |
      | DSH-26A-P003 | 4   | 4   | 4   |

  Scenario: The cohort is ranked and the best plans are shortlisted
    When the trainer types "reentry --as TR1 plans ranking DSH-26A"
    Then they see these rows:
      | rank | plan         | full name      | sheets | panel score | spread | flags            |
      | 1    | DSH-26A-P001 | Зарина Ашурова | 3      | 83.33       | 25.00  | needs moderation |
      | 2    | DSH-26A-P003 | Фирдавс Назаров | 3     | 75.00       | 0.00   |                  |
      | 3    | DSH-26A-P002 | Ҷамшед Раҳимов | 3      | 58.33       | 25.00  | needs moderation |
    When the trainer types "reentry --as TR1 plans shortlist DSH-26A --min-score 70"
    Then the command is refused with "2 plan(s) of DSH-26A need moderation first: DSH-26A-P001, DSH-26A-P002"
    And plan DSH-26A-P001 is scored
    When the trainer types "reentry --as TR1 plans moderate DSH-26A-P001 --reason 'TR1 knows the tailoring market'"
    And the trainer types "reentry --as TR1 plans moderate DSH-26A-P002 --reason 'discussed; scores stand'"
    And the trainer types "reentry --as TR1 plans shortlist DSH-26A --min-score 70"
    Then they read "Shortlisted 2 plan(s) of DSH-26A: DSH-26A-P001, DSH-26A-P003."
    And they read "Not selected: 1."
    And plan DSH-26A-P001 is shortlisted
    And plan DSH-26A-P003 is shortlisted
    And plan DSH-26A-P002 is not_selected

  Scenario: The lead trainer undoes a shortlist made too early, and shortlists again
    When the trainer types "reentry --as TR1 plans moderate DSH-26A-P001 --reason 'TR1 knows the tailoring market'"
    And the trainer types "reentry --as TR1 plans moderate DSH-26A-P002 --reason 'discussed; scores stand'"
    And the trainer types "reentry --as TR1 plans shortlist DSH-26A --top 1"
    Then plan DSH-26A-P001 is shortlisted
    When the trainer types "reentry --as TR1 plans unshortlist DSH-26A --reason 'the committee asked for two plans'"
    Then they read "The shortlist of DSH-26A is undone: 3 plans wait for a new decision."
    And plan DSH-26A-P001 is scored
    And plan DSH-26A-P002 is scored
    When the trainer types "reentry --as TR1 plans shortlist DSH-26A --top 2"
    Then they read "Shortlisted 2 plan(s) of DSH-26A: DSH-26A-P001, DSH-26A-P003."
    When the trainer types "reentry --as TR2 plans unshortlist DSH-26A --reason 'mine'"
    Then the command is refused as not allowed: "only an admin or its lead trainer (TR1) may"

  Scenario: Only the lead trainer or an admin shortlists
    When the trainer types "reentry --as TR2 plans shortlist DSH-26A --top 1"
    Then the command is refused as not allowed: "only an admin or its lead trainer (TR1) may"

  Scenario: The panel's agreement shows who scores harshly
    When the trainer types "reentry --as TR1 plans agreement DSH-26A"
    Then they see "Agreement of the panel of DSH-26A"
    And they see "TR1: 2.78 (3 sheets)"
    And they see "TR2: -5.56 (3 sheets)"
    And they see "TR3: 2.78 (3 sheets)"
    And they see "ICC(3,3)"

  Scenario: A trainer scores offline in a spreadsheet
    Given DSH-2026-0001 is enrolled in a new cohort DSH-26B with trainer TR2 and wrote plan DSH-26B-P001 there
    When the trainer types "reentry --as TR2 plans scoresheet DSH-26B -o my-sheet.csv"
    Then they read "Wrote 1 plans to my-sheet.csv."
    Given TR2 filled in 4 for every criterion of DSH-26B-P001 in "my-sheet.csv"
    When the trainer types "reentry --as TR2 plans scores import my-sheet.csv"
    Then they read "Loaded my-sheet.csv: 1 new sheets, 0 replaced; 0 rows already recorded (nothing changed); 0 rows not filled in."
    And DSH-26B-P001 has 1 score sheet, by TR2, of 75.00

  Scenario: A trainer enters the same score sheet twice and is told nothing changed
    Given DSH-2026-0001 is enrolled in a new cohort DSH-26B with trainer TR2 and wrote plan DSH-26B-P001 there
    When the trainer types "reentry --as TR2 plans scoresheet DSH-26B -o my-sheet.csv"
    Given TR2 filled in 4 for every criterion of DSH-26B-P001 in "my-sheet.csv"
    When the trainer types "reentry --as TR2 plans scores import my-sheet.csv"
    And the trainer types "reentry --as TR2 plans scores import my-sheet.csv"
    Then they read "Nothing changed: my-sheet.csv has 1 rows already recorded; 0 rows not filled in."
    And DSH-26B-P001 has 1 score sheet, by TR2, of 75.00
    When the trainer types "reentry --as TR1 plans scores import my-sheet.csv"
    Then the command is refused with "my-sheet.csv, row 2, trainer: this sheet is TR2's; import it as TR2: reentry --as TR2 plans scores import my-sheet.csv"

  Scenario: A score sheet naming a plan that does not exist records nothing
    Given a score sheet "sheet.csv" with:
      | plan         | rubric    | market_understanding | financial_viability | skills_experience | realistic_budget | commitment | benefit_family_community |
      | DSH-26A-P001 | default@1 | 4                    | 4                   | 4                 | 4                | 4          | 4                        |
      | DSH-26A-P009 | default@1 | 4                    | 4                   | 4                 | 4                | 4          | 4                        |
    When the trainer types "reentry --as TR1 plans scores import sheet.csv"
    Then the command is refused with "sheet.csv: 1 of 2 rows are invalid; no score was recorded"
    And the refusal names "row 3: plan 'DSH-26A-P009' does not exist"

  Scenario: A score sheet without a criterion's column records nothing
    Given a score sheet "sheet.csv" with:
      | plan         | rubric    | market_understanding | financial_viability |
      | DSH-26A-P001 | default@1 | 4                    | 4                   |
    When the trainer types "reentry --as TR1 plans scores import sheet.csv"
    Then the command is refused with "no score was recorded"
    And the refusal names "row 2: no column for criterion skills_experience, realistic_budget, commitment, benefit_family_community of rubric default@1"
