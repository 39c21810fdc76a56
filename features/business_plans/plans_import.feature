Feature: A cohort's plan forms are typed into a sheet and loaded at once
  Participants who completed the training write their business plans on paper forms.
  A trainer or case worker types the cohort's forms into the cohort's plans sheet, one
  row per plan, with the start-up costs as ITEM:QUANTITY:UNIT_COST separated by ";",
  and loads the sheet in one go: every plan, numbered in the order of the rows, or
  none at all when a row has a mistake.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | TR1  | Фарҳод Саидов   | trainer     | DSH    |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And "Зарина Ашурова", female, born 04.07.1991, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And "Фирдавс Назаров", male, born 01.01.1990, was registered at DSH as DSH-2026-0003
    And TR1 opened cohort DSH-26A at DSH with the trainers TR1 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
    And DSH-2026-0001 and DSH-2026-0002 are enrolled in DSH-26A

  Scenario: A case worker loads the cohort's typed plan forms
    Given a plans sheet "plans.csv" with:
      | participant   | title             | sector     | costs                                  | own_contribution | requested_funding | monthly_revenue | monthly_costs |
      | DSH-2026-0001 | Sewing workshop   | sewing     | Sewing machine:2:1800; Overlock:1:2500 | 500              | 5000              | 3000            | 1200          |
      | DSH-2026-0002 | Car repair garage | car_repair | Tool set:1:4000; Compressor:1:3000     | 0                | 7000              | 5000            | 2000          |
    When the case worker types "reentry --as CW1 plans import DSH-26A plans.csv --submit"
    Then they read "Loaded plans.csv: 2 plans of DSH-26A (DSH-26A-P001 to DSH-26A-P002), submitted; 0 rows already recorded (nothing changed); 0 rows not filled in."
    And plan DSH-26A-P002 is submitted
    When the trainer types "reentry --as TR1 plans list --cohort DSH-26A"
    Then they see these rows:
      | code         | participant   | title             | total cost | requested funding |
      | DSH-26A-P001 | DSH-2026-0001 | Sewing workshop   | 6100.00    | 5000.00           |
      | DSH-26A-P002 | DSH-2026-0002 | Car repair garage | 7000.00    | 7000.00           |

  Scenario: A plans sheet with mistakes loads nothing and names the rows
    Given a plans sheet "plans.csv" with:
      | participant   | title             | sector     | costs                 | own_contribution | requested_funding | monthly_revenue | monthly_costs |
      | DSH-2026-0001 | Sewing workshop   | sewing     | Sewing machine:2:1800 | 500              | 3000              | 3000            | 1200          |
      | DSH-2026-0003 | Bakery            | cooking    | Tandoor oven:1:3000   | 300              | 2700              | 2000            | 900           |
      | DSH-2026-0002 | Car repair garage | car_repair | Tool set:1:4000       | 0                | 9000              | 5000            | 2000          |
    When the case worker types "reentry --as CW1 plans import DSH-26A plans.csv"
    Then the command is refused with "plans.csv: 2 of 3 rows are invalid; no plan was written"
    And the refusal names "row 3, participant: DSH-2026-0003 is not enrolled in DSH-26A; enrol them first: reentry plans enrol DSH-26A DSH-2026-0003"
    And the refusal names "row 4: requested_funding 9000.00 TJS is more than the total cost 4000.00 TJS"
    And DSH-26A has no plans
