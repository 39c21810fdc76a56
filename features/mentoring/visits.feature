Feature: Mentoring visits
  The mentor visits the business, or calls, and writes down what was found: is it
  operating, what it earns and spends in a month, who works there, whether the
  equipment bought with the grant is there, what was discussed and advised. A visit
  that finds the business operating with the equipment is the check microgrants waits
  for before paying the next tranche. A risk seen at a visit opens a referral to the
  right service, if the participant agreed to referrals.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And these mentors:
      | code | name            | sex    | centre | capacity | languages | sectors |
      | MN1  | Фарида Каримова | female | DSH    | 5        | tg, ru    | sewing  |
      | MN2  | Раҳим Назаров   | male   | DSH    | 5        | tg        | sewing  |
    And "Мадина Сафарова", female, born 01.02.1990, was registered at DSH as DSH-2026-0001
    And DSH-2026-0001 gave consent to the programme and referrals
    And MN1 mentors DSH-2026-0001
    And microgrants approved grant G-2026-014 of DSH-2026-0001 for a sewing business
    And today is 2026-06-10
    And microgrants recorded tranche 1 of G-2026-014, released on 2026-06-10

  Scenario: The 1-month visit verifies the business, and the second tranche is paid
    Given today is 2026-07-12
    When microgrants asks to release tranche 2 of G-2026-014
    Then the tranche waits for a mentoring visit
    When the mentor types:
      """
      reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-07-12 --mode on_site --status operating \
          --revenue 4500 --costs 2800 --owner 1 --family 1 --equipment-seen \
          --discussed "prices and new orders" --advice "keep a cash book" --next-steps "register with the tax office"
      """
    Then they read "Logged visit 1: DSH-2026-0001 on 2026-07-12 by MN1, the 1-month visit, on time."
    And they read "This visit verifies the business for the next tranche: operating, equipment seen."
    When microgrants asks to release tranche 2 of G-2026-014
    Then the tranche is paid on the evidence of mentoring visit 1 of 2026-07-12 by MN1

  Scenario: A mentor corrects a figure typed wrong, and cancels a visit logged on the wrong person
    Given today is 2026-07-12
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-07-12 --mode on_site --status operating --revenue 450 --costs 2800 --equipment-seen"
    Then they read "Logged visit 1: DSH-2026-0001 on 2026-07-12 by MN1, the 1-month visit, on time."
    When the mentor types "reentry --as MN1 mentoring correct-visit 1 --revenue 4500 --reason 'typed 450 for 4500'"
    Then they read "Corrected visit 1: DSH-2026-0001 on 2026-07-12 by MN1."
    When the mentor types "reentry --as MN2 mentoring correct-visit 1 --revenue 1 --reason 'my figure'"
    Then the command is refused as not allowed: "MN2 may correct only their own visits; visit 1 was logged for MN1"
    When the mentor types "reentry --as MN1 mentoring cancel-visit 1 --reason 'it was the workshop of Зарина, not of Мадина'"
    Then they read "Cancelled visit 1: DSH-2026-0001 on 2026-07-12 by MN1."
    When the mentor types "reentry --as MN1 mentoring visits DSH-2026-0001"
    Then they see "No visits found."

  Scenario: A visit by phone cannot verify the equipment
    Given today is 2026-07-12
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --mode phone --status operating --equipment-seen"
    Then the command is refused with "equipment_seen: a phone call cannot see the equipment; visit on site or by video"
    And no visit is logged

  Scenario: A 6-month visit raises police harassment, and a legal referral appears
    Given today is 2026-12-10
    When the mentor types:
      """
      reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-12-10 --mode on_site --status operating \
          --revenue 5200 --costs 3100 --risk "police harassment" --risk-note "market police ask for money every week"
      """
    Then they read "Logged visit 1: DSH-2026-0001 on 2026-12-10 by MN1, the 6-month visit, on time."
    And they read "Opened referral 1 for police harassment: legal → Legal aid."
    # the risk note stays with the visit; the referral, which goes to another service, does not carry it
    When the case worker types "reentry --as CW1 referrals list --participant DSH-2026-0001"
    Then they see these rows:
      | id | participant   | service type | to whom   | status | reason                                                             |
      | 1  | DSH-2026-0001 | legal        | Legal aid | open   | police harassment raised at mentoring visit 1 on 2026-12-10 by MN1 |
    When the mentor types "reentry --as MN1 mentoring caseload --mentor MN1"
    Then they see "police harassment (referral 1: open)"

  Scenario: Without consent to referrals the visit is logged and the mentor is told why no referral was opened
    Given today is 2026-12-10
    When the case worker types "reentry --as CW1 participants consent DSH-2026-0001 --withdraw"
    And the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --mode on_site --status operating --risk relapse"
    Then they read "Logged visit 1: DSH-2026-0001 on 2026-12-10 by MN1, the 6-month visit, on time."
    And they see "No referral opened for relapse: DSH-2026-0001 has no consent on file for referrals."
    And there are no referrals

  Scenario: Only the mentor assigned logs a visit
    Given today is 2026-07-12
    When the mentor types "reentry --as MN2 mentoring visit DSH-2026-0001 --mode on_site --status operating"
    Then the command is refused as not allowed: "MN2 is not the mentor of DSH-2026-0001 (MN1 is, since 2026-05-01); only the assigned mentor or an admin logs visits"
    And no visit is logged

  Scenario Outline: A visit with bad details is refused and nothing is written
    Given today is 2026-07-12
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --mode on_site <details>"
    Then the command is refused with "<refusal>"
    And no visit is logged
    And there are no referrals

    Examples:
      | details                                   | refusal                                                                                                        |
      | --status operating --on 2026-07-13        | visit date 2026-07-13 is in the future                                                                         |
      | --status operating --on 2026-06-01        | visit date 2026-06-01 is before DSH-2026-0001's follow-up started (2026-06-10)                                 |
      | --status operating --revenue -50          | revenue: -50 is negative                                                                                       |
      | --status bankrupt                         | business_status: 'bankrupt' is not one of operating, temporarily_closed, closed, not_started                    |
      | --status operating --risk gambling        | risk_flags: 'gambling' is not one of relapse, police_harassment, debt, family_conflict, health, housing, other |

  Scenario: A closed business ends the follow-up only when the mentor says so
    Given today is 2026-09-12
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-09-11 --mode on_site --status closed"
    Then they read "The business is reported closed; the follow-up goes on. To end it, log the visit with --end-follow-up REASON."
    When the mentor types:
      """
      reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-09-12 --mode on_site --status closed \
          --end-follow-up "sold the sewing machine, works in a shop"
      """
    Then they read "The follow-up of DSH-2026-0001 has ended: the business closed."
    When the case worker types "reentry --as CW1 mentoring schedule DSH-2026-0001"
    Then they see "business_closed: sold the sewing machine, works in a shop"
    When the mentor types "reentry --as MN1 mentoring due --mentor MN1"
    Then they read "No visits due."

  Scenario: The mentor imports the month's visit sheet, filled in on the road
    Given today is 2026-07-31
    And a visit sheet "visits-MN1-2026-07.csv" with:
      | participant   | visited_on | mode    | business_status | revenue | costs | equipment_seen | discussed     | risk_flags        | risk_note                            |
      | DSH-2026-0001 | 2026-07-25 | phone   | operating       |         |       | no             | new orders    | police_harassment | market police ask for money at night |
      | DSH-2026-0001 | 2026-07-12 | on_site | operating       | 4500    | 2800  | yes            | prices        |                   |                                      |
    When the mentor types "reentry --as MN1 mentoring import-visits visits-MN1-2026-07.csv"
    Then they read "Logged 2 visits from visits-MN1-2026-07.csv: 1 on time, 0 late, 1 extra; 1 verify a business for its next tranche."
    And they read "row 2 (DSH-2026-0001): Opened referral 1 for police harassment: legal → Legal aid."
    When the mentor types "reentry --as MN1 mentoring visits DSH-2026-0001"
    Then they see these rows:
      | id | visited on | mode    | equipment seen | placement        | risk flags        |
      | 1  | 2026-07-12 | on_site | yes            | 1 month, on time |                   |
      | 2  | 2026-07-25 | phone   | no             | extra visit      | police_harassment |

  Scenario: A visit sheet with a mistake logs nothing and names the rows
    Given today is 2026-07-31
    And a visit sheet "visits.csv" with:
      | participant   | visited_on | mode    | business_status |
      | DSH-2026-0001 | 2026-07-12 | on_site | operating       |
      | DSH-2026-0009 | 2026-07-14 | on_site | operating       |
      | DSH-2026-0001 | 2026-07-20 | phone   | bankrupt        |
      | DSH-2026-0001 | 2026-08-02 | phone   | operating       |
    When the mentor types "reentry --as MN1 mentoring import-visits visits.csv"
    Then the command is refused with "visits.csv: 3 of 4 rows are invalid; no visit was logged"
    And the refusal names "row 3: participant: 'DSH-2026-0009' does not exist"
    And the refusal names "row 4: business_status: 'bankrupt' is not one of operating, temporarily_closed, closed, not_started"
    And the refusal names "row 5: visit date 2026-08-02 is in the future"
    And no visit is logged

  Scenario: A mentor imports the same visit sheet twice
    Given today is 2026-07-31
    And a visit sheet "visits-MN1-2026-07.csv" with:
      | participant   | due_visit | visited_on | mode    | business_status | revenue | costs | equipment_seen |
      | DSH-2026-0001 | 1         | 2026-07-12 | on_site | operating       | 4500    | 2800  | yes            |
      | DSH-2026-0001 |           | 2026-07-25 | phone   | operating       |         |       | no             |
      | DSH-2026-0001 | 3         |            |         |                 |         |       |                |
    When the mentor types "reentry --as MN1 mentoring import-visits visits-MN1-2026-07.csv"
    Then they read "2 visits logged; 0 rows already logged (nothing changed); 1 row not visited (not filled in)."
    When the mentor types "reentry --as MN1 mentoring import-visits visits-MN1-2026-07.csv"
    Then they read "0 visits logged; 2 rows already logged (nothing changed); 1 row not visited (not filled in)."
    And they read "Nothing changed: every visit of visits-MN1-2026-07.csv is already logged."
    And the mentoring indicators of July 2026 count 2 visits, 1 due visit done on time
