Feature: Importing participants from a file
  At intake a centre often has a spreadsheet of new participants. A case worker imports
  it in one go: every row is checked first, and the file is imported whole or not at
  all, so a mistake in one row never leaves half a file in the register. Rows are
  numbered as in a spreadsheet: the header is row 1, the first person is row 2.

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name            | role        | centre |
      | CW1  | Зарина Назарова | case_worker | DSH    |

  Scenario: Three good rows give three participants, each with a code
    Given a file "intake-november.csv" with:
      | full_name       | sex    | birth_date | centre |
      | Ҷамшед Раҳимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова | female | 1992-07-01 | DSH    |
      | Фирӯза Қодирова | female | 05.11.1988 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-november.csv"
    Then they read "Imported 3 participants from intake-november.csv (DSH-2026-0001 … DSH-2026-0003); 0 duplicates skipped."
    And the register holds 3 participants
    And participant DSH-2026-0001 is "Ҷамшед Раҳимов", born 1985-03-12, at DSH
    And participant DSH-2026-0003 is "Фирӯза Қодирова", born 1988-11-05, at DSH

  Scenario: A date that does not exist stops the whole import
    Given a file "intake-november.csv" containing:
      """
      full_name,sex,birth_date,centre
      Ҷамшед Раҳимов,male,12.03.1985,DSH
      Мадина Сафарова,female,31.02.1990,DSH
      Фирӯза Қодирова,female,05.11.1988,DSH
      """
    When the case worker types "reentry --as CW1 participants import intake-november.csv"
    Then the import is refused, naming row 3, the column "birth_date" and the value "31.02.1990"
    And the register holds 0 participants

  Scenario: An unknown sex stops the whole import
    Given a file "intake-november.csv" with:
      | full_name       | sex    | birth_date | centre |
      | Ҷамшед Раҳимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова | female | 1992-07-01 | DSH    |
      | Фирӯза Қодирова | x      | 05.11.1988 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-november.csv"
    Then the import is refused, naming row 4, the column "sex" and the value "x"
    And the register holds 0 participants

  Scenario: Importing the same file again reports duplicates and adds nobody
    Given a file "intake-november.csv" with:
      | full_name       | sex    | birth_date | centre |
      | Ҷамшед Раҳимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова | female | 1992-07-01 | DSH    |
      | Фирӯза Қодирова | female | 05.11.1988 | DSH    |
    And the case worker CW1 has already imported "intake-november.csv"
    When the case worker types "reentry --as CW1 participants import intake-november.csv"
    Then they see "Nothing changed: all 3 people of intake-november.csv are already registered."
    And the duplicates named are DSH-2026-0001, DSH-2026-0002 and DSH-2026-0003
    And the register holds 3 participants

  Scenario: A dry run checks every row and imports nothing
    Given a file "intake-november.csv" with:
      | full_name       | sex    | birth_date | centre |
      | Ҷамшед Раҳимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова | female | 1992-07-01 | DSH    |
      | Фирӯза Қодирова | female | 05.11.1988 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-november.csv --dry-run"
    Then they read "Dry run: all 3 rows of intake-november.csv are valid; 3 would be imported, 0 duplicates skipped."
    And the register holds 0 participants

  Scenario: A file saved in Windows-1251 is recognised and imported
    Older spreadsheets from Excel in Russian are saved in Windows-1251 (cp1251), which
    has Russian letters but not the Tajik ones. A file that is not UTF-8 and reads as
    Cyrillic in Windows-1251 is read as Windows-1251.

    Given a file "intake-1251.csv" saved in Windows-1251 with:
      | full_name        | sex    | birth_date | centre |
      | Джамшед Рахимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова  | female | 1992-07-01 | DSH    |
      | Фируза Кадырова  | female | 05.11.1988 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-1251.csv"
    Then they read "Imported 3 participants from intake-1251.csv (DSH-2026-0001 … DSH-2026-0003); 0 duplicates skipped."
    And participant DSH-2026-0002 is "Мадина Сафарова", born 1992-07-01, at DSH

  Scenario: Tajik letters lost by a Windows-1251 file are refused with the way out
    Excel writes "?" for ҷ ҳ ғ қ ӣ ӯ when it saves "CSV (comma delimited)": the names
    would be stored with question marks, so the file is refused.

    Given a file "intake-1251.csv" saved by Excel as "CSV (comma delimited)" on a Russian Windows with:
      | full_name        | sex    | birth_date | centre |
      | Мадина Сафарова  | female | 1992-07-01 | DSH    |
      | Ҷамшед Раҳимов   | male   | 12.03.1985 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-1251.csv"
    Then the command is refused with "row 3, full_name: '?амшед Ра?имов' has '?' inside a word"
    And the command is refused with "no Tajik letters (ҷ ҳ ғ қ ӣ ӯ); save it as"
    And the register holds 0 participants

  Scenario: A Windows-1251 file imports when its encoding is given
    Given a file "intake-1251.csv" saved in Windows-1251 with:
      | full_name        | sex    | birth_date | centre |
      | Джамшед Рахимов  | male   | 12.03.1985 | DSH    |
      | Мадина Сафарова  | female | 1992-07-01 | DSH    |
      | Фируза Кадырова  | female | 05.11.1988 | DSH    |
    When the case worker types "reentry --as CW1 participants import intake-1251.csv --encoding cp1251"
    Then they read "Imported 3 participants from intake-1251.csv (DSH-2026-0001 … DSH-2026-0003); 0 duplicates skipped."
    And participant DSH-2026-0001 is "Джамшед Рахимов", born 1985-03-12, at DSH
