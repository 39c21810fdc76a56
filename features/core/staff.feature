Feature: Staff who leave or move
  When someone leaves the programme, the admin deactivates them: they can no longer act
  in the tool, while what they did stays theirs in the records and the audit trail. The
  admin is told what they still hold (mentees, cohorts, committee seats, votes not cast,
  referrals they were following) so it can be handed over, before or after. When
  someone moves to another centre, the admin moves them and is told the same. The
  database is backed up by an admin, and a backup is put back only after it is checked.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
      | KHJ  | Khujand reintegration centre  | Khujand  |
    And these staff members:
      | code    | name            | role        | centre |
      | DSH-CW1 | Зарина Назарова | case_worker | DSH    |
      | DSH-MN1 | Фарҳод Саидов   | mentor      | DSH    |
      | DSH-MN2 | Лола Каримова   | mentor      | DSH    |

  Scenario: Offboarding a mentor who still has mentees
    Given "Зарина Ашурова", female, born 04.07.1991, was registered at DSH as DSH-2026-0001
    And "Мадина Сафарова", female, born 01.07.1992, was registered at DSH as DSH-2026-0002
    And the mentor DSH-MN1 mentors DSH-2026-0001 and DSH-2026-0002
    When the administrator types "reentry --as ADM staff deactivate DSH-MN1 --reason 'left the programme'"
    Then they read "DSH-MN1 is deactivated; still holds: mentee DSH-2026-0001, DSH-2026-0002 — hand it over: reentry staff work DSH-MN1"
    When the mentor types "reentry --as DSH-MN1 mentoring caseload --mentor DSH-MN1"
    Then the command is refused as not allowed: "staff member DSH-MN1 is deactivated; an admin can reactivate them: reentry --as ADMIN staff reactivate DSH-MN1"
    When the administrator types "reentry --as ADM staff work DSH-MN1"
    Then they see these rows:
      | kind   | key           | description             |
      | mentee | DSH-2026-0001 | mentee since 2026-11-23 |
      | mentee | DSH-2026-0002 | mentee since 2026-11-23 |
    When the administrator types "reentry --as ADM mentoring assign DSH-2026-0001 --mentor DSH-MN2 --reason 'DSH-MN1 left'"
    And the administrator types "reentry --as ADM mentoring assign DSH-2026-0002 --mentor DSH-MN2 --reason 'DSH-MN1 left'"
    And the administrator types "reentry --as ADM staff work DSH-MN1"
    Then they read "DSH-MN1 holds no open work."
    When the administrator types "reentry --as ADM staff list --inactive"
    Then they see these rows:
      | code    | roles  | centre | active |
      | DSH-MN1 | mentor | DSH    | no     |

  Scenario: Moving a case worker to Khujand
    Given "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    And DSH-2026-0001 gave consent to the programme and referrals
    And the case worker DSH-CW1 referred DSH-2026-0001 to "Legal aid centre" for legal help
    When the administrator types "reentry --as ADM staff move DSH-CW1 --centre KHJ"
    Then they read "DSH-CW1 now works at KHJ; still holds: referral 1 — hand it over: reentry staff work DSH-CW1"
    When the administrator types "reentry --as ADM staff list --centre KHJ"
    Then they see these rows:
      | code    | roles       | centre | active |
      | DSH-CW1 | case_worker | KHJ    | yes    |
    When the administrator types "reentry --as ADM audit log --key DSH-CW1 --action staff.move"
    Then they see these rows:
      | actor | action     | changes           |
      | ADM   | staff.move | centre: DSH → KHJ |

  Scenario: The last admin cannot leave, nor take their own admin role away
    When the administrator types "reentry --as ADM staff deactivate ADM --reason 'leaving'"
    Then the command is refused with "ADM is the last admin; make someone else admin first"
    When the administrator types "reentry --as ADM staff add ADM2 --name 'Руслан Азимов' --role admin"
    And the administrator types "reentry --as ADM staff roles ADM --set case_worker"
    Then the command is refused as not allowed: "ADM cannot take away their own admin role; another admin can"
    When the administrator types "reentry --as ADM2 staff deactivate ADM --reason 'left for another job'"
    Then they read "ADM is deactivated; they hold no open work."

  Scenario: A backup is put back after a mistake, and the database it replaced is kept
    Given the programme's database is a SQLite file in the administrator's folder
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001
    When the administrator types "reentry --as ADM db backup monday.db"
    Then they see "Backed up"
    When the case worker types "reentry --as DSH-CW1 participants add --name 'Ҷамшед Раҳимов' --sex male --birth-date 12.03.1985 --centre DSH --allow-same-name"
    And nobody else has the database open
    And the administrator types "reentry --as ADM db restore monday.db"
    Then the command is refused with "has 1 change newer than the backup (the newest of 2026-11-23); restoring would lose it: pass --force to restore anyway"
    When the administrator types "reentry --as ADM db restore monday.db --force"
    Then they see "Restored"
    And they see "The database it replaced is kept as"
    And the register holds 1 participant
    When the administrator types "reentry --as ADM audit log --action db.*"
    Then they see these rows:
      | actor | action     | record             |
      | ADM   | db.restore | database monday.db |
    When the administrator types "reentry --as ADM audit verify"
    Then they see "The audit trail is intact"
