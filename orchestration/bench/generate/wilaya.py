"""The wilaya's files of a delivery: the associations and INDH projects, `;`-separated CRLF CSV in
Windows-1256 or UTF-8 with a byte-order mark, Arabic headers, decimal comma."""

from __future__ import annotations

import datetime as dt

from orchestration.bench.generate.delivery_files import DeliveryFiles, amounts_text, identifier_writing
from orchestration.bench.generate.files import Plant, write_csv
from orchestration.bench.generate.vocabulary import (
    ASSOC_FIELDS,
    FIRST_NAMES,
    INDH_PROGRAMMES,
    INDH_STATUS,
    LAST_NAMES,
    OUTSIDE_PROVINCES,
    PRODUCTS,
    PROVINCES,
)
from orchestration.bench.generate.writings import (
    S_INDH,
    S_JAM,
    arabic_variant,
    csv_amount,
    date_cell,
    random_date,
    record_rng,
    weighted,
)

JAMIYAT_HEADER = [
    "رقم الوصل النهائي",
    "تاريخ الوصل",
    "اسم الجمعية",
    "الاسم بالفرنسية",
    "العمالة أو الإقليم",
    "الجماعة",
    "مجال النشاط",
    "تاريخ التأسيس",
    "عدد المنخرطين",
    "اسم الرئيس",
    "رقم البطاقة الوطنية للرئيس",
    "الهاتف",
    "الوضعية",
]
INDH_HEADER = [
    "رمز المشروع",
    "البرنامج",
    "المرحلة",
    "العمالة أو الإقليم",
    "الجماعة",
    "حامل المشروع",
    "الصفة القانونية",
    "رقم التسجيل",
    "عنوان المشروع",
    "الكلفة الإجمالية",
    "مساهمة المبادرة",
    "مساهمة الشركاء",
    "مساهمة حامل المشروع",
    "تاريخ المصادقة",
    "المبلغ المصروف",
    "الحالة",
    "مناصب الشغل المحدثة",
    "عدد المستفيدين",
    "منهم نساء",
    "منهم أشخاص في وضعية إعاقة",
    "منهم شباب",
]


class WilayaFiles(DeliveryFiles):
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
            rows.append(
                [
                    org.receipt,
                    org.ident_date.strftime("%d/%m/%Y"),
                    arabic_variant(org.name_ar(k), rng, "جمعية"),
                    org.name_fr(rng, k) if rng.random() < 0.5 else None,
                    rng.choice(arabic),
                    org.commune[1],
                    ASSOC_FIELDS[org.uid % len(ASSOC_FIELDS)],
                    date_cell(org.founded, rng, excel=False),
                    org.members_at(k),
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    f"{rng.choice('ABCDGKLZ')}{rng.randint(100000, 999999)}",
                    f"06{rng.randint(10000000, 99999999)}",
                    org.status_at(k),
                ]
            )
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
        return self._file(
            "wilaya",
            name,
            "associations",
            "csv",
            count,
            2 * plant.count,
            plant.count,
            0,
            encoding="utf-8-sig" if utf8 else "cp1256",
            content={"associations": len(assocs), "receipts": [f"{o.receipt}@{o.province_code}" for o in assocs]},
        )

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
            approved = random_date(
                rng, dt.date(p.year, 1, 1), min(dt.date(p.year, 12, 31), self.first_delivered_on(p.month))
            )
            status = weighted(rng, INDH_STATUS) if not (p.month == k and k > 0) else "في طور الإنجاز"
            disbursed = indh if status == "منجز" else round(indh * rng.uniform(0.1, 0.8), 2)
            if i in over_paid:
                disbursed = round(indh * rng.uniform(1.05, 1.3), 2)
                self.violations.append({"file": "indh", "record": code, "why": "disbursed > INDH contribution"})
                violations += 1
            beneficiaries = rng.randint(5, 45)
            women = rng.randint(0, beneficiaries)
            name = arabic_variant(org.name_ar(k), rng, legal[org.kind])
            rows.append(
                [
                    code,
                    rng.choice(INDH_PROGRAMMES),
                    "الثانية" if p.year <= 2018 else "الثالثة",
                    rng.choice(PROVINCES[org.province][4]),
                    org.commune[1],
                    name,
                    legal[org.kind],
                    identifier_writing(org, rng, arabic_digits=utf8) if rng.random() < 0.45 else None,
                    f"مشروع {PRODUCTS[rng.randrange(len(PRODUCTS))][0][1:]}",
                    csv_amount(cost, rng, utf8),
                    csv_amount(indh, rng, utf8),
                    csv_amount(partners, rng, utf8),
                    csv_amount(holder, rng, utf8),
                    date_cell(approved, rng, excel=False),
                    csv_amount(disbursed, rng, utf8),
                    status,
                    rng.randint(0, 12),
                    beneficiaries,
                    women,
                    rng.randint(0, 3),
                    rng.randint(0, beneficiaries),
                ]
            )
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
        return self._file(
            "wilaya",
            name,
            "indh_agr",
            "csv",
            count,
            2 * plant.count,
            plant.count,
            violations,
            encoding="utf-8-sig" if utf8 else "cp1256",
            content={"committed": amounts_text(committed)},
        )
