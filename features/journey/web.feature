Feature: The same year through the pages of the web workspace
  The staff who never open a terminal do Зарина's year in a browser: the case worker
  registers her and records her consent, the trainers mark the register and score her
  plan, the committee declares a conflict and votes, finance records and confirms the
  tranches, the mentor logs the visits, and M&E reads the report. What the pages do not
  cover (opening a cohort or a round, writing the plan and the application, the decision)
  is typed at the command line, as before. The pages call the same services: the same
  rules, the same audit trail, the same report.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name             | role             | centre |
      | CW1  | Зарина Назарова  | case_worker      | DSH    |
      | TR1  | Фарҳод Саидов    | trainer          | DSH    |
      | TR2  | Мадина Юсупова   | trainer          | DSH    |
      | TR3  | Рустам Олимов    | trainer          | DSH    |
      | CM1  | Дилшод Каримов   | committee_member |        |
      | CM2  | Ситора Раҳимова  | committee_member |        |
      | CM3  | Баҳодур Назаров  | committee_member |        |
      | CM4  | Гулноза Шарипова | committee_member |        |
      | FO1  | Умед Давлатов    | finance_officer  |        |
      | FO2  | Бахтиёр Олимов   | finance_officer  |        |
      | MN1  | Фарида Каримова  | mentor           | DSH    |
      | ME1  | Руслан Азимов    | me_officer       |        |

  Scenario: Зарина's year, through the pages
    Given it is 2026-01-12
    And every staff member has a password for the workspace
    When CW1 fills in the form at "/participants/new" with:
      | field      | value          |
      | full_name  | Зарина Ашурова |
      | sex        | female         |
      | birth_date | 1991-07-04     |
      | centre     | DSH            |
    Then the page says "Registered DSH-2026-0001."
    When CW1 fills in the form at "/participants/DSH-2026-0001/consent" with:
      | field | value     |
      | scope | programme |
      | scope | referrals |
    Then the page says "Consent recorded for DSH-2026-0001."
    When the trainer types:
      """
      reentry --as TR1 plans cohort add DSH-26A --centre DSH --title "Business training, winter 2026" \
          --start 2026-01-19 --end 2026-02-13 --trainer TR1,TR2,TR3 --session 2026-01-19:business_planning \
          --session 2026-01-26:marketing --session 2026-02-02:bookkeeping
      """
    And the trainer types "reentry --as TR1 plans enrol DSH-26A DSH-2026-0001"
    Then the command succeeds

    Given it is 2026-02-14
    When TR1 marks everyone present on "/plans/cohort/DSH-26A/session/1"
    And TR1 marks everyone present on "/plans/cohort/DSH-26A/session/2"
    And TR1 marks everyone present on "/plans/cohort/DSH-26A/session/3"
    Then the page says "Attendance recorded for 1 people at session 3."
    When the case worker types:
      """
      reentry --as CW1 plans add DSH-2026-0001 --cohort DSH-26A --title "Sewing workshop" --sector sewing \
          --cost "Sewing machine:2:3500" --cost "Overlock machine:1:4000" --own 1000 --request 10000 \
          --revenue 6000 --costs 3500 --submit
      """
    Then the command succeeds
    When TR1 opens "/plans/plan/DSH-26A-P001/score"
    Then the page shows "Knows the customers"
    And the page shows "Monthly profit"
    When TR1 fills in the form at "/plans/plan/DSH-26A-P001/score" with:
      | field                          | value |
      | value-market_understanding     | 4     |
      | value-financial_viability      | 4     |
      | value-skills_experience        | 5     |
      | value-realistic_budget         | 4     |
      | value-commitment               | 5     |
      | value-benefit_family_community | 4     |
    Then the page says "TR1 scored DSH-26A-P001 v1: 82.50 of 100."
    When TR2 fills in the form at "/plans/plan/DSH-26A-P001/score" with:
      | field                          | value |
      | value-market_understanding     | 4     |
      | value-financial_viability      | 3     |
      | value-skills_experience        | 4     |
      | value-realistic_budget         | 4     |
      | value-commitment               | 5     |
      | value-benefit_family_community | 4     |
    And TR3 fills in the form at "/plans/plan/DSH-26A-P001/score" with:
      | field                          | value |
      | value-market_understanding     | 3     |
      | value-financial_viability      | 4     |
      | value-skills_experience        | 4     |
      | value-realistic_budget         | 3     |
      | value-commitment               | 4     |
      | value-benefit_family_community | 4     |
    And the trainer types "reentry --as TR1 plans shortlist DSH-26A --top 1"
    Then they read "Shortlisted 1 plan(s) of DSH-26A: DSH-26A-P001."

    Given it is 2026-03-02
    When the administrator types:
      """
      reentry --as ADM grants round add R2026 --title "Start-up grants 2026" --budget 50000 --min 2000 \
          --max 10000 --opens 2026-03-01 --closes 2026-04-30 --donor EU --require-shortlisted-plan \
          --require-training --tranche-plan 60,40:verified
      """
    And the administrator types "reentry --as ADM grants committee add R2026 CM1 CM2 CM3 CM4"
    And the administrator types "reentry --as ADM grants round open R2026"
    And the case worker types:
      """
      reentry --as CW1 grants apply R2026 DSH-2026-0001 --line "Sewing machine;2;3500;in_kind;Textile LLC" \
          --line "Overlock machine;1;3000;in_kind;Textile LLC" --contribution 1000 --submit
      """
    Then the command succeeds
    When CM1 opens "/grants/agenda?round=R2026"
    Then the page shows "R2026-001"
    When CM4 fills in the form at "/grants/application/R2026-001/conflict" with:
      | field         | value           |
      | kind          | neighbour       |
      | conflict_note | lives next door |
    Then the page says "Your conflict of interest on R2026-001 is recorded; you do not vote on it."
    When CM1 fills in the form at "/grants/application/R2026-001/vote" with:
      | field  | value   |
      | choice | approve |
      | amount | 9000    |
    And CM2 fills in the form at "/grants/application/R2026-001/vote" with:
      | field  | value   |
      | choice | approve |
      | amount | 8000    |
    And CM3 fills in the form at "/grants/application/R2026-001/vote" with:
      | field  | value   |
      | choice | approve |
      | amount | 8500    |
    Then the page says "CM3 votes approve 8500.00 on R2026-001."
    When the committee member types "reentry --as CM1 grants decide R2026-001"
    Then they see "8,500.00"

    Given it is 2026-03-10
    When FO1 fills in the form at "/grants/tranche/R2026-001" with:
      | field    | value                         |
      | method   | in_kind                       |
      | items    | 2 sewing machines, 1 overlock |
      | supplier | Textile LLC                   |
      | receipt  | RC-1001                       |
    Then the page says "Tranche 1 of R2026-001: 5100.00 TJS released on 2026-03-10 (in_kind). It counts once a second finance officer confirms it."
    When FO2 fills in the form at "/grants/tranche/R2026-001/1/confirm" with:
      | field | value |
    Then the page says "Tranche 1 of R2026-001 confirmed: 5100.00 TJS."
    When the administrator types "reentry --as ADM mentoring profile MN1 --sex female --capacity 10 --languages tg,ru --sectors sewing"
    And the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN1"
    Then the command succeeds

    Given it is 2026-04-12
    When MN1 opens "/mentoring/due"
    Then the page shows "DSH-2026-0001"
    When MN1 fills in the form at "/mentoring/visit/DSH-2026-0001" with:
      | field           | value     |
      | mode            | on_site   |
      | business_status | operating |
      | revenue         | 5200      |
      | costs           | 3100      |
      | owners          | 1         |
      | equipment_seen  | yes       |
    Then the page says "This visit verifies the business for the next tranche: operating, equipment seen."
    When FO1 opens "/grants/tranches"
    Then the page shows "R2026-001"
    When FO1 fills in the form at "/grants/tranche/R2026-001" with:
      | field     | value         |
      | method    | bank_transfer |
      | reference | TR-118        |
    And FO2 fills in the form at "/grants/tranche/R2026-001/2/confirm" with:
      | field | value |
    Then the page says "Tranche 2 of R2026-001 confirmed: 3400.00 TJS."
    And grant R2026-001 has 8,500.00 TJS disbursed in two tranches

    Given it is 2026-09-14
    When MN1 fills in the form at "/mentoring/visit/DSH-2026-0001" with:
      | field           | value                                     |
      | mode            | on_site                                   |
      | business_status | operating                                 |
      | revenue         | 6900                                      |
      | costs           | 3800                                      |
      | owners          | 1                                         |
      | hired_workers   | 1                                         |
      | risk_flags      | police_harassment                         |
      | risk_note       | fined twice at the bazaar without a reason |
    Then the page says "Logged visit"
    When CW1 opens "/participants/DSH-2026-0001"
    Then the page shows "legal"

    Given it is 2026-09-30
    When ME1 opens "/report?by=sex"
    Then the page shows "Counts below 5 are shown as &lt;5"
    And the page shows "&lt;5"
