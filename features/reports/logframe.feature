Feature: The quarter's logframe report for the EU
  The EU funds the programme against a results framework (a logframe): outcomes and
  outputs, each measured by indicators with a baseline, a target per period and means of
  verification. At the end of each quarter the M&E officer reports the actual figures
  against the targets, beside the previous quarter's. The figures are the programme
  report's, with the same small-count protection. The shipped EU framework is an example
  whose targets the programme edits to match its contract.

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

  Scenario: The M&E officer reads the quarter's EU logframe against its targets
    When the M&E officer types "reentry --as ME1 report logframe --framework eu --from 2026-10-01 --to 2026-12-31"
    Then they see "Period 2026-10-01 – 2026-12-31; previous period 2026-07-01 – 2026-09-30."
    And they see these rows:
      | code  | result / indicator                                           | previous period | target | actual | % of target |
      | OP1.1 | People registered at the centres (since the start)           | 0               | 5 250  | 31     | 0.6%        |
      | OP1.2 | Share of women among the people registered (since the start) | —               | 30%    | 45.2%  | 150.5%      |

  Scenario: The M&E officer sends the EU the logframe as one file
    Given the M&E officer works in a folder of their own
    When the M&E officer types "reentry --as ME1 report logframe --framework eu --from 2026-10-01 --to 2026-12-31 --out eu-2026-q4.html"
    Then they see "Wrote the logframe to eu-2026-q4.html."
    And the file "eu-2026-q4.html" holds "Share of women among the people registered (since the start)"
    And the file "eu-2026-q4.html" holds "Participant register (reentry); consent forms"

  Scenario: The programme edits the targets in its own copy of the framework
    Given a framework "our-eu.toml" with:
      """
      [framework]
      donor = "EU"
      title = "EU grant, as signed"

      [[output]]
      code = "OP1"
      title = "People reached"

        [[output.indicator]]
        code = "OP1.1"
        title = "Women registered in the quarter"
        indicator = "participants.registered"
        sex = "female"
        baseline = 0
        verification = "Participant register"
        targets = { "2026-Q4" = 10 }
      """
    When the M&E officer types "reentry --as ME1 report logframe --framework our-eu.toml --from 2026-10-01 --to 2026-12-31"
    Then they see these rows:
      | code  | result / indicator              | target | actual | % of target |
      | OP1.1 | Women registered in the quarter | 10     | 14     | 140.0%      |

  Scenario: A framework naming an indicator nobody declares is refused
    Given a framework "wrong.toml" with:
      """
      [framework]
      donor = "EU"
      title = "Wrong"

      [[output]]
      code = "OP9"
      title = "Nothing"

        [[output.indicator]]
        code = "OP9.1"
        title = "Happiness"
        indicator = "participants.happiness"
        targets = { "2026-Q4" = 1 }
      """
    When the M&E officer types "reentry --as ME1 report logframe --framework wrong.toml --from 2026-10-01 --to 2026-12-31"
    Then the command is refused with "OP9.1 names the indicator 'participants.happiness', which no loaded plugin declares"
