"""The report's words in French and Arabic: titles, column headings, the definition of each figure.
Data labels (programme, province, funder names...) come from the marts, through labels.py."""

from __future__ import annotations

LANGUAGES = ("fr", "ar")

TITLE = {
    "fr": "Bilan de l'économie sociale et solidaire",
    "ar": "حصيلة الاقتصاد الاجتماعي والتضامني",
}
COUNCIL = {"fr": "Conseil de la Région Fès-Meknès", "ar": "مجلس جهة فاس مكناس"}

UI = {
    "fr": {
        "scope": "Périmètre",
        "whole_region": "toute la région",
        "province": "province",
        "programme": "programme",
        "as_of": "situation au",
        "all_known": "toutes les données connues",
        "generated": "Produit le",
        "from_marts": "à partir des marts publiés de l'entrepôt Tadamon",
        "contents": "Sommaire",
        "table": "Tableau",
        "definition": "Définition",
        "no_rows": "Aucune donnée.",
        "page": "Page",
        "legend": "Légende",
        "code": "code",
        "late": "en retard",
        "on_time": "à jour",
        "never": "jamais livré",
        "days_ago": "jours",
        "expected_every": "attendu tous les",
        "no_warning": "Aucun avertissement.",
        "definitions": "Définition des chiffres",
        "of": "sur",
        "colon": " : ",
        "comma": ", ",
    },
    "ar": {
        "scope": "النطاق",
        "whole_region": "الجهة بأكملها",
        "province": "الإقليم",
        "programme": "البرنامج",
        "as_of": "الوضعية بتاريخ",
        "all_known": "جميع المعطيات المتوفرة",
        "generated": "أنجز بتاريخ",
        "from_marts": "انطلاقا من الجداول المنشورة لمستودع معطيات تضامن",
        "contents": "المحتويات",
        "table": "جدول",
        "definition": "التعريف",
        "no_rows": "لا توجد معطيات.",
        "page": "الصفحة",
        "legend": "مفتاح الرسم",
        "code": "الرمز",
        "late": "متأخر",
        "on_time": "في الموعد",
        "never": "لم يسلم قط",
        "days_ago": "يوما",
        "expected_every": "متوقع كل",
        "no_warning": "لا توجد تنبيهات.",
        "definitions": "تعريف الأرقام",
        "of": "من",
        "colon": ": ",
        "comma": "، ",
    },
}

SECTIONS = {
    1: {"fr": "Chiffres clés", "ar": "الأرقام الرئيسية"},
    2: {"fr": "Par période du PDR et par axe", "ar": "حسب فترة برنامج التنمية الجهوية وحسب المحور"},
    3: {"fr": "Femmes et personnes en situation de handicap", "ar": "النساء والأشخاص في وضعية إعاقة"},
    4: {"fr": "Résultats et indicateurs d'impact", "ar": "النتائج ومؤشرات الأثر"},
    5: {"fr": "Renforcement des capacités et commercialisation", "ar": "تقوية القدرات والتسويق"},
    6: {"fr": "Annexe : les données", "ar": "ملحق: المعطيات"},
}

# Column headings, by column name (the same name means the same thing in every figure).
COLUMNS = {
    "organisations": ("Organisations", "الهيئات"),
    "organisations_supported": ("Dont appuyées", "منها المستفيدة من الدعم"),
    "cooperatives": ("Coopératives", "التعاونيات"),
    "associations": ("Associations", "الجمعيات"),
    "gies": ("GIE", "مجموعات النفع الاقتصادي"),
    "projects": ("Projets", "المشاريع"),
    "committed_mad": ("Engagé (MAD)", "الالتزامات (درهم)"),
    "disbursed_mad": ("Décaissé (MAD)", "المبالغ المصروفة (درهم)"),
    "disbursement_rate": ("Taux de décaissement", "نسبة الصرف"),
    "council_committed_mad": ("Part du Conseil (MAD)", "مساهمة المجلس (درهم)"),
    "year": ("Année", "السنة"),
    "value": ("Valeur", "القيمة"),
    "sessions": ("Sessions", "الأنشطة"),
    "participants": ("Participants", "المشاركون"),
    "women": ("Dont femmes", "منهم نساء"),
    "persons_with_disabilities": ("Dont en situation de handicap", "منهم في وضعية إعاقة"),
    "sales_mad": ("Ventes (MAD)", "المبيعات (درهم)"),
    "unit": ("Unité", "الوحدة"),
    "projects_completed": ("Projets achevés", "المشاريع المنجزة"),
    "achieved": ("Réalisé", "المنجز"),
    "their_target": ("Leur cible", "الهدف المحدد لها"),
    "achievement_rate": ("Taux de réalisation", "نسبة الإنجاز"),
    "projects_ongoing": ("Projets en cours", "المشاريع الجارية"),
    "pending_target": ("Cible en cours", "الأهداف الجارية"),
    "starts_on": ("Date", "التاريخ"),
    "session_id": ("Session", "النشاط"),
    "provider": ("Fournisseur", "المزود"),
    "source_name": ("Livraison", "الملف"),
    "file_name": ("Dernier fichier", "آخر ملف"),
    "received_at": ("Reçu le", "تاريخ التوصل"),
    "freshness": ("Fraîcheur", "الحداثة"),
    "rows_loaded": ("Lignes chargées", "الأسطر المحملة"),
    "rows_set_aside": ("Lignes écartées", "الأسطر المستبعدة"),
    "files_rejected": ("Fichiers rejetés", "الملفات المرفوضة"),
    "asset": ("Table", "الجدول"),
    "expectation": ("Règle", "القاعدة"),
    "severity": ("Gravité", "الدرجة"),
    "failing_row_count": ("Lignes concernées", "الأسطر المعنية"),
    "label": ("", ""),
}

# What each figure is, in words (shown under its table, and in the annex's list of definitions).
FIGURES = {
    "key_figures": (
        "Organisations : coopératives, associations et GIE connus (version en vigueur à la date de situation). "
        "Appuyées : porteuses d'un projet financé ou présentes à une session de la Chambre. "
        "Engagé : engagements de tous les financeurs ; décaissé : paiements ; taux = décaissé / engagé.",
        "الهيئات: التعاونيات والجمعيات ومجموعات النفع الاقتصادي المعروفة (الصيغة السارية في تاريخ الوضعية). "
        "المستفيدة من الدعم: الحاملة لمشروع ممول أو المشاركة في نشاط للغرفة. "
        "الالتزامات: التزامات جميع الممولين؛ المصروف: الأداءات؛ النسبة = المصروف / الملتزم به.",
    ),
    "organisations_by_type": (
        "Organisations par type, et celles que les programmes ont atteintes (projet financé ou session).",
        "الهيئات حسب النوع، والهيئات التي استفادت من البرامج (مشروع ممول أو نشاط).",
    ),
    "organisations_by_province": (
        "Organisations par province de leur version en vigueur, par type, et celles qui ont été appuyées.",
        "الهيئات حسب إقليم صيغتها السارية وحسب النوع، والهيئات المستفيدة من الدعم.",
    ),
    "funding_by_programme": (
        "Montants engagés et décaissés par programme (Mouazara, INDH), tous financeurs confondus.",
        "المبالغ الملتزم بها والمصروفة حسب البرنامج (مؤازرة، المبادرة الوطنية للتنمية البشرية)، لجميع الممولين.",
    ),
    "funding_by_funder": (
        "Montants engagés et décaissés par financeur : ministère, Conseil, INDH, partenaires, porteurs. "
        "Les marts ne contiennent que les décaissements du ministère et de l'INDH.",
        "المبالغ الملتزم بها والمصروفة حسب الممول: الوزارة، المجلس، المبادرة، الشركاء، حاملو المشاريع. "
        "لا تتضمن الجداول إلا أداءات الوزارة والمبادرة.",
    ),
    "funding_by_pdr_period": (
        "Chaque montant est rangé dans la période du PDR qui contient sa date (engagement : date de la "
        "convention ou de l'approbation ; décaissement : date du paiement ou période de livraison pour l'INDH).",
        "يصنف كل مبلغ في فترة برنامج التنمية الجهوية التي تشمل تاريخه (الالتزام: تاريخ الاتفاقية أو المصادقة؛ "
        "الصرف: تاريخ الأداء أو فترة التسليم بالنسبة للمبادرة).",
    ),
    "funding_by_axis": (
        "Montants par axe d'intervention de la stratégie ESS du Conseil.",
        "المبالغ حسب محور التدخل في استراتيجية المجلس للاقتصاد الاجتماعي والتضامني.",
    ),
    "council_cofinancing_by_year": (
        "Cofinancement engagé par le Conseil de la Région, par année de la convention.",
        "التمويل المشترك الذي التزم به مجلس الجهة، حسب سنة الاتفاقية.",
    ),
    "women_and_disability": (
        "Bénéficiaires des projets (dernière valeur connue de chaque projet), adhérentes des coopératives "
        "(dernier état du registre) et participants aux sessions de la Chambre.",
        "المستفيدون من المشاريع (آخر قيمة معروفة لكل مشروع)، والمنخرطات في التعاونيات (آخر وضعية للسجل) "
        "والمشاركون في أنشطة الغرفة.",
    ),
    "empowerment_programmes": (
        "Programmes complémentaires d'autonomisation économique des femmes et d'inclusion des personnes "
        "en situation de handicap : leurs projets et les sessions tenues sous ces programmes.",
        "البرامج التكميلية للتمكين الاقتصادي للنساء وإدماج الأشخاص في وضعية إعاقة: "
        "مشاريعها والأنشطة المنظمة في إطارها.",
    ),
    "outcomes_by_indicator": (
        "Dernière valeur connue de chaque projet : réalisée pour un projet achevé, cible sinon. "
        "Leur cible : la cible qu'avaient les projets achevés dans une livraison antérieure, quand les marts la "
        "conservent ; taux de réalisation = réalisé / leur cible.",
        "آخر قيمة معروفة لكل مشروع: منجزة بالنسبة للمشروع المنتهي، وهدف بالنسبة لغيره. "
        "الهدف المحدد لها: الهدف الذي كان للمشاريع المنجزة في تسليم سابق، متى احتفظت به الجداول؛ "
        "نسبة الإنجاز = المنجز / الهدف.",
    ),
    "sessions_by_type": (
        "Formations, rencontres et salons de la Chambre d'artisanat : "
        "organisations et participants, ventes aux salons.",
        "الدورات التكوينية واللقاءات والمعارض لغرفة الصناعة التقليدية: الهيئات والمشاركون والمبيعات في المعارض.",
    ),
    "largest_sessions": (
        "Les dix sessions qui ont réuni le plus d'organisations.",
        "الأنشطة العشرة التي جمعت أكبر عدد من الهيئات.",
    ),
    "deliveries": (
        "Dernier fichier reçu de chaque livraison (journal de chargement), lignes chargées et écartées "
        "(rejetées ou en double), et fraîcheur par rapport au rythme attendu du fournisseur.",
        "آخر ملف توصل به من كل تسليم (سجل التحميل)، والأسطر المحملة والمستبعدة (المرفوضة أو المكررة)، "
        "والحداثة مقارنة بالوتيرة المنتظرة من المزود.",
    ),
    "quality_warnings": (
        "Règles de qualité non respectées lors du dernier contrôle de chaque table.",
        "قواعد الجودة غير المحترمة خلال آخر مراقبة لكل جدول.",
    ),
}

FIGURE_TITLES = {
    "key_figures": ("L'essentiel", "أهم الأرقام"),
    "organisations_by_type": ("Organisations par type", "الهيئات حسب النوع"),
    "organisations_by_province": ("Organisations par province", "الهيئات حسب الإقليم"),
    "funding_by_programme": ("Financements par programme", "التمويلات حسب البرنامج"),
    "funding_by_funder": ("Financements par financeur", "التمويلات حسب الممول"),
    "funding_by_pdr_period": ("Financements par période du PDR", "التمويلات حسب فترة برنامج التنمية الجهوية"),
    "funding_by_axis": ("Financements par axe", "التمويلات حسب المحور"),
    "council_cofinancing_by_year": ("Cofinancement du Conseil par année", "التمويل المشترك للمجلس حسب السنة"),
    "women_and_disability": ("Femmes et personnes en situation de handicap", "النساء والأشخاص في وضعية إعاقة"),
    "empowerment_programmes": ("Programmes d'autonomisation et d'inclusion", "برامج التمكين والإدماج"),
    "outcomes_by_indicator": ("Indicateurs de résultats", "مؤشرات النتائج"),
    "sessions_by_type": ("Formations, rencontres et salons", "الدورات التكوينية واللقاءات والمعارض"),
    "largest_sessions": ("Les sessions les plus suivies", "الأنشطة الأكثر حضورا"),
    "deliveries": ("Livraisons des fournisseurs", "تسليمات المزودين"),
    "quality_warnings": ("Avertissements de qualité", "تنبيهات الجودة"),
}

KEY_FIGURES = {
    "organisations": ("organisations connues", "هيئة معروفة"),
    "organisations_supported": ("organisations appuyées", "هيئة مستفيدة من الدعم"),
    "projects": ("projets financés", "مشروعا ممولا"),
    "committed_mad": ("MAD engagés", "درهم ملتزم بها"),
    "disbursed_mad": ("MAD décaissés", "درهم مصروفة"),
    "disbursement_rate": ("taux de décaissement", "نسبة الصرف"),
}
