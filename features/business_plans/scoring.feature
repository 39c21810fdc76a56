Feature: Trainers score business plans
  Each trainer of the cohort scores a submitted plan on the rubric's criteria (market
  understanding, financial viability, skills and experience, realistic budget,
  commitment, benefit to family and community), each from 1 to 5. A sheet's weighted
  score is on 0–100 and the panel score is the mean of the sheets. When the sheets
  are more than 20 points apart the plan needs moderation: the lead trainer (or an
  admin) looks into it and records why the scores stand.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | TR1  | Фарҳод Саидов   | trainer     | DSH    |
      | TR2  | Мадина Юсупова  | trainer     | DSH    |
      | TR3  | Рустам Олимов   | trainer     | DSH    |
      | TR4  | Нигора Азизова  | trainer     | DSH    |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And "Зарина Ашурова", female, born 04.07.1991, was registered at DSH as DSH-2026-0001
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0002
    And TR1 opened cohort DSH-26A at DSH with the trainers TR1, TR2, TR3 and these sessions:
      | date       | topic             |
      | 2026-09-07 | business_planning |
    And DSH-2026-0001 and DSH-2026-0002 are enrolled in DSH-26A
    And DSH-2026-0001 submitted the plan "Sewing workshop" (sewing) in DSH-26A, requesting 5000 TJS

  Scenario: Three trainers score a plan
    When the trainer types:
      """
      reentry --as TR1 plans score DSH-26A-P001 --value market_understanding=4 --value financial_viability=3 \
          --value skills_experience=5 --value realistic_budget=4 --value commitment=5 \
          --value benefit_family_community=4 --comment "strong; check the rent"
      """
    Then they read "Scored DSH-26A-P001 v1: 77.50 of 100 (TR1)."
    Given TR2 gave DSH-26A-P001 a 4 on every criterion
    And TR3 gave DSH-26A-P001 a 4 on every criterion
    When the trainer types "reentry --as TR1 plans ranking DSH-26A"
    Then they see these rows:
      | rank | plan         | participant   | status | sheets | panel score | spread |
      | 1    | DSH-26A-P001 | DSH-2026-0001 | scored | 3      | 75.83       | 2.50   |

  Scenario: A wide disagreement is moderated by the lead trainer
    Given TR1 gave DSH-26A-P001 a 5 on every criterion
    And TR2 gave DSH-26A-P001 a 4 on every criterion
    And TR3 gave DSH-26A-P001 a 2 on every criterion
    When the trainer types "reentry --as TR1 plans ranking DSH-26A"
    Then they see these rows:
      | plan         | panel score | spread | flags            |
      | DSH-26A-P001 | 66.67       | 75.00  | needs moderation |
    When the trainer types "reentry --as TR2 plans moderate DSH-26A-P001 --reason 'looks fine'"
    Then the command is refused as not allowed: "only an admin or its lead trainer (TR1) may"
    When the trainer types "reentry --as TR1 plans moderate DSH-26A-P001 --reason 'TR3 knows the bazaar prices; scores stand'"
    Then they read "Plan DSH-26A-P001 moderated: panel score 66.67, spread 75.00."
    When the trainer types "reentry --as TR1 plans ranking DSH-26A"
    Then they see these rows:
      | plan         | panel score | flags     |
      | DSH-26A-P001 | 66.67       | moderated |

  Scenario: A correction replaces the trainer's earlier sheet
    Given TR2 gave DSH-26A-P001 a 2 on every criterion
    And TR2 gave DSH-26A-P001 a 4 on every criterion
    Then DSH-26A-P001 has 1 score sheet, by TR2, of 75.00

  Scenario: A value outside the scale is refused
    When the trainer types:
      """
      reentry --as TR1 plans score DSH-26A-P001 --value market_understanding=6 --value financial_viability=3 \
          --value skills_experience=5 --value realistic_budget=4 --value commitment=5 \
          --value benefit_family_community=4
      """
    Then the command is refused with "plan DSH-26A-P001: market_understanding: 6 is outside the scale 1–5"
    And DSH-26A-P001 has no score sheets

  Scenario: A trainer outside the cohort cannot score its plans
    When the trainer types "reentry --as TR4 plans score DSH-26A-P001 --value market_understanding=4"
    Then the command is refused as not allowed: "TR4 is not a trainer of cohort DSH-26A (its trainers: TR1, TR2, TR3)"
    And DSH-26A-P001 has no score sheets

  Scenario: A case worker cannot score
    When the case worker types "reentry --as CW1 plans score DSH-26A-P001 --value market_understanding=4"
    Then the command is refused as not allowed: "may not score business plans"

  Scenario: A trainer who declared a conflict cannot score that participant's plan
    When the trainer types "reentry --as TR3 plans conflict declare DSH-2026-0001 --kind neighbour"
    Then they read "TR3 declared a conflict (neighbour) with DSH-2026-0001."
    When the trainer types:
      """
      reentry --as TR3 plans score DSH-26A-P001 --value market_understanding=4 --value financial_viability=3 \
          --value skills_experience=5 --value realistic_budget=4 --value commitment=5 \
          --value benefit_family_community=4
      """
    Then the command is refused as not allowed: "TR3 declared a conflict with DSH-2026-0001 and may not score plan DSH-26A-P001"

  Scenario: A draft is not scored
    Given DSH-2026-0002 wrote the draft plan "Car repair shop" (car_repair) in DSH-26A, requesting 8000 TJS
    When the trainer types "reentry --as TR1 plans score DSH-26A-P002 --value market_understanding=4"
    Then the command is refused with "plan DSH-26A-P002 is a draft; it can be scored once it is submitted"

  Scenario: Asking for more money than the plan costs is refused
    When the case worker types:
      """
      reentry --as CW1 plans add DSH-2026-0002 --cohort DSH-26A --title "Car repair shop" --sector car_repair \
          --cost "Tool set:1:4000" --cost "Compressor:1:-900" --own 0 --request 3000 --revenue 2500 --costs 900
      """
    Then the command is refused with "unit_cost: -900 must be more than zero"
    When the case worker types:
      """
      reentry --as CW1 plans add DSH-2026-0002 --cohort DSH-26A --title "Car repair shop" --sector car_repair \
          --cost "Tool set:1:4000" --own 0 --request 4500 --revenue 2500 --costs 900
      """
    Then the command is refused with "requested_funding 4500.00 TJS is more than the total cost 4000.00 TJS"
