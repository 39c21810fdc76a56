Feature: The audit trail
  Every change to the register is written to the audit trail: who made it, when, and
  what it changed. Each entry is sealed with the one before it, so an entry edited or
  deleted behind the programme's back shows when the trail is checked. Admins and
  M&E officers read the trail.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
      | ME1  | Руслан Азимов   | me_officer  |        |

  Scenario: Every change is in the audit log with who made it
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 12.03.1985 --centre DSH
      """
    And the case worker types "reentry --as CW1 participants consent DSH-2026-0001"
    And the case worker types "reentry --as CW1 participants update DSH-2026-0001 --phone '+992 93 555 0101'"
    And the administrator types "reentry --as ADM audit log --key DSH-2026-0001"
    Then they see these rows:
      | actor | action               | record                    | changes                  |
      | CW1   | participant.register | participant DSH-2026-0001 | created                  |
      | CW1   | consent.record       | participant DSH-2026-0001 | created                  |
      | CW1   | participant.update   | participant DSH-2026-0001 | phone: — → +992935550101 |

  Scenario: An imported person's history shows the import that brought them in
    Given a file "intake.csv" with:
      | full_name       | sex    | birth_date | centre | consent_given_on |
      | Ҷамшед Раҳимов  | male   | 12.03.1985 | DSH    | 20.11.2026       |
      | Мадина Сафарова | female | 1992-07-01 | DSH    |                  |
    And the case worker CW1 has already imported "intake.csv"
    When the administrator types "reentry --as ADM audit log --key DSH-2026-0001"
    Then they see these rows:
      | actor | action             | record                                  | changes |
      | CW1   | participant.import | participant DSH-2026-0001…DSH-2026-0002 | created |
      | CW1   | consent.record     | participant DSH-2026-0001               | created |
    When the administrator types "reentry --as ADM audit log --action participant.import"
    Then they see these rows:
      | actor | action             | changes           |
      | CW1   | participant.import | 2 records created |
    When the M&E officer types "reentry --as ME1 audit verify"
    Then they see "The audit trail is intact"

  Scenario: The admin's own changes carry the admin's code
    When the administrator types "reentry --as ADM centres add KHG --name 'Khorog reintegration centre' --city Khorog"
    And the administrator types "reentry --as ADM audit log --actor ADM --action centre.*"
    Then they see these rows:
      | actor | action     | record     |
      | ADM   | centre.add | centre DSH |
      | ADM   | centre.add | centre KHG |

  Scenario: A centre's name entered wrongly is corrected, and the trail keeps the earlier one
    When the administrator types "reentry --as ADM centres edit DSH --name 'Dushanbe reintegration centre No. 1' --reason 'office renamed by the ministry'"
    Then they read "Centre DSH is now Dushanbe reintegration centre No. 1 (Dushanbe)."
    When the administrator types "reentry --as ADM --format json audit log --action centre.edit"
    Then they see "Dushanbe reintegration centre No. 1"
    And they see "office renamed by the ministry"
    When the M&E officer types "reentry --as ME1 audit verify"
    Then they see "The audit trail is intact"

  Scenario: The check says the trail is intact
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    When the M&E officer types "reentry --as ME1 audit verify"
    Then they see "The audit trail is intact: 6 events"

  Scenario: An entry edited directly in the database is reported
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    And someone changed the name in the audit entry of that registration to "Ҷаҳонгир Раҳимов", directly in the database
    When the administrator types "reentry --as ADM audit verify"
    Then the check fails, saying "the audit trail was tampered with"
    And it names the registration of DSH-2026-0001 as changed after it was written

  Scenario: An entry deleted from the end of the trail is reported
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    And someone deleted the last audit entry, directly in the database
    When the administrator types "reentry --as ADM audit verify"
    Then the check fails, saying "events 6–6 at the end are missing (deleted)"

  Scenario: A case worker cannot read the audit trail
    When the case worker types "reentry --as CW1 audit log"
    Then the command is refused as not allowed: "CW1 (case_worker) may not read the audit trail"
