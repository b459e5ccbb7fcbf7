"""The files of each provider for one delivery of a world: the ministry's register and Mouazara
workbooks, the wilaya's associations and INDH CSV files, the chamber's members and sessions exports,
with their quirks, bad rows, duplicates and rule violations."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

from orchestration.bench.generate.files import Plant, write_csv, write_json, write_xlsx
from orchestration.bench.generate.scales import BASE_DATE
from orchestration.bench.generate.truth import FileTruth
from orchestration.bench.generate.vocabulary import ASSOC_FIELDS, CORES, CRAFTS, FIRST_NAMES, INDH_PROGRAMMES, INDH_STATUS, LAST_NAMES, MZ_STATUS_OPEN, OUTSIDE_PROVINCES, PRODUCTS, PROVINCES, VOLETS
from orchestration.bench.generate.world import Org, World
from orchestration.bench.generate.writings import S_ADH, S_INDH, S_JAM, S_MZ, S_REG, S_SES, arabic_variant, csv_amount, date_cell, ice_with_check, month_end, random_date, receipt_writing, record_rng, register_writing, weighted, wrong_check, xlsx_amount

REGISTER_HEADER = ["N° Immatriculation", "ICE", "Dénomination", "Dénomination arabe", "Secteur", "Branche",
                   "Date de constitution", "Préfecture/Province", "Commune", "Adhérents", "dont Femmes",
                   "Capital (DH)", "Situation"]
MOUAZARA_HEADER = ["Réf. projet", "Édition", "Porteur", "Type porteur", "N° Immatriculation / Récépissé", "Province",
                   "Intitulé du projet", "Volet", "Coût total (DH)", "Subvention Ministère (DH)",
                   "Cofinancement Région (DH)", "Apport porteur (DH)", "Date convention", "Montant décaissé (DH)",
                   "Date dernier décaissement", "Statut", "Emplois maintenus", "Emplois créés", "Bénéficiaires",
                   "dont Femmes", "dont PSH"]
JAMIYAT_HEADER = ["رقم الوصل النهائي", "تاريخ الوصل", "اسم الجمعية", "الاسم بالفرنسية", "العمالة أو الإقليم",
                  "الجماعة", "مجال النشاط", "تاريخ التأسيس", "عدد المنخرطين", "اسم الرئيس",
                  "رقم البطاقة الوطنية للرئيس", "الهاتف", "الوضعية"]
INDH_HEADER = ["رمز المشروع", "البرنامج", "المرحلة", "العمالة أو الإقليم", "الجماعة", "حامل المشروع",
               "الصفة القانونية", "رقم التسجيل", "عنوان المشروع", "الكلفة الإجمالية", "مساهمة المبادرة",
               "مساهمة الشركاء", "مساهمة حامل المشروع", "تاريخ المصادقة", "المبلغ المصروف", "الحالة",
               "مناصب الشغل المحدثة", "عدد المستفيدين", "منهم نساء", "منهم أشخاص في وضعية إعاقة", "منهم شباب"]


def _province_fr(org_or_index, rng: random.Random) -> str:
    index = org_or_index if isinstance(org_or_index, int) else org_or_index.province
    _, _, _, french, arabic = PROVINCES[index]
    return rng.choice(arabic) if rng.random() < 0.04 else rng.choice(french)


def _identifier(org: Org, rng: random.Random, arabic_digits: bool) -> str:
    if org.kind == "coop":
        city, year, seq = org.ident
        return register_writing(city, year, seq, rng, arabic_digits)
    if org.kind == "assoc":
        year, seq = org.ident
        return receipt_writing(year, seq, rng, arabic_digits)
    city, number = org.ident
    return rng.choice([f"RC {city} {number}", f"RC {number} {city}", f"R.C. {city} {number}"])


class DeliveryWriter:
    def __init__(self, world: World, out: Path, seed: int, delivery: int):
        self.world, self.out, self.seed, self.delivery = world, out, seed, delivery
        self.bad: list[dict] = []
        self.violations: list[dict] = []
        self.duplicates: list[dict] = []
        self.files: list[FileTruth] = []
        self.file_rng = random.Random(hash((seed, 99, delivery)))
        self.ministry_date = month_end(BASE_DATE, delivery)
        self.wilaya_period = f"{self.ministry_date:%Y%m}"
        self.chamber_date = self.ministry_date + dt.timedelta(days=1)

    def _folder(self, provider: str) -> Path:
        folder = self.out / provider
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _plant_twins(self, rows: list[list], originals: int, plant, label: str) -> None:
        """Exact copies of lines among the first `originals`: the loader loads each once."""
        for _ in range(plant.count):
            twin = rows[plant.rng.randrange(originals)]
            rows.append(list(twin))
            self.duplicates.append({"file": label, "record": twin[0]})

    def _file(self, provider, name, source, fmt, rows, rejected, dups, violations, encoding=None,
              content=None) -> FileTruth:
        path = self.out / provider / name
        truth = FileTruth(provider=provider, file=name, source=source, format=fmt, data_rows=rows,
                          rejected=rejected, duplicates=dups, violations=violations, encoding=encoding,
                          bytes=path.stat().st_size, period=re.search(r"_(\d{6,8})[ .]", name).group(1),
                          content=content or {})
        self.files.append(truth)
        return truth

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
        for i, org in enumerate(coops):
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
                org.register, ice_cell, org.name_fr(rng, k), arabic_variant(org.name_ar(k), rng, "تعاونية"),
                org.sector, org.branch, date_cell(org.founded, rng, excel=True), _province_fr(org, rng),
                org.commune[0] if rng.random() < 0.95 else None, org.members_at(k), women,
                xlsx_amount(org.capital, rng), org.status_at(k),
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
        titles = ["Ministère du Tourisme, de l'Artisanat et de l'Économie Sociale et Solidaire",
                  "Extrait du registre des coopératives — Région Fès-Meknès",
                  f"Arrêté au : {self.ministry_date:%d/%m/%Y}"]
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
        return self._file("ministere", name, "register", "xlsx", data_rows, 2 * n_bad, plant.count, violations,
                          content={"cooperatives": len(coops), "active_by_province": dict(sorted(active.items())),
                                   "numbers": [o.register for o in coops]})

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
            signed = random_date(rng, dt.date(p.year, 3, 1), min(dt.date(p.year, 12, 20), self.ministry_date))
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
            last = (random_date(rng, signed, min(signed + dt.timedelta(days=400), self.ministry_date))
                    if disbursed else None)
            if i in over_paid:
                disbursed = round(grant + rng.uniform(1000, 12000), 2)
                last = last or signed
                self.violations.append({"file": "mouazara", "record": ref, "why": "disbursed > ministry subsidy"})
                violations += 1
            beneficiaries = rng.randint(10, 120)
            women = int(beneficiaries * rng.random())
            name = (arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                    if rng.random() < 0.3 else org.name_fr(rng, k))
            volet = rng.choice(VOLETS)
            rows.append([
                ref, f"{edition} ({p.year})", name, "Coopérative" if org.kind == "coop" else "Association",
                _identifier(org, rng, arabic_digits=True) if rng.random() < 0.8 else None,
                _province_fr(org, rng), f"{rng.choice(VOLETS)} — {rng.choice(PRODUCTS)[1]}", volet,
                xlsx_amount(cost, rng), xlsx_amount(grant, rng), xlsx_amount(region, rng),
                xlsx_amount(contribution, rng), date_cell(signed, rng, excel=True), xlsx_amount(disbursed, rng),
                date_cell(last, rng, excel=True) if last else None, status, rng.randint(0, 12), rng.randint(0, 8),
                beneficiaries, women, rng.randint(0, max(0, beneficiaries // 10)),
            ])
        for j in range(plant.count):
            bad = list(rows[plant.rng.randrange(len(rows))])
            bad[0] = f"MZ-BAD-{j + 1:04d}"
            bad[9] = -round(plant.rng.uniform(1000, 30000))
            rows.append(bad)
            self.bad.append({"file": "mouazara", "record": bad[0], "why": "negative subsidy"})
        name = f"MOUAZARA_FM_{self.ministry_date:%Y%m%d}.xlsx"
        titles = ["Programme Mouazara — projets de la Région Fès-Meknès", f"Situation au {self.ministry_date:%d/%m/%Y}",
                  None]
        write_xlsx(self._folder("ministere") / name, "Projets", titles, MOUAZARA_HEADER, rows, merge_to="H")
        return self._file("ministere", name, "mouazara", "xlsx", len(rows), plant.count, 0, violations,
                          content={"projects": len(projects), "committed": _amounts(committed)})

    # -- wilaya -------------------------------------------------------------------------------------
    def _csv_encoding(self) -> str:
        return "utf-8-sig" if self.file_rng.random() < 0.25 else "cp1256"

    def associations(self) -> None:
        seed, k = self.seed, self.delivery
        encoding = self._csv_encoding()
        utf8 = encoding != "cp1256"
        assocs = [o for o in self.world.assocs if o.in_register(k)]
        plant = Plant(seed, 13 + 100 * k, len(assocs))
        rows = []
        for org in assocs:
            rng = record_rng(seed, S_JAM, org.uid)
            _, _, _, _, arabic = PROVINCES[org.province]
            rows.append([
                org.receipt, org.ident_date.strftime("%d/%m/%Y"), arabic_variant(org.name_ar(k), rng, "جمعية"),
                org.name_fr(rng, k) if rng.random() < 0.5 else None, rng.choice(arabic), org.commune[1],
                ASSOC_FIELDS[org.uid % len(ASSOC_FIELDS)], date_cell(org.founded, rng, excel=False), org.members_at(k),
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                f"{rng.choice('ABCDGKLZ')}{rng.randint(100000, 999999)}", f"06{rng.randint(10000000, 99999999)}",
                org.status_at(k),
            ])
        n = len(assocs)
        for j, t in enumerate(sorted(plant.positions(n))):
            missing = list(rows[t])
            missing[0] = None
            rows.append(missing)
            self.bad.append({"file": "associations", "record": None, "why": "missing receipt number"})
            outside = list(rows[plant.rng.randrange(n)])
            outside[0] = f"1970/{j + 1}"
            outside[4] = plant.rng.choice(OUTSIDE_PROVINCES[1])
            rows.append(outside)
            self.bad.append({"file": "associations", "record": outside[0], "why": "province outside the region"})
        self._plant_twins(rows, n, plant, "associations")
        name = f"wilaya_jamiyat_{self.wilaya_period}.csv"
        count = write_csv(self._folder("wilaya") / name, JAMIYAT_HEADER, rows, encoding)
        return self._file("wilaya", name, "associations", "csv", count, 2 * plant.count, plant.count, 0,
                          encoding="utf-8-sig" if utf8 else "cp1256",
                          content={"associations": len(assocs),
                                   "receipts": [f"{o.receipt}@{o.province_code}" for o in assocs]})

    def indh(self) -> None:
        seed, k = self.seed, self.delivery
        encoding = self._csv_encoding()
        utf8 = encoding != "cp1256"
        projects = [p for p in self.world.indh if p.month <= k]
        plant = Plant(seed, 14 + 100 * k, len(projects))
        over_share = plant.positions(len(projects))
        over_paid = plant.positions(len(projects))
        width = max(3, len(str(len(projects))))
        rows = []
        violations = 0
        legal = {"coop": "تعاونية", "assoc": "جمعية", "gie": "مجموعة ذات النفع الاقتصادي"}
        committed = {}
        for i, p in enumerate(projects):
            rng = record_rng(seed, S_INDH, p.uid)
            org = p.holder
            city = PROVINCES[org.province][1]
            code = f"INDH-P3-{city}-{p.year}-{p.number:0{width}d}"
            cost = round(rng.uniform(50000, 450000), 2)
            indh = round(min(cost * rng.uniform(0.45, 0.7), 300000), 2)
            if i in over_share:
                indh = round(min(cost * rng.uniform(0.75, 0.95), 400000), 2)
                self.violations.append({"file": "indh", "record": code, "why": "INDH share above 70% of total cost"})
                violations += 1
            indh = round(indh * p.factor(k), 2)
            committed[code] = indh
            partners = round((cost - indh) * rng.uniform(0.02, 0.4), 2)
            holder = round(cost - indh - partners, 2)
            approved = random_date(rng, dt.date(p.year, 1, 1), min(dt.date(p.year, 12, 31), self.ministry_date))
            status = weighted(rng, INDH_STATUS) if not (p.month == k and k > 0) else "في طور الإنجاز"
            disbursed = indh if status == "منجز" else round(indh * rng.uniform(0.1, 0.8), 2)
            if i in over_paid:
                disbursed = round(indh * rng.uniform(1.05, 1.3), 2)
                self.violations.append({"file": "indh", "record": code, "why": "disbursed > INDH contribution"})
                violations += 1
            beneficiaries = rng.randint(5, 45)
            women = rng.randint(0, beneficiaries)
            name = arabic_variant(org.name_ar(k), rng, legal[org.kind])
            rows.append([
                code, rng.choice(INDH_PROGRAMMES), "الثانية" if p.year <= 2018 else "الثالثة",
                rng.choice(PROVINCES[org.province][4]), org.commune[1], name, legal[org.kind],
                _identifier(org, rng, arabic_digits=utf8) if rng.random() < 0.45 else None,
                f"مشروع {PRODUCTS[rng.randrange(len(PRODUCTS))][0][1:]}",
                csv_amount(cost, rng, utf8), csv_amount(indh, rng, utf8), csv_amount(partners, rng, utf8),
                csv_amount(holder, rng, utf8), date_cell(approved, rng, excel=False),
                csv_amount(disbursed, rng, utf8), status, rng.randint(0, 12), beneficiaries, women,
                rng.randint(0, 3), rng.randint(0, beneficiaries),
            ])
        n = len(projects)
        for j in range(plant.count):
            bad = list(rows[plant.rng.randrange(n)])
            bad[0] = f"INDH-BAD-{j + 1:03d}"
            bad[10] = plant.rng.choice(["غير متوفر", "n/a", "-"])
            rows.append(bad)
            self.bad.append({"file": "indh", "record": bad[0], "why": "amount not a number"})
            negative = list(rows[plant.rng.randrange(n)])
            negative[0] = f"INDH-NEG-{j + 1:03d}"
            negative[14] = "-" + str(negative[14])
            rows.append(negative)
            self.bad.append({"file": "indh", "record": negative[0], "why": "negative amount"})
        self._plant_twins(rows, n, plant, "indh")
        name = f"wilaya_indh_agr_{self.wilaya_period}.csv"
        count = write_csv(self._folder("wilaya") / name, INDH_HEADER, rows, encoding)
        return self._file("wilaya", name, "indh_agr", "csv", count, 2 * plant.count, plant.count, violations,
                          encoding="utf-8-sig" if utf8 else "cp1256", content={"committed": _amounts(committed)})

    # -- chamber ------------------------------------------------------------------------------------
    def adherents(self) -> None:
        seed, k = self.seed, self.delivery
        members = [m for m in self.world.members if m.month <= k]
        plant = Plant(seed, 15 + 100 * k, len(members))
        bad_ice = plant.positions(len(members))
        records = []
        violations = 0
        for i, m in enumerate(members):
            rng = record_rng(seed, S_ADH, m.uid)
            org = m.org
            ident = f"CA-FM-{m.number:06d}"
            if org is None:
                core = CORES[rng.randrange(len(CORES))]
                name = f"{rng.choice(['Atelier', 'Entreprise', 'Maison'])} {rng.choice(core[1])}"
                record = dict(id_adherent=ident, type="entreprise_artisanale", raison_sociale=name,
                              raison_sociale_ar=(f"مقاولة {core[0]}" if rng.random() < 0.5 else None),
                              num_immatriculation=None, ice=None)
            else:
                share = 0.45 if org.kind == "coop" else 0.3
                record = dict(
                    id_adherent=ident, type="cooperative" if org.kind == "coop" else "association",
                    raison_sociale=org.name_fr(rng, k),
                    raison_sociale_ar=(arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                                       if rng.random() < 0.7 else None),
                    num_immatriculation=_identifier(org, rng, arabic_digits=True) if rng.random() < share else None,
                    ice=org.ice if rng.random() < 0.8 else None)
            if i in bad_ice:
                record["ice"] = wrong_check(record["ice"] or ice_with_check("0098765432101"))
                self.violations.append({"file": "adherents", "record": ident, "why": "ICE with a wrong check"})
                violations += 1
            men = rng.randint(0, 12)
            record.update(
                metier=(PRODUCTS[org.product][2] if org and org.product is not None and PRODUCTS[org.product][2]
                        and rng.random() < 0.5 else rng.choice(CRAFTS)),
                province=_province_fr(m.province, rng), commune=m.commune[0] if rng.random() < 0.9 else None,
                date_adhesion=random_date(rng, dt.date(2015, 1, 1), self.chamber_date).isoformat()
                if m.month == 0 else self.chamber_date.isoformat(),
                effectif={"hommes": men, "femmes": rng.randint(0 if men else 1, 15)},
                contact={"telephone": f"05{rng.randint(10000000, 99999999)}",
                         "email": f"contact{m.number}@example.ma" if rng.random() < 0.2 else None},
                actif=rng.random() < 0.93,
            )
            records.append(record)
        # the bad records come last, after the records a reader samples for its columns
        n = len(records)
        for j, t in enumerate(sorted(plant.positions(n))):
            missing = json.loads(json.dumps(records[t]))
            missing["id_adherent"] = None
            records.append(missing)
            self.bad.append({"file": "adherents", "record": None, "why": "missing member id"})
            outside = json.loads(json.dumps(records[plant.rng.randrange(n)]))
            outside["id_adherent"] = f"CA-FM-9{j + 1:05d}"
            outside["province"] = plant.rng.choice(OUTSIDE_PROVINCES[0])
            records.append(outside)
            self.bad.append({"file": "adherents", "record": outside["id_adherent"],
                             "why": "province outside the region"})
        name = f"chambre_adherents_{self.chamber_date:%Y%m%d}.json"
        write_json(self._folder("chambre") / name,
                    {"export_date": self.chamber_date.isoformat(), "region": "Fès-Meknès", "adherents": records})
        return self._file("chambre", name, "adherents", "json", len(records), 2 * plant.count, 0, violations)

    def formations(self) -> tuple[int, int, int]:
        seed, k = self.seed, self.delivery
        sessions = [s for s in self.world.sessions if s.month <= k]
        corrected = None
        if k > 0:  # a later export corrects one earlier session
            base = [s for s in sessions if s.month == 0]
            corrected = random.Random(hash((seed, S_SES, k))).choice(base).uid
        width = max(4, len(str(len(sessions))))
        records = []
        participations = sales = 0
        for s in sessions:
            ident = f"S-{s.year}-{s.number:0{width}d}"
            participants = [{"id_adherent": f"CA-FM-{m.number:06d}", "nb_participants": nb, "dont_femmes": w,
                             "dont_psh": psh} for m, nb, w, psh in s.participants]
            if s.uid == corrected and participants:
                participants[0] = dict(participants[0], nb_participants=participants[0]["nb_participants"] + 1)
            ventes = [{"id_adherent": f"CA-FM-{m.number:06d}", "chiffre_affaires_dh": amount} for m, amount in s.sales]
            participations += len(participants)
            sales += len(ventes)
            records.append({"id_session": ident, **s.fields, "participants": participants, "ventes": ventes})
        name = f"chambre_formations_{self.chamber_date:%Y%m%d}.json"
        write_json(self._folder("chambre") / name, {"export_date": self.chamber_date.isoformat(), "sessions": records})
        self._file("chambre", name, "formations", "json", len(records), 0, 0, 0)
        return len(records), participations, sales


def _amounts(amounts: dict[str, float]) -> dict[str, str]:
    """Amounts as exact decimal text (what the loader reads back from the cells)."""
    return {key: f"{value:.2f}" for key, value in amounts.items()}
