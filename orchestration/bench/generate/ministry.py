"""The ministry's files of a delivery: the cooperative register and the Mouazara projects, workbooks with
a title block, a header found by its first cell and a total line."""

from __future__ import annotations

import datetime as dt

from orchestration.bench.generate.delivery_files import (
    DeliveryFiles,
    amounts_text,
    identifier_writing,
    province_writing,
)
from orchestration.bench.generate.files import Plant, write_xlsx
from orchestration.bench.generate.truth import FileTruth
from orchestration.bench.generate.vocabulary import MZ_STATUS_OPEN, PRODUCTS, VOLETS
from orchestration.bench.generate.writings import (
    S_MZ,
    S_REG,
    arabic_variant,
    date_cell,
    ice_with_check,
    random_date,
    record_rng,
    wrong_check,
    xlsx_amount,
)

REGISTER_HEADER = [
    "N° Immatriculation",
    "ICE",
    "Dénomination",
    "Dénomination arabe",
    "Secteur",
    "Branche",
    "Date de constitution",
    "Préfecture/Province",
    "Commune",
    "Adhérents",
    "dont Femmes",
    "Capital (DH)",
    "Situation",
]
MOUAZARA_HEADER = [
    "Réf. projet",
    "Édition",
    "Porteur",
    "Type porteur",
    "N° Immatriculation / Récépissé",
    "Province",
    "Intitulé du projet",
    "Volet",
    "Coût total (DH)",
    "Subvention Ministère (DH)",
    "Cofinancement Région (DH)",
    "Apport porteur (DH)",
    "Date convention",
    "Montant décaissé (DH)",
    "Date dernier décaissement",
    "Statut",
    "Emplois maintenus",
    "Emplois créés",
    "Bénéficiaires",
    "dont Femmes",
    "dont PSH",
]


class MinistryFiles(DeliveryFiles):
    # -- ministry: the cooperative register -----------------------------------------------------
    def register(self, omit: frozenset = frozenset(), suffix: str = "") -> FileTruth:
        """`omit`: cooperatives left out by mistake (a file the ministry corrects later); `suffix`: the
        name of a re-send (` (1)`)."""
        seed, k = self.seed, self.delivery
        coops = [o for o in self.world.coops if o.in_register(k) and o.uid not in omit]
        plant = Plant(seed, 11 + 100 * k, len(coops))
        # the planted violations stay on the same cooperatives from one month to the next
        base = [o for o in self.world.coops if o.month == 0]
        planted = plant if len(coops) == len(base) and k == 0 else Plant(seed, 11, len(base))
        women_above = {base[i].uid for i in planted.positions(len(base))}
        bad_ice = {base[i].uid for i in planted.positions(len(base))}
        phone = self.file_rng.random() < 0.2 and k > 0  # the ministry sometimes adds a column
        rows: list[list] = []
        violations = 0
        for org in coops:
            rng = record_rng(seed, S_REG, org.uid)
            ice = org.ice
            if org.uid in bad_ice:
                ice = wrong_check(ice or ice_with_check("0012345678901"))
                self.violations.append({"file": "register", "record": org.register, "why": "ICE with a wrong check"})
                violations += 1
            ice_cell = None
            if ice is not None:
                ice_cell = int(ice) if ice.startswith("0") and rng.random() < 0.35 else ice
            women = org.women_at(k)
            if org.uid in women_above:
                women = org.members_at(k) + rng.randint(1, 9)
                self.violations.append({"file": "register", "record": org.register, "why": "women > members"})
                violations += 1
            row = [
                org.register,
                ice_cell,
                org.name_fr(rng, k),
                arabic_variant(org.name_ar(k), rng, "تعاونية"),
                org.sector,
                org.branch,
                date_cell(org.founded, rng, excel=True),
                province_writing(org, rng),
                org.commune[0] if rng.random() < 0.95 else None,
                org.members_at(k),
                women,
                xlsx_amount(org.capital, rng),
                org.status_at(k),
            ]
            if phone:
                row.append(f"05{rng.randint(10000000, 99999999)}")
            rows.append(row)
        # rows that cannot be loaded
        n_bad = plant.count
        for j, t in enumerate(sorted(plant.positions(len(coops), n_bad))):
            template = list(rows[t])
            template[0] = None
            rows.append(template)
            self.bad.append({"file": "register", "record": None, "why": "missing register number"})
            odd = list(rows[plant.rng.randrange(len(coops))])
            odd[0] = f"FES/1970/{j + 1:04d}"
            odd[11] = plant.rng.choice(["non communiqué", "N/A", "cinq mille"])
            rows.append(odd)
            self.bad.append({"file": "register", "record": odd[0], "why": "capital not a number"})
        # exact duplicate lines
        self._plant_twins(rows, len(coops), plant, "register")
        data_rows = len(rows)
        total = ["Total", None, f"{data_rows} coopératives"] + [None] * (len(REGISTER_HEADER) - 3 + phone)
        extra_title = self.file_rng.random() < 0.3
        titles = [
            "Ministère du Tourisme, de l'Artisanat et de l'Économie Sociale et Solidaire",
            "Extrait du registre des coopératives — Région Fès-Meknès",
            f"Arrêté au : {self.ministry_date:%d/%m/%Y}",
        ]
        if extra_title:
            titles.append("Source : registre central des coopératives")
        titles.append(None)
        sheet = "Coopératives" if self.file_rng.random() < 0.85 else "Feuil1"
        name = f"REG_COOP_FM_{self.ministry_date:%Y%m%d}{suffix}.xlsx"
        header = REGISTER_HEADER + (["Téléphone"] if phone else [])
        write_xlsx(self._folder("ministere") / name, sheet, titles, header, rows + [total], merge_to="H")
        active: dict[str, int] = {}
        for org in coops:
            if org.status_at(k) == "Active":
                active[org.province_code] = active.get(org.province_code, 0) + 1
        return self._file(
            "ministere",
            name,
            "register",
            "xlsx",
            data_rows,
            2 * n_bad,
            plant.count,
            violations,
            content={
                "cooperatives": len(coops),
                "active_by_province": dict(sorted(active.items())),
                "numbers": [o.register for o in coops],
            },
        )

    # -- ministry: Mouazara projects -------------------------------------------------------------
    def mouazara(self) -> None:
        seed, k = self.seed, self.delivery
        projects = [p for p in self.world.mouazara if p.delivered(k)]
        plant = Plant(seed, 12 + 100 * k, len(projects))
        committed = {}
        over_paid = plant.positions(len(projects))
        width = max(4, len(str(len(projects))))
        rows = []
        violations = 0
        capped_violation = plant.count
        for i, p in enumerate(projects):
            rng = record_rng(seed, S_MZ, p.uid)
            org = p.holder
            edition = p.year - 2019
            ref = f"MZ-{p.year}-FM-{p.number:0{width}d}"
            cap = 49000 if p.year >= 2024 else 60000
            grant = round(rng.uniform(12000, cap), 2)
            if p.year >= 2024 and capped_violation and rng.random() < 0.2:
                grant = round(rng.uniform(49500, 70000), 2)
                capped_violation -= 1
                self.violations.append({"file": "mouazara", "record": ref, "why": "grant above 49,000 DH cap"})
                violations += 1
            grant = round(grant * p.factor(k), 2)
            committed[ref] = grant
            region = round(grant / 2, 2) if rng.random() < 0.4 else 0
            contribution = round(grant * rng.uniform(0.12, 0.5), 2)
            cost = round(grant + region + contribution, 2)
            first_delivered = self.first_delivered_on(p.month)
            signed = random_date(rng, dt.date(p.year, 3, 1), min(dt.date(p.year, 12, 20), first_delivered))
            age_years = (self.ministry_date - signed).days / 365
            if p.month == k and k > 0:
                status = "Sélectionné"
            elif rng.random() < 0.03:
                status = "Abandonné"
            elif age_years > 1.5 or (age_years > 0.7 and rng.random() < 0.6):
                status = "Achevé"
            elif age_years > 0.3:
                status = "En cours"
            else:
                status = rng.choice(MZ_STATUS_OPEN)
            # an open project is finished some months later
            finish_month = rng.randint(1, 8)
            if status == "En cours" and k >= finish_month:
                status = "Achevé"
            if status == "Achevé":
                disbursed = grant
            elif status in ("En cours", "Abandonné"):
                disbursed = round(grant * rng.uniform(0.2, 0.8), 2)
            else:
                disbursed = 0
            last = (
                random_date(rng, signed, min(signed + dt.timedelta(days=400), first_delivered)) if disbursed else None
            )
            if i in over_paid:
                disbursed = round(grant + rng.uniform(1000, 12000), 2)
                last = last or signed
                self.violations.append({"file": "mouazara", "record": ref, "why": "disbursed > ministry subsidy"})
                violations += 1
            beneficiaries = rng.randint(10, 120)
            women = int(beneficiaries * rng.random())
            name = (
                arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                if rng.random() < 0.3
                else org.name_fr(rng, k)
            )
            volet = rng.choice(VOLETS)
            rows.append(
                [
                    ref,
                    f"{edition} ({p.year})",
                    name,
                    "Coopérative" if org.kind == "coop" else "Association",
                    identifier_writing(org, rng, arabic_digits=True) if rng.random() < 0.8 else None,
                    province_writing(org, rng),
                    f"{rng.choice(VOLETS)} — {rng.choice(PRODUCTS)[1]}",
                    volet,
                    xlsx_amount(cost, rng),
                    xlsx_amount(grant, rng),
                    xlsx_amount(region, rng),
                    xlsx_amount(contribution, rng),
                    date_cell(signed, rng, excel=True),
                    xlsx_amount(disbursed, rng),
                    date_cell(last, rng, excel=True) if last else None,
                    status,
                    rng.randint(0, 12),
                    rng.randint(0, 8),
                    beneficiaries,
                    women,
                    rng.randint(0, max(0, beneficiaries // 10)),
                ]
            )
        for j in range(plant.count):
            bad = list(rows[plant.rng.randrange(len(rows))])
            bad[0] = f"MZ-BAD-{j + 1:04d}"
            bad[9] = -round(plant.rng.uniform(1000, 30000))
            rows.append(bad)
            self.bad.append({"file": "mouazara", "record": bad[0], "why": "negative subsidy"})
        name = f"MOUAZARA_FM_{self.ministry_date:%Y%m%d}.xlsx"
        titles = [
            "Programme Mouazara — projets de la Région Fès-Meknès",
            f"Situation au {self.ministry_date:%d/%m/%Y}",
            None,
        ]
        write_xlsx(self._folder("ministere") / name, "Projets", titles, MOUAZARA_HEADER, rows, merge_to="H")
        return self._file(
            "ministere",
            name,
            "mouazara",
            "xlsx",
            len(rows),
            plant.count,
            0,
            violations,
            content={"projects": len(projects), "committed": amounts_text(committed)},
        )
