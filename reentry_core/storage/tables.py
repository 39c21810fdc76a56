"""The core's tables. Plugins declare theirs on the same ``metadata`` with a name prefix."""

from __future__ import annotations

import sqlalchemy as sa

#: Constraint names Alembic can rely on (SQLite batch migrations need them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

UtcDateTime = sa.DateTime(timezone=True)

centre = sa.Table(
    "centre",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(6), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("city", sa.String(80), nullable=False),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("centre_id", sa.ForeignKey("centre.id"), nullable=True, index=True),
    sa.Column("active", sa.Boolean, nullable=False),
)

staff_role = sa.Table(
    "staff_role",
    metadata,
    sa.Column("staff_id", sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(30), primary_key=True),
)

participant = sa.Table(
    "participant",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("centre_id", sa.ForeignKey("centre.id"), nullable=False),
    sa.Column("full_name", sa.String(200), nullable=False),
    # casefolded name: finds "ҶАМШЕД РАҲИМОВ" and "Ҷамшед Раҳимов" as the same person
    sa.Column("name_key", sa.String(200), nullable=False),
    sa.Column("sex", sa.String(10), nullable=False),
    sa.Column("birth_date", sa.Date, nullable=False),
    sa.Column("registered_on", sa.Date, nullable=False),
    sa.Column("phone", sa.String(20)),
    sa.Column("release_date", sa.Date),
    sa.Column("facility", sa.String(120)),
    sa.Column("offence_category", sa.String(20)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("exit_reason", sa.String(20)),
    sa.Column("exited_on", sa.Date),
    sa.Column("exit_note", sa.Text),
    # 0 for the first person of a centre with this name and birth date; 1, 2 … for others
    # registered knowingly (--allow-same-name). The unique key below makes "the same person
    # twice at one centre" a rule of the database, not a look-up two desks can both pass.
    sa.Column("twin", sa.SmallInteger, nullable=False, server_default="0"),
    # the day the person's identifying details were erased (on request or at the end of the
    # retention period); the row stays, so counts in reports do not change
    sa.Column("erased_on", sa.Date),
    sa.UniqueConstraint("centre_id", "name_key", "birth_date", "twin", name="uq_participant_identity"),
)

#: The code of a record merged into another (the same person registered twice), or the code
#: a person had before a registration at the wrong centre was corrected: it still finds them.
participant_alias = sa.Table(
    "participant_alias",
    metadata,
    sa.Column("code", sa.String(20), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("since", sa.Date, nullable=False),
)

participant_code_counter = sa.Table(
    "participant_code_counter",
    metadata,
    sa.Column("centre_id", sa.ForeignKey("centre.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_number", sa.Integer, nullable=False),
)

consent = sa.Table(
    "consent",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("given_on", sa.Date, nullable=False),
    sa.Column("scope", sa.String(100), nullable=False),  # comma-separated, sorted
    sa.Column("withdrawn_on", sa.Date),
)

referral = sa.Table(
    "referral",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("service_type", sa.String(20), nullable=False),
    sa.Column("to_whom", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("accepted_on", sa.Date),
    sa.Column("closed_on", sa.Date),
    sa.Column("note", sa.Text),
)

audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor", sa.String(20), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_key", sa.String(60), nullable=False),
    # canonical JSON text, exactly as hashed
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # an event about many records (one batch of an import): their keys, comma-separated,
    # hashed with the event; audit_event_key indexes them
    sa.Column("record_keys", sa.Text),
    # the fingerprint of the audit key whose HMAC-SHA256 made `hash` (the key itself is
    # never stored); NULL: a plain SHA-256, as every event before c0003 was chained
    sa.Column("key_id", sa.String(8)),
    # what `hash` covers: NULL the payload text (events before c0006); 2 the SHA-256 of each
    # payload and of each batch record, so a payload can be erased and the chain still checks
    sa.Column("form", sa.SmallInteger),
    sa.Index("ix_audit_event_entity", "entity", "entity_key"),
)

# Which batch event holds a record, so `audit log --key` finds it. Derived from
# audit_event.record_keys (which the hash covers); `audit verify` checks the two agree.
audit_event_key = sa.Table(
    "audit_event_key",
    metadata,
    sa.Column("entity_key", sa.String(60), primary_key=True),
    sa.Column("seq", sa.ForeignKey("audit_event.seq"), primary_key=True),
    sqlite_with_rowid=False,  # one B-tree, not two: imports write a row per person
)

# One row: the newest event's number and hash. Writers lock it, so the chain never forks,
# and `audit verify` can tell when events were cut from the end.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Who looked: views and exports of identifiable records (who, when, what, how many
# people), apart from the change trail and chained the same way (its own head), so a cut
# or edited entry shows. `audit access` reads it (admins).
access_event = sa.Table(
    "access_event",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor", sa.String(20), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("people", sa.Integer, nullable=False),
    sa.Column("detail", sa.Text),
    # the codes of the people seen (up to ACCESS_KEYS), comma-separated, hashed with the entry
    sa.Column("record_keys", sa.Text),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_access_event_actor", "actor"),
)

access_event_key = sa.Table(
    "access_event_key",
    metadata,
    sa.Column("entity_key", sa.String(60), primary_key=True),
    sa.Column("seq", sa.ForeignKey("access_event.seq"), primary_key=True),
    sqlite_with_rowid=False,
)

access_head = sa.Table(
    "access_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Settings of one database, e.g. the secret behind stable export pseudonyms.
setting = sa.Table(
    "setting",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# How a staff member signs in to the web workspace (``reentry serve``): the password's
# hash (argon2id; never the password, never audited) and the language they chose.
staff_login = sa.Table(
    "staff_login",
    metadata,
    sa.Column("staff_id", sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("language", sa.String(10), nullable=True),
)

#: The core's own tables, as answered to ``register_tables``.
CORE_TABLES = (
    centre, staff, staff_role, participant, participant_code_counter, consent, referral, audit_event, audit_event_key,
    audit_head, setting, access_event, access_event_key, access_head, staff_login,
)
