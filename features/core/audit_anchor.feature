Feature: Checking the audit trail against a checkpoint kept outside the database
  Each entry of the audit trail is sealed with the one before it, so an entry edited or
  deleted behind the programme's back shows when the trail is checked. But someone who
  can change the database file can rewrite the trail so that it still checks out on its
  own: empty it, cut off its last entries, or change an entry and recompute every seal
  after it, and make the people's records agree (a record changed on its own shows: the
  check compares each participant with their audited changes). So at the end of each month the M&E officer makes a checkpoint of the trail
  (an anchor: a few lines) and e-mails it to the donor. Checking the trail against the
  donor's copy shows any such rewrite made since the checkpoint.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
      | ME1  | Руслан Азимов   | me_officer  |        |
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0002

  Scenario: The M&E officer makes the month's checkpoint for the donor and checks the trail against it
    Given the M&E officer works in a folder of their own
    When the M&E officer types "reentry --as ME1 audit anchor --out anchor-2026-11.txt"
    Then they see "Anchor written to anchor-2026-11.txt: 8 events"
    And the file "anchor-2026-11.txt" holds the checkpoint, readable by the M&E officer alone
    When the M&E officer types "reentry --as ME1 audit verify --anchor anchor-2026-11.txt"
    Then they see "The audit trail is intact: 8 events"
    And they see "It still holds what the 1 anchor given saw."
    When the administrator types "reentry --as ADM audit log --action audit.anchor"
    Then they see these rows:
      | actor | action       |
      | ME1   | audit.anchor |

  Scenario: A participant's record changed directly in the database is caught by the check alone
    Given someone changed the phone of DSH-2026-0002 directly in the database
    When the M&E officer types "reentry --as ME1 audit verify"
    Then the check fails, saying "participant DSH-2026-0002: phone is '+992900000000' in the data but None after its last audited change"

  Scenario: An emptied trail is caught by the check alone, as long as the rows it made are still there
    Given the M&E officer ME1 sent the checkpoint "anchor-2026-11.txt" to the donor
    And someone emptied the audit trail and reset its end, directly in the database, and made the people's records agree with it
    When the M&E officer types "reentry --as ME1 audit verify"
    Then the check fails, saying "staff member ME1 is in the data but no audited change made it: the row was added outside reentry"
    When the M&E officer types "reentry --as ME1 audit verify --anchor anchor-2026-11.txt"
    Then the check fails, saying "the trail was emptied or cut back since"

  Scenario Outline: A trail rewritten after the checkpoint was sent checks out alone, but not against the donor's copy
    Given the M&E officer ME1 sent the checkpoint "anchor-2026-11.txt" to the donor
    And someone <rewrote the trail>, directly in the database, and made the people's records agree with it
    When the M&E officer types "reentry --as ME1 audit verify"
    Then they see "The audit trail is intact"
    When the M&E officer types "reentry --as ME1 audit verify --anchor anchor-2026-11.txt"
    Then the check fails, saying "<what it says>"

    Examples:
      | rewrote the trail                                                   | what it says                            |
      | cut off the last two audit entries and moved the trail's end back   | the trail was emptied or cut back since |
      | changed a name in an audit entry and recomputed every seal after it | the trail up to it was rewritten        |

  Scenario: A checkpoint changed after it was made is refused
    Given the programme's audit key is set
    And the M&E officer ME1 sent the checkpoint "anchor-2026-11.txt" to the donor
    And someone changed the number of events in "anchor-2026-11.txt"
    When the M&E officer types "reentry --as ME1 audit verify --anchor anchor-2026-11.txt"
    Then the check fails, saying "anchor-2026-11.txt was changed after it was made: its signature does not match"

  Scenario: Without the audit key, keyed entries are not called intact
    Given the programme's audit key is set
    And the M&E officer ME1 sent the checkpoint "anchor-2026-11.txt" to the donor
    When the M&E officer types "reentry --as ME1 audit verify" without the audit key
    Then they see "1 keyed event could not be checked"
    And they do not see "intact"
