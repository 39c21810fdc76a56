#!/usr/bin/env bash
# A short tour of the core on a fresh SQLite file (./tour.db): a centre, staff, a
# participant with a Tajik name, consent, a referral to a lawyer, a CSV import with a bad
# row (refused whole), the audit trail. Run from the project folder after installing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
reentry="${REENTRY:-reentry}"
db="${TOUR_DB:-tour.db}"
rm -f "$db" "$db-wal" "$db-shm"
export REENTRY_DATABASE_URL="sqlite:///$db"
step() { printf '\n\033[1m$ reentry %s\033[0m\n' "$*"; "$reentry" "$@"; }

step db upgrade
step staff add ADM --name "Нигина Каримова" --role admin
step --as ADM centres add DSH --name "Dushanbe reintegration centre" --city Dushanbe
step --as ADM centres add KHJ --name "Khujand reintegration centre" --city Khujand
step --as ADM staff add CW1 --name "Фарҳод Саидов" --role case_worker --centre DSH
step --as ADM staff add TR1 --name "Malika Yusupova" --role trainer --centre DSH
step --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 12.03.1985 \
  --centre DSH --release-date 2026-09-30 --facility "Yavan 3/6" --phone "+992 93 123 4567"
step --as CW1 participants consent DSH-2026-0001 --scope programme,referrals
step --as CW1 referrals add DSH-2026-0001 --service documents --to "Passport office, Dushanbe" \
  --reason "passport was not returned on release"
step --as CW1 referrals update 1 --status accepted
printf '\n\033[1m# an intake file with one bad row: nothing is imported\033[0m\n'
step --as CW1 participants import "$here/intake-with-error.csv" || true
step --as CW1 participants import "$here/intake.csv"
step --as CW1 participants list
step --as TR1 participants show DSH-2026-0001
step --as ADM audit log --limit 8
step --as ADM audit verify
printf '\nThe data is in %s; try: reentry --db sqlite:///%s --as ADM participants list\n' "$db" "$db"
