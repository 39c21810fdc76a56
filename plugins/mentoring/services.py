"""``ctx.mentoring``: the Python API of the mentoring plugin (the CLI calls exactly this)."""

from __future__ import annotations

from reentry_core.sdk import _, InvalidInput

from . import store
from .domain import Settings, referral_changes
from .mentors import MentorsMixin
from .outcomes import OutcomesMixin
from .schedules import SchedulesMixin
from .visit_sheets import VisitSheetsMixin
from .visits import VisitsMixin


class MentoringService(MentorsMixin, SchedulesMixin, VisitsMixin, VisitSheetsMixin, OutcomesMixin):
    """Mentor matching, follow-up schedules, visits, risks and outcomes, acting as ``ctx``'s staff member."""

    def __init__(self, ctx):
        self.ctx = ctx

    def settings(self) -> Settings:
        """The follow-up offsets, the window and the risk → referral mapping in force."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            return store.settings(conn)

    def configure(self, *, offsets=None, window_days: int | None = None, risk_referrals=None) -> Settings:
        """Change the settings; ``None`` leaves one as it is. ``offsets``: months, e.g. ``"1,3,6,12"``;
        ``risk_referrals``: see :func:`reentry_mentoring.domain.referral_changes`. New schedules use
        the new offsets and window; schedules already started keep theirs."""
        changes = referral_changes(risk_referrals)
        if offsets is None and window_days is None and not changes:
            raise InvalidInput(_("say what to change: offsets, window days or risk referrals"))
        with self.ctx.transaction() as tx:
            tx.require("mentoring.configure")
            before = store.settings(tx.conn)
            after = Settings(offsets=before.offsets if offsets is None else offsets,
                             window_days=before.window_days if window_days is None else window_days,
                             risk_referrals={**before.risk_referrals, **dict(changes)})
            if after != before:
                store.save_settings(tx.conn, after)
                tx.audit("mentoring.settings", "setting", store.SETTINGS_KEY, before=before.to_plain(),
                         after=after.to_plain())
        return after
