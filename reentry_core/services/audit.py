"""The audit trail: append-only events, hash-chained so an edited or deleted row shows.

Each event's hash covers its own fields and the previous event's hash. The newest
number and hash are kept in ``audit_head`` (locked by every writer, so the chain never
forks), which lets ``verify`` also notice events cut from the end.

Most events are about one record (``entity_key``). A *batch event* is about many (one
batch of an import): its ``after`` holds ``{"records": {key: record, ...}}``, its
``record_keys`` lists the keys (hashed with the event), and ``audit_event_key`` indexes
them so ``log(key=...)`` finds the batch and shows just that record.

Since migration c0006 an event's hash covers the SHA-256 of each payload (of each record,
for a batch event) rather than the payload text (``form`` 2). A payload can then be erased
— replaced by ``{"~erased": {"by": N, "sha256": …}}``, N the erasure event that did it —
without breaking the chain: ``verify`` uses the kept digest, and checks that erasure N
names the event. Events written before keep the older form (NULL) and are checked as they
were.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa

from .. import convert
from ..domain import AuditEvent
from ..errors import AuditTampered, Conflict, DatabaseError, InvalidInput
from ..i18n import _
from ..storage import tables as t
from ..storage.bulk import BulkInsert

GENESIS = "0" * 64


def canonical_json(value: Any) -> str | None:
    """The exact text that is stored and hashed: sorted keys, no spaces, UTF-8."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


_BATCH_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def batch_json(value: dict) -> str:
    """The stored text of a batch event: records in the order given, fields in their
    declared order. Not re-sorted: a thousand records sort slowly. Values must be plain
    (strings, numbers, lists, dicts)."""
    return _BATCH_ENCODER.encode(value)


# --- payload digests: what the hash covers, so that a payload can be erased ------------------

#: The key of an erased payload (or batch record): ``{"~erased": {"by": N, "sha256": …}}``.
ERASED = "~erased"
#: How an erased payload's text starts.
ERASED_MARK = '{"' + ERASED + '":'
_ERASED_START = ERASED_MARK
#: ``audit_event.form`` of events whose hash covers payload digests.
DIGESTS = 2


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_sha = sha256_text


def erased(digest: str, by: int) -> dict:
    """What stands in for an erased payload or record: the erasure event and the digest."""
    return {ERASED: {"by": by, "sha256": digest}}


def is_erased(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and ERASED in value


def single_digest(text: str | None) -> tuple[str, int | None]:
    """A one-record payload's digest, and the erasure that erased it (``None``: not erased)."""
    if text is None:
        return "", None
    if text.startswith(_ERASED_START):
        mark = json.loads(text)[ERASED]
        return str(mark["sha256"]), int(mark["by"])
    return _sha(text), None


def _batch_digest(about_text: str, records: list[tuple[str, str]]) -> str:
    return _sha("\x1f".join([_sha(about_text), *(f"{key}:{digest}" for key, digest in records)]))


def batch_payload(about: dict, records: dict[str, Any]) -> tuple[str, str]:
    """A batch event's stored text (the same as :func:`batch_json` of ``{**about,
    "records": records}``) and its digest: of the facts about the batch and of each record
    apart, so one person's record can be erased and the rest still checked."""
    encode = _BATCH_ENCODER.encode
    about_text = encode(about)
    parts, digests = [], []
    for key, record in records.items():
        text = encode(record)
        parts.append(f"{encode(key)}:{text}")
        digests.append((key, _sha(text)))
    body = '"records":{' + ",".join(parts) + "}}"
    text = (about_text[:-1] + "," + body) if about else "{" + body
    return text, _batch_digest(about_text, digests)


_RECORDS = '"records":{'
_DECODE = json.JSONDecoder().raw_decode


def batch_digest(text: str) -> tuple[str, list[tuple[str, int]]]:
    """A stored batch payload's digest, and ``(record key, erasure)`` for each erased record.

    Each record's digest is of its text exactly as stored, cut out of the payload while
    parsing it (the records object comes last, as :func:`batch_payload` writes it), so
    nothing is encoded again: ``verify`` reads every batch of a national programme."""
    at = text.find(_RECORDS)
    if at < 0:
        data = json.loads(text)
        return _batch_digest(_BATCH_ENCODER.encode(data), []), []
    about_text = text[:at - 1] + "}" if at > 1 else "{}"
    digests, erasures = [], []
    pos = at + len(_RECORDS)
    while text[pos] != "}":
        key, pos = _DECODE(text, pos)
        start = pos + 1  # after the colon
        record, pos = _DECODE(text, start)
        if is_erased(record):
            digests.append((key, str(record[ERASED]["sha256"])))
            erasures.append((key, int(record[ERASED]["by"])))
        else:
            digests.append((key, _sha(text[start:pos])))
        if text[pos] == ",":
            pos += 1
    return _batch_digest(about_text, digests), erasures


def plain(value: Any) -> Any:
    """What an audit event keeps of ``value``: attrs objects unstructured, also inside the
    dicts and lists a batch event's records are made of."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(item) for item in value)
    if value is None or isinstance(value, (str, int, float)):
        return value
    return convert.unstructure(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return str(value)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the audit key -------------------------------------------------------------------------

KEY_FILE_ENV = "REENTRY_AUDIT_KEY_FILE"
KEY_ENV = "REENTRY_AUDIT_KEY"
#: Shorter secrets are refused: the MACs in the database would let anyone guess them offline.
MIN_KEY_CHARS = 16


@attrs.frozen(repr=False)
class AuditKey:
    """A secret kept outside the database; events and anchors are HMAC-SHA256'd with it."""

    secret: bytes

    @property
    def id(self) -> str:
        """The fingerprint stored with each keyed event: the first 8 hex of its SHA-256."""
        return hashlib.sha256(self.secret).hexdigest()[:8]

    def mac(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never the secret
        return f"AuditKey({self.id})"


def as_audit_key(value: "AuditKey | bytes | str | None") -> AuditKey | None:
    """An :class:`AuditKey` from the secret itself (text or bytes), or ``None``."""
    if value is None or isinstance(value, AuditKey):
        return value
    secret = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    secret = secret.strip()
    if len(secret) < MIN_KEY_CHARS:
        raise InvalidInput(_("the audit key is too short: it needs at least {n} characters (make one with "
                             "'reentry audit new-key FILE')").format(n=MIN_KEY_CHARS))
    return AuditKey(secret)


def audit_key_from_env(environ=None) -> AuditKey | None:
    """The key named by ``REENTRY_AUDIT_KEY_FILE`` (a file holding it) or given in
    ``REENTRY_AUDIT_KEY``; ``None`` when neither is set. Never read from the database."""
    environ = os.environ if environ is None else environ
    path, text = environ.get(KEY_FILE_ENV, "").strip(), environ.get(KEY_ENV, "")
    if path and text:
        raise InvalidInput(_("set either {file_env} or {env}, not both").format(file_env=KEY_FILE_ENV, env=KEY_ENV))
    if path:
        try:
            return as_audit_key(Path(path).expanduser().read_bytes())
        except OSError as exc:
            raise InvalidInput(_("cannot read the audit key file {file} ({env}): {reason}").format(
                file=path, env=KEY_FILE_ENV, reason=exc.strerror or exc)) from None
    return as_audit_key(text) if text else None


def event_hash(seq: int, at: datetime, actor: str, action: str, entity: str, key: str,
               before: str | None, after: str | None, prev_hash: str, record_keys: str | None = None,
               *, audit_key: AuditKey | None = None) -> str:
    """SHA-256 of the fields and the previous hash; HMAC-SHA256 under ``audit_key`` when given."""
    fields = [str(seq), _utc_text(at), actor, action, entity, key, before or "", after or "", prev_hash]
    if record_keys is not None:  # only batch events have them: the hash of every other event is unchanged
        fields.append(record_keys)
    text = "\x1f".join(fields)
    if audit_key is not None:
        return audit_key.mac(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_hash(row, prev_hash: str | None = None, *, audit_key: AuditKey | None = None,
             after: str | None = None) -> tuple[str | None, list[tuple[int, str | None, int]]]:
    """The hash a stored event (a row of ``audit_event``) must have, chained to
    ``prev_hash`` (default its own) and with ``after`` in place of its payload if given; and
    ``(event, record key or None, erasure)`` for each erased payload or record in it. The
    hash is ``None`` for an event of the older form (its text hashed) that was erased."""
    before, after = row.before, row.after if after is None else after
    erasures: list[tuple[int, str | None, int]] = []
    if row.form != DIGESTS:  # the text itself was hashed: once erased, the seal cannot be checked
        for text in (before, after):
            if text is not None and text.startswith(ERASED_MARK):
                erasures.append((row.seq, None, int(json.loads(text)[ERASED]["by"])))
            elif text is not None and row.record_keys is not None and '"' + ERASED + '"' in text:
                erasures.extend((row.seq, key, by) for key, by in batch_digest(text)[1])
        if erasures:
            return None, erasures
    if row.form == DIGESTS:
        before, by = single_digest(before)
        if by is not None:
            erasures.append((row.seq, None, by))
        if row.record_keys is not None and after is not None and not after.startswith(_ERASED_START):
            after, erased_records = batch_digest(after)
            erasures.extend((row.seq, key, by) for key, by in erased_records)
        else:
            after, by = single_digest(after)
            if by is not None:
                erasures.append((row.seq, None, by))
    digest = event_hash(row.seq, _as_utc(row.at), row.actor, row.action, row.entity, row.entity_key, before, after,
                        row.prev_hash if prev_hash is None else prev_hash, row.record_keys, audit_key=audit_key)
    return digest, erasures


@attrs.define
class PendingEvent:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: str | None
    after: str | None
    record_keys: tuple[str, ...] | None = None
    #: a batch payload's digest, made with its text (:func:`batch_payload`)
    after_digest: str | None = None


# Built once: every write of every user action runs these three.
_READ_HEAD = sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1).with_for_update()
_INSERT_EVENT = t.audit_event.insert()
_KEY_OF = sa.select(t.audit_event.c.key_id).where(t.audit_event.c.seq == sa.bindparam("seq"))
_MOVE_HEAD = t.audit_head.update().where(t.audit_head.c.id == 1).values(
    seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))


def write_events(conn: sa.Connection, events: list[PendingEvent], audit_key: AuditKey | None = None) -> None:
    """Chain and insert buffered events; called once, at the end of the transaction.
    With ``audit_key`` each hash is an HMAC under it and the event records the key's id."""
    if not events:
        return
    key_id = audit_key.id if audit_key is not None else None
    head = conn.execute(_READ_HEAD).one()
    seq, prev = head.seq, head.hash
    if audit_key is None and seq:
        keyed = conn.execute(_KEY_OF, {"seq": seq}).scalar()
        if keyed is not None:
            raise DatabaseError(_("this audit trail is keyed (key {id}) but no audit key is set here: set {env} to "
                                  "the programme's key file; nothing was changed").format(id=keyed, env=KEY_FILE_ENV))
    rows = []
    index = []
    for ev in events:
        seq += 1
        keys = ",".join(ev.record_keys) if ev.record_keys is not None else None
        after_digest = ev.after_digest if ev.after_digest is not None else single_digest(ev.after)[0]
        digest = event_hash(seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_key,
                            single_digest(ev.before)[0], after_digest, prev, keys, audit_key=audit_key)
        rows.append({
            "seq": seq, "at": ev.at, "actor": ev.actor, "action": ev.action, "entity": ev.entity,
            "entity_key": ev.entity_key, "before": ev.before, "after": ev.after, "prev_hash": prev, "hash": digest,
            "record_keys": keys, "key_id": key_id, "form": DIGESTS,
        })
        if ev.record_keys:
            index.extend((key, seq) for key in ev.record_keys)
        prev = digest
    conn.execute(_INSERT_EVENT, rows)
    if index:
        BulkInsert(conn, t.audit_event_key, ["entity_key", "seq"]).run_tuples(index)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _event(row, key: str | None = None) -> AuditEvent:
    after = json.loads(row.after) if row.after else None
    if key is not None and row.record_keys is not None and isinstance(after, dict) and "records" in after:
        after = {**after, "records": {k: v for k, v in after["records"].items() if k == key}}  # just the one asked for
    return AuditEvent(
        seq=row.seq, at=_as_utc(row.at), actor=row.actor, action=row.action, entity=row.entity,
        entity_key=row.entity_key, before=json.loads(row.before) if row.before else None,
        after=after, prev_hash=row.prev_hash, hash=row.hash,
        record_keys=tuple(row.record_keys.split(",")) if row.record_keys else None,
    )


def query_events(conn: sa.Connection, *, entity=None, key=None, actor=None, action=None,
                 since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None, newest_first: bool = True) -> list[AuditEvent]:
    ev = t.audit_event
    query = sa.select(ev)
    if entity:
        query = query.where(ev.c.entity == entity)
    if key:
        in_batch = sa.select(t.audit_event_key.c.seq).where(t.audit_event_key.c.entity_key == key)
        query = query.where(sa.or_(ev.c.entity_key == key, ev.c.seq.in_(in_batch)))
    if actor:
        query = query.where(ev.c.actor == actor.upper())
    if action:
        query = query.where(ev.c.action.like(action.replace("*", "%")))
    if since:
        query = query.where(ev.c.at >= since)
    if until:
        query = query.where(ev.c.at < until)
    query = query.order_by(ev.c.seq.desc() if newest_first else ev.c.seq)
    if limit:
        query = query.limit(limit)
    return [_event(row, key) for row in conn.execute(query)]


@attrs.frozen
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]
    #: keyed events whose MAC could not be checked: no audit key was given
    unchecked: int = 0
    #: how many anchors the trail was compared with
    anchors: int = 0
    #: things said that are not problems (an anchor's signature not checked …)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(conn: sa.Connection, audit_key: AuditKey | None = None,
                 anchors: "tuple[Anchor, ...] | list[Anchor]" = ()) -> VerifyResult:
    """Recompute every hash in order; report edits, gaps, and a cut-off end. Keyed events
    are checked with ``audit_key`` (counted as unchecked without it); each anchor's event
    must still be in the trail with the hash the anchor saw."""
    problems: list[str] = []
    head = conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)).one()
    expected_seq, prev = 0, GENESIS
    checked = unchecked = 0
    last_keyed: int | None = None  # the newest keyed event so far
    unkeyed_after_keyed = False
    ours_seen = False  # an event keyed with audit_key
    plain = 0  # events chained with plain SHA-256
    other_key: tuple[int, str] | None = None  # the first event keyed with another key after ours
    wanted = {a.seq for a in anchors}
    seen: dict[int, tuple[str, str | None]] = {}
    batch_events: list[tuple[int, str]] = []
    erasures: list[tuple[int, str | None, int]] = []  # (event, record key or None, the erasure that did it)
    erasure_events: dict[int, str] = {}
    erased_old = 0  # events of the older form, erased: their seal cannot be checked
    rows = conn.execution_options(yield_per=2000).execute(sa.select(t.audit_event).order_by(t.audit_event.c.seq))
    for row in rows:
        checked += 1
        expected_seq += 1
        if row.seq != expected_seq:
            problems.append(
                _("events {a}–{b} are missing (deleted)").format(a=expected_seq, b=row.seq - 1)
                if row.seq > expected_seq else _("event {n} appears twice").format(n=row.seq)
            )
            expected_seq = row.seq
        if row.prev_hash != prev:
            problems.append(_("event {n} does not follow the event before it").format(n=row.seq))
        if row.key_id is None:
            plain += 1
            if last_keyed is not None and not unkeyed_after_keyed:
                unkeyed_after_keyed = True
                problems.append(_("event {n} is not keyed though event {m} before it is: it was written without the "
                                  "audit key, or the trail from there was rebuilt").format(n=row.seq, m=last_keyed))
            mac_key, can_check = None, True
        else:
            last_keyed = row.seq
            mac_key = audit_key if audit_key is not None and row.key_id == audit_key.id else None
            can_check = mac_key is not None
            if mac_key is not None:
                ours_seen = True
            elif ours_seen:  # after events keyed with this key: not a key changed before it
                if other_key is None:
                    other_key = (row.seq, row.key_id)
                    problems.append(_("event {n} is keyed with another audit key ({other}) though events before it "
                                      "are keyed with this one ({ours}): the trail from there was rebuilt").format(
                        n=row.seq, other=row.key_id, ours=audit_key.id))
            else:
                unchecked += 1
        if can_check:
            digest, erased_here = row_hash(row, audit_key=mac_key)
            erasures.extend(erased_here)
            if digest is None:
                erased_old += 1
            elif digest != row.hash:
                problems.append(_("event {n} ({action} {key}) was changed after it was written").format(
                    n=row.seq, action=row.action, key=row.entity_key))
        if row.seq in wanted:
            seen[row.seq] = (row.hash, row.key_id)
        if row.record_keys:
            batch_events.append((row.seq, row.record_keys))
        if row.action == ERASURE and row.after:
            erasure_events[row.seq] = row.after
        prev = row.hash
    if head.seq != expected_seq or head.hash != prev:
        if head.seq > expected_seq:
            problems.append(_("events {a}–{b} at the end are missing (deleted)").format(a=expected_seq + 1, b=head.seq))
        else:
            problems.append(_("the chain's recorded end (event {n}) does not match its last event").format(n=head.seq))
    problems.extend(_index_problems(conn, batch_events))
    problems.extend(_erasure_problems(erasures, erasure_events))
    for anchor in anchors:
        problems.extend(_anchor_problems(anchor, seen, expected_seq))
    notes: tuple[str, ...] = ()
    if erased_old:
        notes += (_("{n} events written before payload digests (before this version) were erased: their links "
                    "are checked, their own seals can no longer be").format(n=erased_old),)
    if audit_key is not None and plain:
        # a trail rebuilt whole without the key looks just like one keyed late: say so
        notes += (_("{n} of {total} events are not keyed: written before the audit key was set, or rebuilt without "
                    "it; an anchor made after the key was set tells which").format(n=plain, total=checked),)
    return VerifyResult(checked, head.seq, head.hash, tuple(problems), unchecked, len(anchors), notes)


def _anchor_problems(anchor: "Anchor", seen: dict[int, tuple[str, str | None]], last_seq: int) -> list[str]:
    """What the trail lost or changed since ``anchor`` was made."""
    which = _("the anchor of {at} (event {n})").format(at=anchor.at.strftime("%Y-%m-%d %H:%M UTC"), n=anchor.seq)
    if anchor.seq == 0:
        return []
    if anchor.seq > last_seq:
        return [_("the trail ends at event {last}, but {which} saw {n} events: the trail was emptied or cut back "
                  "since").format(last=last_seq, which=which, n=anchor.seq)]
    if anchor.seq not in seen:
        return [_("event {n}, which {which} saw, is missing").format(n=anchor.seq, which=which)]
    digest, key_id = seen[anchor.seq]
    if digest != anchor.head:
        return [_("event {n} is not the one {which} saw: the trail up to it was rewritten (hash {ours}…, the anchor "
                  "has {theirs}…)").format(n=anchor.seq, which=which, ours=digest[:12], theirs=anchor.head[:12])]
    if key_id is not None and anchor.key_id is None:
        return [_("{which} is unsigned, but reentry signs every anchor of a keyed trail: its signature was removed, "
                  "or it was not made by reentry").format(which=which)]
    return []


# --- anchors: checkpoints kept outside the database ---------------------------------------

ANCHOR_HEADER = "reentry audit anchor v1"
#: The setting that names this database in its anchors (a random id, made by the first anchor).
PROGRAMME_ID = "programme_id"
_ANCHOR_FIELDS = ("programme", "events", "head", "at", "key", "signature")
_HEX = re.compile(r"[0-9a-f]+")


@attrs.frozen
class Anchor:
    """A checkpoint of the trail: this database (``programme``), ``seq`` events, the newest
    one's hash, when; signed with the audit key (``key_id``) when one was set."""

    programme: str
    seq: int
    head: str
    at: datetime
    key_id: str | None
    signature: str | None
    source: str = attrs.field(default="", eq=False)  # the file it was read from, for messages

    def signed_text(self) -> str:
        return (f"{ANCHOR_HEADER}\nprogramme: {self.programme}\nevents: {self.seq}\nhead: {self.head}\n"
                f"at: {self.at.strftime('%Y-%m-%dT%H:%M:%SZ')}\nkey: {self.key_id or 'none'}\n")

    @property
    def text(self) -> str:
        """The whole checkpoint as written and printed: short enough to copy by hand."""
        if self.signature:
            how = _("# signed: HMAC-SHA256 with the audit key {key}; keep this outside the database").format(
                key=self.key_id)
        else:
            how = _("# unsigned (no audit key): its strength is that it is kept outside the database")
        return f"{self.signed_text()}signature: {self.signature or 'none'}\n{how}\n"


def make_anchor(programme: str, seq: int, head: str, at: datetime, audit_key: AuditKey | None) -> Anchor:
    unsigned = Anchor(programme, seq, head, at.astimezone(timezone.utc).replace(microsecond=0),
                      audit_key.id if audit_key else None, None)
    if audit_key is None:
        return unsigned
    return attrs.evolve(unsigned, signature=audit_key.mac(unsigned.signed_text()))


def parse_anchor(text: str, source: str = "") -> Anchor:
    """An anchor from its text (comments and blank lines ignored, hex in either case);
    :class:`InvalidInput` in one line when it is not one."""
    where = source or _("the anchor")

    def bad(reason: str) -> InvalidInput:
        return InvalidInput(_("{file} is not a reentry audit anchor: {reason}").format(file=where, reason=reason))

    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines or lines[0].lower() != ANCHOR_HEADER:
        raise bad(_("it does not start with {header!r}").format(header=ANCHOR_HEADER))
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or name not in _ANCHOR_FIELDS or name in fields:
            raise bad(_("unexpected line {line!r}").format(line=line[:40]))
        fields[name] = value.strip()
    missing = [name for name in _ANCHOR_FIELDS if name not in fields]
    if missing:
        raise bad(_("no {field} line").format(field=missing[0]))

    def hex_field(name: str, length: int | None, none_ok: bool = False) -> str | None:
        value = fields[name].lower()
        if none_ok and value == "none":
            return None
        if not _HEX.fullmatch(value) or (length is not None and len(value) != length):
            raise bad(_("{field} {value!r} is not {n} hexadecimal digits").format(
                field=name, value=value[:70], n=length or _("some")))
        return value

    programme = hex_field("programme", 32)
    head = hex_field("head", 64)
    key_id = hex_field("key", 8, none_ok=True)
    signature = hex_field("signature", 64, none_ok=True)
    if not fields["events"].isdigit():
        raise bad(_("events {value!r} is not a number").format(value=fields["events"][:20]))
    try:
        at = datetime.strptime(fields["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise bad(_("at {value!r} is not a time like 2026-12-04T09:30:00Z").format(value=fields["at"][:30])) from None
    if (key_id is None) != (signature is None):
        raise bad(_("a signature needs its key, and a key its signature"))
    return Anchor(programme, int(fields["events"]), head, at, key_id, signature, source)


def read_anchor(path: "str | Path") -> Anchor:
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(_("cannot read the anchor {file}: {reason}").format(
            file=str(path), reason=getattr(exc, "strerror", None) or exc)) from None
    return parse_anchor(text, str(path))


def check_anchor(anchor: Anchor, programme: str | None, audit_key: AuditKey | None) -> str | None:
    """Refuse an anchor of another database or one whose signature does not match; the
    returned note says when its signature could not be checked (no key here)."""
    where = anchor.source or _("the anchor")
    if anchor.programme != programme:
        raise Conflict(_("{file} is an anchor of another database (programme {theirs}; this one is {ours})").format(
            file=where, theirs=anchor.programme, ours=programme or _("never anchored")))
    if anchor.signature is None:
        return None
    if audit_key is None:
        return _("the signature of {file} was not checked: no audit key is set here ({env})").format(
            file=where, env=KEY_FILE_ENV)
    if audit_key.id != anchor.key_id:
        raise InvalidInput(_("{file} was signed with another audit key ({theirs}); the key here is {ours}").format(
            file=where, theirs=anchor.key_id, ours=audit_key.id))
    expected = audit_key.mac(anchor.signed_text())
    if not hmac.compare_digest(expected, anchor.signature):
        raise AuditTampered(_("{file} was changed after it was made: its signature does not match").format(file=where))
    return None


#: The action of an erasure event: its ``after`` lists the events it erased payloads of.
ERASURE = "participant.erase"


def _erasure_problems(erasures: list[tuple[int, str | None, int]], erasure_events: dict[int, str]) -> list[str]:
    """Every erased payload must be one its erasure event says it erased: a payload replaced
    by an erasure mark without an audited erasure is a quiet rewrite."""
    listed: dict[int, set[int]] = {}
    problems = []
    for seq, key, by in erasures:
        if by not in listed:
            text = erasure_events.get(by)
            listed[by] = set(json.loads(text).get("erased_events", ())) if text else set()
        if seq not in listed[by]:
            what = _("a record ({key}) of event {n}").format(key=key, n=seq) if key else _("event {n}").format(n=seq)
            problems.append(_("{what} was erased without an audited erasure (event {by} is not one that names it)")
                            .format(what=what, by=by))
    return problems


def _index_problems(conn: sa.Connection, batch_events: list[tuple[int, str]]) -> list[str]:
    """The key index must list exactly the keys each batch event names (it is what
    ``log(key=...)`` searches, so a removed entry would hide a record's history)."""
    k = t.audit_event_key
    expected = dict(batch_events)  # seq → the comma-separated keys the event holds
    problems = []
    rows = conn.execution_options(yield_per=5000).execute(sa.select(k.c.seq, k.c.entity_key).order_by(k.c.seq))
    for seq, group in itertools.groupby(rows, key=lambda row: row[0]):
        if set(expected.pop(seq, "").split(",")) != {key for _seq, key in group}:
            problems.append(_("the key index of event {n} does not match the records it holds").format(n=seq))
    problems.extend(_("the key index of event {n} does not match the records it holds").format(n=seq)
                    for seq in sorted(expected))  # events whose index entries are gone
    return problems
