"""The generated world: every organisation, project, member and session of a seed and scale, across
the months of deliveries, and the one world kept in memory (`build_world`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from orchestration.bench.generate.scales import (
    AMOUNT_CUT_SHARE,
    BASE_DATE,
    MAX_DELIVERY,
    MEAN_SESSION_PARTICIPANTS,
    MEMBERS_CHANGE_SHARE,
    MONTHLY_GROWTH,
    PER_ORGANISATION,
    PROJECT_DROP_SHARE,
    RENAME_SHARE,
    RETURN_SHARE,
    STATUS_CHANGE_SHARE,
    STRUCK_OFF_SHARE,
    resolve_scale,
)
from orchestration.bench.generate.vocabulary import (
    ASSOC_FIELDS,
    ASSOC_STATUS,
    COOP_STATUS,
    CORES,
    ENDINGS,
    NAME_PATTERNS,
    PARTNERS,
    PLACES,
    PRODUCTS,
    PROGRAMMES,
    PROVINCES,
    SECTORS,
    SESSION_TITLES_AR,
    SESSION_TYPES,
    SYLLABLES,
    THEMES,
    communes_by_province,
)
from orchestration.bench.generate.writings import ice_with_check, month_end, random_date, weighted


# -- the world -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Org:
    uid: int
    kind: str  # coop, assoc, gie
    month: int  # delivery from which it exists (0: already in the first one)
    province: int  # index in PROVINCES
    commune: tuple[str, str]
    core: tuple  # (Arabic word, [Latin writings])
    pattern: int  # index in NAME_PATTERNS
    product: int | None
    named_after_commune: bool
    founded: dt.date
    members: int
    women: int
    capital: int
    status: str
    status_later: str | None
    status_change_month: int | None
    ice: str | None
    ident: tuple  # coop: (city, year, seq); assoc: (year, seq); gie: (city, number)
    ident_date: dt.date  # receipt date for an association
    sector: str | None
    branch: str | None
    absent: set = field(default_factory=set)  # months in which its register does not hold it (struck off)
    rename_month: int | None = None
    new_core: tuple | None = None
    members_changes: dict = field(default_factory=dict)  # month -> members from that month on

    def in_register(self, delivery: int) -> bool:
        return self.month <= delivery and delivery not in self.absent

    def core_at(self, delivery: int) -> tuple:
        return self.new_core if self.rename_month is not None and delivery >= self.rename_month else self.core

    def members_at(self, delivery: int) -> int:
        months = [m for m in self.members_changes if m <= delivery]
        return self.members_changes[max(months)] if months else self.members

    def women_at(self, delivery: int) -> int:
        return min(self.women, self.members_at(delivery))

    def status_at(self, delivery: int) -> str:
        if self.status_change_month is not None and delivery >= self.status_change_month:
            return self.status_later or self.status
        return self.status

    @property
    def register(self) -> str:
        city, year, seq = self.ident
        return f"{city}/{year}/{seq:04d}"

    @property
    def receipt(self) -> str:
        year, seq = self.ident
        return f"{year}/{seq}"

    @property
    def province_code(self) -> str:
        return PROVINCES[self.province][0]

    def name_ar(self, delivery: int = 0) -> str:
        form = {"coop": "تعاونية", "assoc": "جمعية", "gie": "مجموعة ذات النفع الاقتصادي"}[self.kind]
        parts = [form, NAME_PATTERNS[self.pattern][0].format(w=self.core_at(delivery)[0])]
        if self.product is not None:
            parts.append(PRODUCTS[self.product][0])
        if self.named_after_commune:
            parts.append(self.commune[1])
        return " ".join(parts)

    def name_fr(self, rng: random.Random, delivery: int = 0) -> str:
        forms = {
            "coop": ["Coopérative", "Coop.", "COOP", "Cooperative"],
            "assoc": ["Association", "Assoc.", "ASSOCIATION"],
            "gie": ["GIE", "Groupement d'intérêt économique"],
        }[self.kind]
        parts = [rng.choice(forms), NAME_PATTERNS[self.pattern][1].format(w=rng.choice(self.core_at(delivery)[1]))]
        if self.product is not None:
            parts.append("de " + PRODUCTS[self.product][1])
        if self.named_after_commune:
            parts.append(self.commune[0])
        name = " ".join(parts)
        r = rng.random()
        if r < 0.1:
            name = name.upper()
        elif r < 0.13:
            name = "  " + name + " "
        return name


@dataclass(slots=True)
class Project:  # Mouazara or INDH
    uid: int
    month: int
    holder: Org
    year: int
    number: int
    dropped_month: int | None = None  # Mouazara: absent from the snapshots from this month on
    cut_month: int | None = None  # the committed amount goes down from this month on
    cut_factor: float = 1.0

    def delivered(self, delivery: int) -> bool:
        return self.month <= delivery and (self.dropped_month is None or delivery < self.dropped_month)

    def factor(self, delivery: int) -> float:
        return self.cut_factor if self.cut_month is not None and delivery >= self.cut_month else 1.0


@dataclass(slots=True)
class Member:  # a chamber member
    uid: int
    month: int
    number: int
    org: Org | None  # None: an artisan firm (entreprise_artisanale)
    province: int
    commune: tuple[str, str]


@dataclass(slots=True)
class Session:
    uid: int
    month: int
    number: int
    year: int
    participants: list  # [(member, nb, women, psh)]
    sales: list  # [(member, amount)]
    fields: dict


class World:
    """Every organisation, project, member and session of a seed and scale, across deliveries."""

    def __init__(self, coops: int, assocs: int, seed: int, deliveries: int = 1):
        self.seed = seed
        self.communes = communes_by_province()
        self.deliveries = deliveries
        rng = random.Random(seed)
        total = coops + assocs
        self.words = self._vocabulary(random.Random(hash((seed, 97))), max(300, total // 3))
        self._seq: dict[tuple, int] = {}
        self.orgs: list[Org] = []
        for month in range(deliveries):
            grow = 1.0 if month == 0 else MONTHLY_GROWTH["orgs"]
            n_coops = coops if month == 0 else max(1, round(coops * grow))
            n_assocs = assocs if month == 0 else max(1, round(assocs * grow))
            n_gie = max(2, round(total * PER_ORGANISATION["gie"])) if month == 0 else 0
            for kind, n in (("coop", n_coops), ("assoc", n_assocs), ("gie", n_gie)):
                for _ in range(n):
                    self.orgs.append(self._org(rng, kind, month))
        self.coops = [o for o in self.orgs if o.kind == "coop"]
        self.assocs = [o for o in self.orgs if o.kind == "assoc"]
        self.gies = [o for o in self.orgs if o.kind == "gie"]
        holders_ma = self.coops + self.assocs
        self.mouazara = self._projects(
            rng, "mouazara", round(total * PER_ORGANISATION["mouazara"]), holders_ma, first_year=2020
        )
        self.indh = self._projects(rng, "indh", round(total * PER_ORGANISATION["indh"]), self.orgs, first_year=2016)
        self.members = self._members(rng, round(total * PER_ORGANISATION["adherents"]))
        self.sessions = self._sessions(rng, max(3, round(total * PER_ORGANISATION["sessions"])))
        self._history(random.Random(hash((seed, 101))))

    def _history(self, rng: random.Random) -> None:
        """What changes from one month to the next (its own generator: the first month stays the same
        bytes): organisations struck off (some come back), renamed, whose members change; Mouazara
        projects dropped from the snapshot; committed amounts that go down."""

        def some(items: list, share: float) -> list:
            return rng.sample(items, min(len(items), max(1, round(len(items) * share)))) if items else []

        for month in range(1, self.deliveries):
            for register in (self.coops, self.assocs):
                present = [o for o in register if o.in_register(month - 1) and o.month < month]
                for index, org in enumerate(some(present, STRUCK_OFF_SHARE)):
                    # the first one of the month always comes back the next month, some others later
                    back = (
                        month + 1
                        if index == 0
                        else (month + rng.randint(1, 2) if rng.random() < RETURN_SHARE else self.deliveries)
                    )
                    org.absent.update(range(month, back))
                for org in some([o for o in present if o.rename_month is None and o.in_register(month)], RENAME_SHARE):
                    org.rename_month, org.new_core = month, self._name(rng)[0]
                for org in some([o for o in present if o.in_register(month)], MEMBERS_CHANGE_SHARE):
                    org.members_changes[month] = max(
                        3, org.members_at(month - 1) + rng.choice([-1, 1]) * rng.randint(1, 9)
                    )
            live = [p for p in self.mouazara if p.delivered(month - 1) and p.month < month]
            for project in some(live, PROJECT_DROP_SHARE):
                project.dropped_month = month
            for project in some([p for p in live if p.cut_month is None and p.dropped_month is None], AMOUNT_CUT_SHARE):
                project.cut_month, project.cut_factor = month, round(rng.uniform(0.6, 0.9), 2)
            for project in some([p for p in self.indh if p.month < month and p.cut_month is None], AMOUNT_CUT_SHARE):
                project.cut_month, project.cut_factor = month, round(rng.uniform(0.6, 0.9), 2)

    # -- organisations --------------------------------------------------------------------------
    @staticmethod
    def _vocabulary(rng: random.Random, size: int) -> list[tuple[str, list[str]]]:
        """Distinct place words, Arabic and Latin: `تازيروت`, `Tazirout`."""
        seen: set[str] = set()
        words = []
        size = min(size, 60_000)  # there are about 100,000 words of 2 or 3 syllables
        while len(words) < size:
            parts = [rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))] + [rng.choice(ENDINGS)]
            arabic = "".join(p[0] for p in parts)
            if arabic in seen or len(arabic) < 3:
                continue
            seen.add(arabic)
            latin = "".join(p[1] for p in parts).capitalize()
            words.append((arabic, [latin, latin, latin.upper()]))
        return words

    def _name(self, rng: random.Random) -> tuple[tuple, int]:
        pattern = rng.choices(range(len(NAME_PATTERNS)), [p[2] for p in NAME_PATTERNS])[0]
        if pattern == 0:
            return CORES[rng.randrange(len(CORES))], pattern
        # a long tail: some words are common (Zipf-like), most are rare
        index = min(len(self.words) - 1, int(len(self.words) * rng.random() ** 1.6))
        return self.words[index], pattern

    def _org(self, rng: random.Random, kind: str, month: int) -> Org:
        uid = len(self.orgs) + 1
        province = rng.choices(range(len(PROVINCES)), [p[2] for p in PROVINCES])[0]
        code, city = PROVINCES[province][0], PROVINCES[province][1]
        commune = rng.choice(self.communes[code])
        today = month_end(BASE_DATE, month)
        if month == 0:
            year = min(today.year, int(1975 + (today.year - 1975) * rng.random() ** 0.55))
            founded = random_date(rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
        else:
            founded = random_date(rng, month_end(BASE_DATE, month - 1) + dt.timedelta(days=1), today)
        members = max(3, int(rng.lognormvariate(3.4, 0.7)))
        women = int(members * rng.random() ** 1.3) if rng.random() < 0.9 else members
        ice = None
        if rng.random() < (0.45 if kind == "coop" else 0.12 if kind == "assoc" else 0.9):
            body = f"{rng.randint(0, 99):02d}" if rng.random() < 0.5 else "00"
            ice = ice_with_check(body + "".join(str(rng.randint(0, 9)) for _ in range(11)))
        status_pairs = COOP_STATUS if kind != "assoc" else ASSOC_STATUS
        status = weighted(rng, status_pairs) if month == 0 else status_pairs[0][0]
        change_month = later = None
        if rng.random() < STATUS_CHANGE_SHARE:
            change_month = rng.randint(1, 12)
            later = rng.choice([s for s, _ in status_pairs if s != status])
        year = founded.year
        if kind == "coop":
            key = (city, year)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (city, year, self._seq[key])
            ident_date = founded
        elif kind == "assoc":
            ident_date = founded + dt.timedelta(days=rng.randint(3, 60))
            key = (code, ident_date.year)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (ident_date.year, self._seq[key])
        else:
            key = ("RC", city)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (city, 10000 + self._seq[key] * 7)
            ident_date = founded
        core, pattern = self._name(rng)
        if kind == "coop" and pattern in (1, 2):
            pattern = 3  # a cooperative is not a douar's development association
        sector, branch = (None, None)
        if kind == "coop":
            sector = weighted(rng, SECTORS)
            branch = PRODUCTS[rng.randrange(len(PRODUCTS))][1] if rng.random() < 0.55 else None
        return Org(
            uid=uid,
            kind=kind,
            month=month,
            province=province,
            commune=commune,
            core=core,
            pattern=pattern,
            product=(rng.randrange(len(PRODUCTS)) if rng.random() < (0.7 if pattern in (0, 3) else 0.15) else None),
            named_after_commune=pattern in (0, 3) and rng.random() < 0.3,
            founded=founded,
            members=members,
            women=min(women, members),
            capital=rng.choice([1000, 2000, 5000, 10000, 20000, 50000, 100000]),
            status=status,
            status_later=later,
            status_change_month=change_month,
            ice=ice,
            ident=ident,
            ident_date=ident_date,
            sector=sector,
            branch=branch,
        )

    def orgs_at(self, orgs: list[Org], delivery: int) -> list[Org]:
        return [o for o in orgs if o.month <= delivery]

    # -- projects, members, sessions ------------------------------------------------------------
    def _projects(self, rng, kind: str, n: int, holders: list[Org], first_year: int) -> list[Project]:
        base = [h for h in holders if h.month == 0]
        out: list[Project] = []
        number = 0
        for month in range(self.deliveries):
            count = n if month == 0 else max(1, round(n * MONTHLY_GROWTH[kind]))
            for _ in range(count):
                number += 1
                holder = rng.choice(base)
                if month == 0:
                    year = rng.randint(max(first_year, holder.founded.year), 2026)
                else:
                    year = month_end(BASE_DATE, month).year
                out.append(Project(uid=number, month=month, holder=holder, year=year, number=number))
        return out

    def _members(self, rng, n: int) -> list[Member]:
        out: list[Member] = []
        base_coops = [o for o in self.coops if o.month == 0]
        base_assocs = [o for o in self.assocs if o.month == 0]
        chosen_coops = rng.sample(base_coops, min(len(base_coops), int(n * 0.56)))
        chosen_assocs = rng.sample(base_assocs, min(len(base_assocs), int(n * 0.33)))
        pool: list[Org | None] = chosen_coops + chosen_assocs
        pool += [None] * max(1, n - len(pool))
        rng.shuffle(pool)
        for month in range(self.deliveries):
            if month == 0:
                batch = pool
            else:
                count = max(1, round(n * MONTHLY_GROWTH["adherents"]))
                batch = [None if rng.random() < 0.15 else rng.choice(base_coops) for _ in range(count)]
            for org in batch:
                number = len(out) + 1
                if org is None:
                    province = rng.choices(range(len(PROVINCES)), [p[2] for p in PROVINCES])[0]
                    commune = rng.choice(self.communes[PROVINCES[province][0]])
                else:
                    province, commune = org.province, org.commune
                out.append(Member(uid=number, month=month, number=number, org=org, province=province, commune=commune))
        return out

    def _sessions(self, rng, n: int) -> list[Session]:
        out: list[Session] = []
        base_members = [m for m in self.members if m.month == 0]
        sse_members = [m for m in base_members if m.org is not None]
        number = 0
        for month in range(self.deliveries):
            count = n if month == 0 else max(1, round(n * MONTHLY_GROWTH["sessions"]))
            for i in range(count):
                number += 1
                special = month == 0 and i == 0
                if special:
                    kind, year = "rencontre", 2026
                    start = end = dt.date(2026, 10, 14)
                    people = rng.sample(sse_members, min(250, len(sse_members)))
                    participants = [(m, 1, int(rng.random() < 0.55), 0) for m in people]
                    fields = dict(
                        type=kind,
                        intitule="Rencontre de communication et de formation au profit des coopératives "
                        "et associations de l'ESS",
                        intitule_ar="لقاء تواصلي وتكويني لفائدة التعاونيات والجمعيات العاملة في قطاع الاقتصاد "
                        "الاجتماعي والتضامني",
                        theme="ESS",
                        date_debut=start.isoformat(),
                        date_fin=end.isoformat(),
                        lieu="Palais des congrès, Complexe des artisans, Fès",
                        province="Fès",
                        programme="PDR 2022-2027",
                        partenaires=["Ministère", "Wilaya", "Conseil de la Région", "Chambre d'Artisanat"],
                    )
                    out.append(
                        Session(
                            uid=number,
                            month=month,
                            number=number,
                            year=year,
                            participants=participants,
                            sales=[],
                            fields=fields,
                        )
                    )
                    continue
                kind = weighted(rng, SESSION_TYPES)
                if month == 0:
                    start = random_date(rng, dt.date(2016, 1, 1), BASE_DATE)
                else:
                    start = random_date(
                        rng, month_end(BASE_DATE, month - 1) + dt.timedelta(days=1), month_end(BASE_DATE, month)
                    )
                end = start + dt.timedelta(
                    days=rng.randint(0, 4) if kind == "formation" else rng.randint(2, 6) if kind == "salon" else 0
                )
                size = max(3, min(len(base_members), int(rng.expovariate(1 / MEAN_SESSION_PARTICIPANTS)) + 3))
                people = rng.sample(base_members, min(size, len(base_members)))
                participants = []
                for m in people:
                    nb = rng.randint(1, 4)
                    participants.append((m, nb, rng.randint(0, nb), int(rng.random() < 0.15)))
                sales = (
                    [(m, round(rng.uniform(800, 60000), 2)) for m in people if rng.random() < 0.85]
                    if kind == "salon"
                    else []
                )
                province = rng.randrange(len(PROVINCES))
                fields = dict(
                    type=kind,
                    intitule=f"{kind.capitalize()} — {rng.choice(THEMES)}",
                    intitule_ar=(
                        f"{SESSION_TITLES_AR[kind]} — {rng.choice(ASSOC_FIELDS)}" if rng.random() < 0.3 else None
                    ),
                    theme=rng.choice(THEMES),
                    date_debut=start.isoformat(),
                    date_fin=end.isoformat(),
                    lieu=rng.choice(PLACES),
                    province=rng.choice(PROVINCES[province][3]),
                    programme=weighted(rng, PROGRAMMES),
                    partenaires=rng.sample(PARTNERS, rng.randint(1, 3)),
                )
                out.append(
                    Session(
                        uid=number,
                        month=month,
                        number=number,
                        year=start.year,
                        participants=participants,
                        sales=sales,
                        fields=fields,
                    )
                )
        return out


_WORLDS: dict[tuple, World] = {}


def build_world(scale: float | int | str, seed: int, deliveries: int = MAX_DELIVERY + 1) -> World:
    """The world of a scale and seed, with every month up to MAX_DELIVERY: whichever deliveries are
    asked for, they are months of the same world."""
    _, coops, assocs = resolve_scale(scale)
    key = (coops, assocs, seed, deliveries)
    if key not in _WORLDS:
        _WORLDS.clear()  # one world at a time: a national one is large
        _WORLDS[key] = World(coops, assocs, seed, deliveries)
    return _WORLDS[key]
