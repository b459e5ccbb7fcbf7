"""The chamber's files of a delivery: the members and the sessions, JSON exports."""

from __future__ import annotations

import datetime as dt
import json
import random

from orchestration.bench.generate.delivery_files import DeliveryFiles, identifier_writing, province_writing
from orchestration.bench.generate.files import Plant, write_json
from orchestration.bench.generate.vocabulary import CORES, CRAFTS, OUTSIDE_PROVINCES, PRODUCTS
from orchestration.bench.generate.writings import (
    S_ADH,
    S_SES,
    arabic_variant,
    ice_with_check,
    random_date,
    record_rng,
    wrong_check,
)


class ChamberFiles(DeliveryFiles):
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
                record = dict(
                    id_adherent=ident,
                    type="entreprise_artisanale",
                    raison_sociale=name,
                    raison_sociale_ar=(f"مقاولة {core[0]}" if rng.random() < 0.5 else None),
                    num_immatriculation=None,
                    ice=None,
                )
            else:
                share = 0.45 if org.kind == "coop" else 0.3
                record = dict(
                    id_adherent=ident,
                    type="cooperative" if org.kind == "coop" else "association",
                    raison_sociale=org.name_fr(rng, k),
                    raison_sociale_ar=(
                        arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                        if rng.random() < 0.7
                        else None
                    ),
                    num_immatriculation=identifier_writing(org, rng, arabic_digits=True)
                    if rng.random() < share
                    else None,
                    ice=org.ice if rng.random() < 0.8 else None,
                )
            if i in bad_ice:
                record["ice"] = wrong_check(record["ice"] or ice_with_check("0098765432101"))
                self.violations.append({"file": "adherents", "record": ident, "why": "ICE with a wrong check"})
                violations += 1
            men = rng.randint(0, 12)
            record.update(
                metier=(
                    PRODUCTS[org.product][2]
                    if org and org.product is not None and PRODUCTS[org.product][2] and rng.random() < 0.5
                    else rng.choice(CRAFTS)
                ),
                province=province_writing(m.province, rng),
                commune=m.commune[0] if rng.random() < 0.9 else None,
                date_adhesion=random_date(rng, dt.date(2015, 1, 1), self.chamber_date).isoformat()
                if m.month == 0
                else self.chamber_date.isoformat(),
                effectif={"hommes": men, "femmes": rng.randint(0 if men else 1, 15)},
                contact={
                    "telephone": f"05{rng.randint(10000000, 99999999)}",
                    "email": f"contact{m.number}@example.ma" if rng.random() < 0.2 else None,
                },
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
            self.bad.append(
                {"file": "adherents", "record": outside["id_adherent"], "why": "province outside the region"}
            )
        name = f"chambre_adherents_{self.chamber_date:%Y%m%d}.json"
        write_json(
            self._folder("chambre") / name,
            {"export_date": self.chamber_date.isoformat(), "region": "Fès-Meknès", "adherents": records},
        )
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
            participants = [
                {"id_adherent": f"CA-FM-{m.number:06d}", "nb_participants": nb, "dont_femmes": w, "dont_psh": psh}
                for m, nb, w, psh in s.participants
            ]
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
