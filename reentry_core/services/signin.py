"""Passwords and signing in, for the web workspace (``reentry serve``).

An admin sets or resets a staff member's password (``staff.manage``; the audit event says
that it was set, never the hash); each member changes their own, giving the current one.
Signing in checks the code and password and then acts as that member exactly as ``--as``
does (:meth:`Programme.act_as`: a deactivated member is refused). Hashes are argon2id
(argon2-cffi), imported only when a password is handled.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import InvalidInput, PermissionDenied, param
from ..i18n import _, available_languages
from ..storage import tables as t

#: The shortest password accepted.
MIN_LENGTH = 10


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_rule(password: str) -> None:
    if password is None or len(password) < MIN_LENGTH:
        raise InvalidInput(_("{password}: at least {n} characters").format(password=param("password"), n=MIN_LENGTH))
    if password.strip() != password or not password.isprintable():
        raise InvalidInput(_("{password}: no spaces at the ends and no control characters").format(
            password=param("password")))


def staff_id_of(conn: sa.Connection, code: str) -> int | None:
    return conn.execute(sa.select(t.staff.c.id).where(t.staff.c.code == code.strip().upper())).scalar()


def upsert_login(conn: sa.Connection, staff_id: int, **values) -> None:
    found = conn.execute(sa.select(t.staff_login.c.staff_id).where(t.staff_login.c.staff_id == staff_id)).first()
    if found is None:
        conn.execute(t.staff_login.insert().values(staff_id=staff_id, **values))
    else:
        conn.execute(t.staff_login.update().where(t.staff_login.c.staff_id == staff_id).values(**values))


def set_language(ctx, language: str) -> str:
    """The language the acting member reads the web pages in, remembered for them."""
    lang = (language or "").strip().lower()
    if lang not in available_languages():
        raise InvalidInput(_("{language}: unknown language {lang!r}; available: {known}").format(
            language=param("language"), lang=lang, known=", ".join(available_languages())))
    with ctx.transaction() as tx:
        upsert_login(tx.conn, staff_id_of(tx.conn, ctx.code), language=lang)
    return lang


def language_of(programme, code: str) -> str | None:
    with programme.reading() as conn:
        return conn.execute(
            sa.select(t.staff_login.c.language).select_from(t.staff_login.join(t.staff))
            .where(t.staff.c.code == code.strip().upper())).scalar()


_DUMMY: list[str] = []


def password_is(programme, code: str, password: str) -> bool:
    """Whether ``password`` is ``code``'s (argon2id). An unknown code or one without a
    password costs the same work as a real check, so timing does not tell which codes exist."""
    from argon2.exceptions import InvalidHashError, VerificationError

    code = (code or "").strip().upper()
    with programme.reading() as conn:
        row = conn.execute(
            sa.select(t.staff_login.c.password_hash).select_from(t.staff_login.join(t.staff))
            .where(t.staff.c.code == code)).first() if code else None
    hasher = _hasher()
    if row is None or not row.password_hash:
        if not _DUMMY:
            _DUMMY.append(hasher.hash("not a password of anyone"))
        try:
            hasher.verify(_DUMMY[0], password or "")
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(row.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def sign_in(programme, code: str, password: str):
    """The staff context of ``code`` when ``password`` is theirs; one refusal for every
    wrong code or password (it does not say which was wrong)."""
    code = (code or "").strip().upper()
    if not password_is(programme, code, password):
        raise PermissionDenied(_("the staff code or the password is wrong"))
    return programme.act_as(code)


__all__ = ["set_language", "upsert_login", "staff_id_of", "check_password_rule", "language_of", "sign_in",
           "password_is", "hash_password", "MIN_LENGTH"]
