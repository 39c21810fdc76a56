"""``reentry demo``: a realistic programme, built month by month through the services.

The demo walks a fixed timeline (so the same ``--seed`` gives the same data on any day)
and, for every month, asks each loaded plugin to add that month's activity through the
``demo_month`` hook: the core registers people at the ten centres (by importing the
month's intake file, as a case worker would), records consent and opens referrals;
business_plans runs cohorts and scores plans; microgrants decides and pays grants;
mentoring visits the businesses. Plugins learn from one another only through their
ordinary hooks, exactly as in real use. Nothing is written to the database directly.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

import attrs
import sqlalchemy as sa

from .errors import Conflict
from .i18n import _
from .services.context import Clock
from .sheets import write_sheet

#: The ten reintegration centres of the programme: code, city.
CENTRES = [
    ("DSH", "Dushanbe"), ("KHJ", "Khujand"), ("KHG", "Khorog"), ("BKT", "Bokhtar"), ("VHD", "Vahdat"),
    ("BGF", "B. Gafurov"), ("VSE", "Vose"), ("PNJ", "Panjakent"), ("DVS", "Devashtich"), ("JHN", "Jaihun"),
]
#: Where people come from (institutions named in the programme's reports).
FACILITIES = ["Nurek women's prison 3/8", "Yavan prison 3/6", "Dushanbe prison 3/1", "Khujand prison 3/4",
              "Vahdat prison 3/2", "Kurgantube colony 3/7"]
OFFENCES = ["property", "drug_related", "violent", "economic", "traffic", "other"]

MALE_FIRST = ["Ҷамшед", "Фирдавс", "Сорбон", "Умед", "Алишер", "Бахтиёр", "Дилшод", "Фаррух", "Ҳамид", "Қодир",
              "Рустам", "Шерзод", "Искандар", "Зафар", "Мирзо", "Исмоил", "Наврӯз", "Баҳодур", "Иван", "Сергей",
              "Алексей", "Дмитрий", "Николай", "Фаридун", "Шаҳром"]
FEMALE_FIRST = ["Фарангис", "Нигина", "Мадина", "Зарина", "Гулноза", "Шабнам", "Манижа", "Тахмина", "Дилором",
                "Ситора", "Мавзуна", "Фирӯза", "Гулчеҳра", "Парвина", "Ольга", "Наталья", "Елена", "Татьяна"]
SURNAMES = ["Раҳимов", "Назаров", "Саидов", "Каримов", "Давлатов", "Шарипов", "Қурбонов", "Ғафуров", "Ҳасанов",
            "Юсупов", "Мирзоев", "Исмоилов", "Азизов", "Сафаров", "Олимов", "Қодиров", "Ҷӯраев", "Иванов",
            "Петров", "Смирнов", "Кузнецов", "Соколов", "Раҷабов", "Набиев"]
PATRONYMIC_ROOTS = ["Абдулло", "Рашид", "Карим", "Саид", "Нур", "Аҳмад", "Мурод", "Файзулло", "Ҳамид", "Шариф"]

REFERRAL_MIX = [("legal", 35), ("documents", 25), ("psychological", 20), ("drug_treatment", 10),
                ("employment", 10)]
REFERRAL_TO = {"legal": "Legal aid bureau", "documents": "Passport office", "psychological": "Psychologist",
               "drug_treatment": "Narcology centre", "employment": "Employment centre", "other": "Other service"}


@attrs.frozen
class Scale:
    """How big the demo programme is; plugins size their months from these totals."""

    name: str
    start: date
    end: date
    participants: int
    plans: int
    grants: int
    visits: int

    @property
    def months(self) -> list[date]:
        months, day = [], self.start
        while day <= self.end:
            months.append(day)
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return months


SCALES = {
    "small": Scale("small", date(2025, 5, 1), date(2026, 10, 31), participants=300, plans=100, grants=30,
                   visits=120),
    "national": Scale("national", date(2025, 1, 1), date(2026, 10, 31), participants=60_000, plans=20_000,
                      grants=6_000, visits=25_000),
}


class DemoClock(Clock):
    """Today is whatever day of the timeline the demo has reached."""

    def __init__(self, today: date):
        self.day = today

    def today(self) -> date:
        return self.day

    def now(self):
        from datetime import datetime, timezone

        return datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=timezone.utc)


class Demo:
    """What a plugin's ``demo_setup`` and ``demo_month`` hooks are handed."""

    def __init__(self, programme, scale: Scale, seed: int, clock: DemoClock):
        self.programme = programme
        self.scale = scale
        self.seed = seed
        self.clock = clock
        self.centres = [code for code, _city in CENTRES]
        self.staff: dict[tuple[str, str | None], list[str]] = {}
        self._contexts: dict[str, object] = {}

    # --- for the plugins ------------------------------------------------------------------
    def rng(self, plugin: str, month: date | None = None) -> random.Random:
        """A random source of the plugin's own for the month: the same seed gives the same
        data whichever other plugins are loaded."""
        return random.Random(f"{self.seed}:{plugin}:{month.isoformat() if month else 'setup'}")

    def act_as(self, code: str):
        if code not in self._contexts:
            self._contexts[code] = self.programme.act_as(code)
        return self._contexts[code]

    def staff_codes(self, role: str, centre: str | None = None) -> list[str]:
        """The demo's staff with ``role`` (at ``centre``, or programme-wide when ``None``)."""
        return list(self.staff.get((role, centre), []))

    def as_role(self, role: str, centre: str | None = None, rng: random.Random | None = None):
        """Act as a staff member with ``role`` (at ``centre``)."""
        codes = self.staff_codes(role, centre) or self.staff_codes(role, None)
        return self.act_as((rng or random).choice(codes) if len(codes) > 1 else codes[0])

    def per_month(self, total: int) -> int:
        """An even share of ``total`` for one month of the timeline."""
        return max(1, round(total / len(self.scale.months)))

    @property
    def today(self) -> date:
        return self.clock.today()

    def set_day(self, day: date) -> None:
        self.clock.day = day

    # --- the demo's staff -----------------------------------------------------------------
    def add_staff(self, admin, code: str, name: str, roles: list[str], centre: str | None) -> None:
        admin.staff.add(code, name, roles, centre)
        for role in roles:
            self.staff.setdefault((role, centre), []).append(code)


def person_name(rng: random.Random, female: bool) -> str:
    first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
    surname = rng.choice(SURNAMES) + ("а" if female else "")
    root = rng.choice(PATRONYMIC_ROOTS)
    vowel = root[-1] in "аоуэиыеёюяӯӣ"
    patronymic = root + ("евна" if vowel else "овна") if female else root + ("евич" if vowel else "ович")
    return f"{surname} {first} {patronymic}"


DEMO_SETTING = "demo"


def is_empty(programme) -> bool:
    """Whether the database holds no programme yet (no staff member): what the demo builds on."""
    from .storage import tables as t

    with programme.reading() as conn:
        return not conn.execute(sa.select(sa.func.count()).select_from(t.staff)).scalar_one()


def made_by_demo(programme) -> bool:
    """Whether the database holds a programme the demo built (and nothing else wrote to it)."""
    from .storage import tables as t

    with programme.reading() as conn:
        return conn.execute(sa.select(t.setting.c.value).where(t.setting.c.key == DEMO_SETTING)).first() is not None


def _mark(programme, scale: Scale, seed: int) -> None:
    from .storage import tables as t
    from .storage.engine import writing

    with writing(programme.engine) as conn:
        conn.execute(t.setting.insert().values(key=DEMO_SETTING, value=f"{scale.name} seed {seed}"))


def run(programme, scale: str = "small", seed: int = 1, progress: Callable[[int, int, str], None] | None = None,
        until: date | None = None) -> Demo:
    """Build the demo programme on an empty database; returns the :class:`Demo`.

    ``until`` stops after the month holding that day (the benchmarks time part of a timeline);
    the months walked are the same as in a whole run, so the data so far is too."""
    chosen = SCALES[scale]
    if not is_empty(programme):
        raise Conflict(_("the database {url} already holds a programme; build the demo on an empty "
                         "database").format(url=programme.url))
    clock = DemoClock(chosen.start)
    programme.clock = clock
    demo = Demo(programme, chosen, seed, clock)
    relay = programme.pm.relay
    relay.demo_setup(demo)
    months = [m for m in chosen.months if until is None or m <= until]
    for i, month in enumerate(months):
        for plugin in relay.demo_plugins():
            demo.set_day(_month_end(month))
            if progress:
                progress(i, len(months), f"{month:%Y-%m} {plugin}")
            relay.demo_month(plugin, demo, month)
    if progress:
        progress(len(months), len(months), "done")
    demo.set_day(chosen.end if until is None else _month_end(months[-1]))
    _mark(programme, chosen, seed)
    return demo


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def days_of(month: date) -> Iterator[date]:
    day = month
    while day.month == month.month:
        yield day
        day += timedelta(days=1)


# --- the core's part --------------------------------------------------------------------------


def setup(demo: Demo) -> None:
    """The centres and the staff in every role."""
    rng = demo.rng("core")
    programme = demo.programme
    programme.bootstrap_admin("ADM", "Нигина Каримова")
    demo.staff[("admin", None)] = ["ADM"]
    admin = demo.act_as("ADM")
    for code, city in CENTRES:
        admin.centres.add(code, f"{city} reintegration centre", city)
    for code, _city in CENTRES:
        demo.add_staff(admin, f"{code}-CW1", person_name(rng, rng.random() < 0.6), ["case_worker"], code)
        for n in range(1, 4):
            demo.add_staff(admin, f"{code}-TR{n}", person_name(rng, rng.random() < 0.4), ["trainer"], code)
        for n in range(1, 3):
            demo.add_staff(admin, f"{code}-MN{n}", person_name(rng, rng.random() < 0.4), ["mentor"], code)
    for n in range(1, 6):
        demo.add_staff(admin, f"COM{n}", person_name(rng, n % 2 == 0), ["committee_member"], None)
    demo.add_staff(admin, "FIN1", person_name(rng, True), ["finance_officer"], None)
    demo.add_staff(admin, "FIN2", person_name(rng, False), ["finance_officer"], None)
    demo.add_staff(admin, "ME1", person_name(rng, False), ["me_officer"], None)


def month(demo: Demo, month: date) -> None:
    """A month at the centres: the intake file imported, referrals opened and followed."""
    rng = demo.rng("core", month)
    count = demo.per_month(demo.scale.participants)
    days = list(days_of(month))
    with tempfile.TemporaryDirectory(prefix="reentry-demo-") as folder:
        intake = Path(folder) / f"intake-{month:%Y-%m}.csv"

        def people():
            for _n in range(count):
                female = rng.random() < 0.3
                registered = rng.choice(days)
                released = registered - timedelta(days=rng.randint(3, 120))
                born = date(rng.randint(1966, 2004), rng.randint(1, 12), rng.randint(1, 28))
                consent = rng.random() < 0.93
                yield [
                    person_name(rng, female), "female" if female else "male", born.isoformat(),
                    rng.choices(demo.centres, weights=[30, 14, 6, 10, 8, 7, 6, 7, 5, 7])[0],
                    f"+992 9{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    released.isoformat(),
                    "Nurek women's prison 3/8" if female and rng.random() < 0.7 else rng.choice(FACILITIES[1:]),
                    rng.choice(OFFENCES), registered.isoformat(), registered.isoformat() if consent else "",
                    "programme,referrals" if consent else "",
                ]

        write_sheet(intake, ["full_name", "sex", "birth_date", "centre", "phone", "release_date", "facility",
                             "offence_category", "registered_on", "consent_given_on", "consent_scope"], people())
        admin = demo.act_as("ADM")
        admin.participants.import_file(intake)
    _referrals(demo, rng, month)


def _referrals(demo: Demo, rng: random.Random, month: date) -> None:
    """About one newcomer in ten is referred to another service; open referrals move on."""
    from .storage import tables as t

    p, c, r = t.participant, t.centre, t.referral
    start, end = month, _month_end(month)
    with demo.programme.reading() as conn:
        newcomers = conn.execute(
            sa.select(p.c.code, c.c.code.label("centre"), p.c.registered_on).select_from(p.join(c))
            .join(t.consent, t.consent.c.participant_id == p.c.id)
            .where(p.c.registered_on.between(start, end)).distinct().order_by(p.c.code)).all()
        waiting = conn.execute(sa.select(r.c.id, r.c.status).where(r.c.status.in_(["open", "accepted"]),
                                                                    r.c.opened_on < start)
                               .order_by(r.c.id)).all()
    kinds, weights = zip(*REFERRAL_MIX)
    for code, centre, registered in newcomers:
        if rng.random() < 0.1:
            worker = demo.as_role("case_worker", centre)
            kind = rng.choices(kinds, weights)[0]
            opened = min(end, registered + timedelta(days=rng.randint(0, 20)))
            worker.referrals.add(code, kind, REFERRAL_TO[kind], f"{kind.replace('_', ' ')} help after release",
                                 opened_on=opened)
    admin = demo.act_as("ADM")
    for referral_id, status in waiting:
        roll = rng.random()
        if roll < 0.35:
            step = "accepted" if status == "open" else "done"
            if status == "open" and roll < 0.03:
                step = "declined"
            admin.referrals.update(referral_id, step, on=rng.choice(list(days_of(month))))
