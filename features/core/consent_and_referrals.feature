Feature: Consent and referrals
  A referral hands a participant over to another service: a lawyer, a psychologist,
  drug treatment, an employment centre or the passport office. It passes the person's
  details to someone outside the programme, so the participant must first have agreed
  to referrals (informed consent). A referral moves from open to accepted to done, or
  is declined or cancelled; once closed it stays closed, unless a case worker finds it was
  closed by mistake and reopens it, saying why. What was entered wrongly (the service, the
  office, the reason, the day it was opened) is corrected the same way; the audit trail
  keeps what it said before.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |
    And "Ҷамшед Раҳимов", male, born 12.03.1985, was registered at DSH as DSH-2026-0001

  Scenario: With consent on file, a referral to a lawyer is followed to the end
    When the case worker types "reentry --as CW1 participants consent DSH-2026-0001 --scope programme,referrals"
    Then they read "Consent of DSH-2026-0001 recorded (programme, referrals)."
    When the case worker types:
      """
      reentry --as CW1 referrals add DSH-2026-0001 --service legal --to "Legal aid centre, Dushanbe" \
          --reason "passport was not returned on release"
      """
    Then they read "Opened referral 1: DSH-2026-0001 to Legal aid centre, Dushanbe (legal)."
    And referral 1 is open
    When the case worker types "reentry --as CW1 referrals update 1 --status accepted"
    Then they read "Referral 1 is now accepted."
    And referral 1 is accepted
    When the case worker types "reentry --as CW1 referrals update 1 --status done --note 'passport issued'"
    Then they read "Referral 1 is now done."
    And referral 1 is done
    When the case worker types "reentry --as CW1 participants show DSH-2026-0001"
    Then they see "given 2026-11-23 (programme, referrals)"
    And they see "1: legal → Legal aid centre, Dushanbe (done)"

  Scenario: A referral without consent is refused, saying what to do
    When the case worker types:
      """
      reentry --as CW1 referrals add DSH-2026-0001 --service legal --to "Legal aid centre, Dushanbe" \
          --reason "passport was not returned on release"
      """
    Then the command is refused with "DSH-2026-0001 has no consent on file for referrals; record it first: reentry participants consent DSH-2026-0001 --scope programme,referrals"
    And there are no referrals

  Scenario: Consent to the programme alone does not allow referrals
    Given DSH-2026-0001 gave consent to the programme only
    When the case worker types "reentry --as CW1 referrals add DSH-2026-0001 --service psychological --to 'Dr. Sharipova' --reason 'sleep problems'"
    Then the command is refused with "DSH-2026-0001 has no consent on file for referrals"
    And there are no referrals

  Scenario: A done referral does not move on by a status update
    Given DSH-2026-0001 gave consent to the programme and referrals
    And DSH-2026-0001 was referred to "Legal aid centre, Dushanbe" for legal help, and the referral is done
    When the case worker types "reentry --as CW1 referrals update 1 --status accepted"
    Then the command is refused with "referral 1 is done; it cannot become accepted (possible: none: it is closed)"
    And referral 1 is done

  Scenario: A declined referral cannot be accepted later
    Given DSH-2026-0001 gave consent to the programme and referrals
    And DSH-2026-0001 was referred to "Employment centre, Dushanbe" for employment help, and the referral is declined
    When the case worker types "reentry --as CW1 referrals update 1 --status accepted"
    Then the command is refused with "referral 1 is declined; it cannot become accepted"
    And referral 1 is declined

  Scenario: Withdrawing consent blocks new referrals
    Given DSH-2026-0001 gave consent to the programme and referrals
    When the case worker types "reentry --as CW1 participants consent DSH-2026-0001 --withdraw"
    Then they read "Consent of DSH-2026-0001 withdrawn on 2026-11-23."
    When the case worker types "reentry --as CW1 referrals add DSH-2026-0001 --service documents --to 'Passport office, Dushanbe' --reason 'new passport'"
    Then the command is refused with "DSH-2026-0001 has no consent on file for referrals"
    And there are no referrals

  Scenario: A referral marked done by mistake is reopened, saying why
    Given DSH-2026-0001 gave consent to the programme and referrals
    And DSH-2026-0001 was referred to "Legal aid centre, Dushanbe" for legal help, and the referral is done
    When the case worker types "reentry --as CW1 referrals reopen 1 --reason 'marked done by mistake; the appeal is still running'"
    Then they read "Referral 1 is accepted again."
    And referral 1 is accepted
    When the case worker types "reentry --as CW1 referrals reopen 1 --reason 'once more'"
    Then the command is refused with "referral 1 is accepted, not closed; there is nothing to reopen"
    When the case worker types "reentry --as CW1 referrals reopen 1"
    Then the command is refused with "Missing option '--reason'"

  Scenario: A referral entered with the wrong office is corrected, and the trail keeps the earlier one
    Given DSH-2026-0001 gave consent to the programme and referrals
    And DSH-2026-0001 was referred to "Legal aid centre, Dushanbe" for legal help, and the referral is done
    When the case worker types "reentry --as CW1 referrals edit 1 --to 'Legal aid centre, Khujand' --reason 'the lawyer sits in Khujand'"
    Then they read "Corrected referral 1: DSH-2026-0001 to Legal aid centre, Khujand (legal)."
    And referral 1 is done
    When the administrator types "reentry --as ADM audit log --action referral.edit --key 1"
    Then they see "Legal aid centre, Dushanbe"
    And they see "the lawyer sits in Khujand"
