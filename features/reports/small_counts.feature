Feature: Small counts in the programme report
  The people counted in a donor report are ex-prisoners, many of them women in small
  towns: a count of one or two can name a person. Every report hides counts below the
  programme's threshold (5 unless an admin changes it) and hides other figures with them,
  in every breakdown alike, so that nothing hidden can be worked out from the rest. Each
  mark says why: "<5" a small count, "x" hidden to protect one, "c" a share, average or
  amount about few people. Before a report goes to a donor, the M&E officer checks it
  with the built-in audit.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code | name          | role       | centre |
      | ME1  | Руслан Азимов | me_officer |        |
    And these people were registered:
      | centre | women | men |
      | DSH    | 12    | 9   |
      | KHJ    | 2     | 8   |

  Scenario: The M&E officer reads the report by sex and centre before sending it
    When the M&E officer types "reentry --as ME1 report programme --by sex,centre"
    Then they see these rows:
      | indicator / centre      | female | male | total |
      | Participants registered | 14     | 17   | 31    |
      | DSH                     | x      | x    | 21    |
      | KHJ                     | <5     | x    | 10    |
    And they see "Programme report, 2026-"
    And they see "x  hidden so that a small count cannot be worked out from the other figures"

  Scenario: The same cells are hidden whichever way the report is broken down
    When the M&E officer types "reentry --as ME1 report programme --by sex --centre KHJ"
    Then they see these rows:
      | indicator               | female | male | total |
      | Participants registered | <5     | x    | 10    |

  Scenario: The M&E officer audits the period's reports before sending them
    When the M&E officer types "reentry --as ME1 report audit --from 2026-01-01 --to 2026-12-31"
    Then the command succeeds
    And they see "0 exposed."

  Scenario: Lowering the threshold is refused, for a report and for the programme
    When the M&E officer types "reentry --as ME1 report programme --threshold 3"
    Then the command is refused with "a report may raise the small-count threshold (5), never lower it"
    When the M&E officer types "reentry --as ME1 report threshold 3"
    Then the command is refused as not allowed: "may not set the small-count threshold"

  Scenario: An admin raises the programme's threshold, and the audit trail records it
    When the administrator types "reentry --as ADM report threshold 11"
    And the M&E officer types "reentry --as ME1 report programme --by centre"
    Then they see these rows:
      | indicator               | DSH | KHJ  | total |
      | Participants registered | x   | <11  | 31    |
    And the audit trail has a report.threshold event by ADM
