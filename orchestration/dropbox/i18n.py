"""Every text of the drop box's pages, in French and Arabic (the providers' languages); Arabic pages
are written right to left. The loader's own reasons (set-aside lines, rejected files) stay in French,
as in the receipts."""

from __future__ import annotations

LANGUAGES = {"fr": {"name": "Français", "dir": "ltr"}, "ar": {"name": "العربية", "dir": "rtl"}}
DEFAULT = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"fr": "Tadamon — dépôt des livraisons", "ar": "تضامن — إيداع الملفات"},
    "council": {"fr": "Conseil de la Région Fès-Meknès", "ar": "مجلس جهة فاس مكناس"},
    "sign_in": {"fr": "Se connecter", "ar": "تسجيل الدخول"},
    "sign_out": {"fr": "Se déconnecter", "ar": "تسجيل الخروج"},
    "login": {"fr": "Identifiant", "ar": "اسم المستخدم"},
    "password": {"fr": "Mot de passe", "ar": "كلمة المرور"},
    "signed_in_as": {"fr": "Connecté : {login} ({provider})", "ar": "متصل: {login} ({provider})"},
    "refusal_invalid": {"fr": "Identifiant ou mot de passe incorrect.", "ar": "اسم المستخدم أو كلمة المرور غير صحيحة."},
    "refusal_locked": {
        "fr": "Trop de mots de passe erronés : ce compte est verrouillé pendant {minutes} minutes.",
        "ar": "عدد كبير من كلمات المرور الخاطئة: هذا الحساب مقفل لمدة {minutes} دقيقة.",
    },
    "refusal_address_locked": {
        "fr": "Trop d'essais de connexion depuis cette adresse : réessayez dans {minutes} minutes.",
        "ar": "محاولات دخول كثيرة من هذا العنوان: أعد المحاولة بعد {minutes} دقيقة.",
    },
    "nav_upload": {"fr": "Envoyer un fichier", "ar": "إرسال ملف"},
    "nav_deliveries": {"fr": "Mes livraisons", "ar": "ملفاتي المرسلة"},
    "upload_heading": {"fr": "Envoyer une livraison", "ar": "إرسال ملف"},
    "upload_intro": {
        "fr": "Le fichier est vérifié tout de suite, comme le fera le chargement de la nuit : vous verrez ce qui "
        "serait chargé et ce qui serait écarté, avant de confirmer l'envoi.",
        "ar": "يتم فحص الملف فورًا كما سيفعل التحميل الليلي: سترى ما سيتم تحميله وما سيتم استبعاده قبل تأكيد الإرسال.",
    },
    "upload_expected": {"fr": "Fichiers attendus de {provider} :", "ar": "الملفات المنتظرة من {provider}:"},
    "upload_limit": {"fr": "Taille maximale : {limit_mb} Mo.", "ar": "الحجم الأقصى: {limit_mb} ميغابايت."},
    "upload_file": {"fr": "Fichier", "ar": "الملف"},
    "upload_submit": {"fr": "Vérifier le fichier", "ar": "فحص الملف"},
    "upload_too_large": {
        "fr": "Fichier refusé : il dépasse la taille maximale de {limit_mb} Mo.",
        "ar": "تم رفض الملف: حجمه يتجاوز الحد الأقصى البالغ {limit_mb} ميغابايت.",
    },
    "upload_unknown_name": {
        "fr": "Fichier refusé : « {name} » n'est pas un nom de fichier attendu de {provider} (voir les noms attendus "
        "ci-dessous). Renommez-le comme convenu et envoyez-le de nouveau.",
        "ar": "تم رفض الملف: «{name}» ليس اسم ملف منتظرًا من {provider} (انظر الأسماء المنتظرة أدناه). "
        "أعد تسميته كما هو متفق عليه وأرسله من جديد.",
    },
    "upload_bad_name": {
        "fr": "Fichier refusé : son nom est vide ou illisible.",
        "ar": "تم رفض الملف: اسمه فارغ أو غير مقروء.",
    },
    "upload_no_file": {"fr": "Choisissez un fichier à envoyer.", "ar": "اختر ملفًا لإرساله."},
    "upload_empty": {"fr": "Fichier refusé : il est vide.", "ar": "تم رفض الملف: إنه فارغ."},
    "upload_one_file": {"fr": "Envoyez un seul fichier à la fois.", "ar": "أرسل ملفًا واحدًا في كل مرة."},
    "upload_incomplete": {
        "fr": "Envoi incomplet : le fichier n'est pas arrivé en entier. Envoyez-le de nouveau.",
        "ar": "إرسال غير مكتمل: لم يصل الملف كاملًا. أرسله من جديد.",
    },
    "upload_not_a_form": {
        "fr": "Envoi illisible : utilisez le formulaire.",
        "ar": "إرسال غير مقروء: استعمل الاستمارة.",
    },
    "csrf": {
        "fr": "Formulaire expiré ou invalide : rechargez la page et recommencez.",
        "ar": "الاستمارة منتهية الصلاحية أو غير صالحة: أعد تحميل الصفحة وحاول مجددًا.",
    },
    "not_found": {"fr": "Page introuvable.", "ar": "الصفحة غير موجودة."},
    "not_confirmable": {
        "fr": "Cette livraison ne peut plus être confirmée.",
        "ar": "لم يعد من الممكن تأكيد هذا الإرسال.",
    },
    "check_heading": {"fr": "Vérification avant chargement", "ar": "الفحص قبل التحميل"},
    "check_nothing_written": {
        "fr": "Rien n'est encore écrit dans l'entrepôt.",
        "ar": "لم يُكتب أي شيء بعد في المستودع.",
    },
    "file": {"fr": "Fichier", "ar": "الملف"},
    "sha256": {"fr": "Empreinte SHA-256", "ar": "البصمة SHA-256"},
    "size": {"fr": "Taille", "ar": "الحجم"},
    "bytes": {"fr": "{size} octets", "ar": "{size} بايت"},
    "uploaded_at": {"fr": "Envoyé le", "ar": "تاريخ الإرسال"},
    "uploaded_by": {"fr": "Par", "ar": "بواسطة"},
    "table": {"fr": "Table", "ar": "الجدول"},
    "period": {"fr": "Période", "ar": "الفترة"},
    "encoding": {"fr": "Encodage", "ar": "الترميز"},
    "status": {"fr": "Statut", "ar": "الحالة"},
    "reason": {"fr": "Motif", "ar": "السبب"},
    "line": {"fr": "Ligne", "ar": "السطر"},
    "kind": {"fr": "Nature", "ar": "النوع"},
    "kind_rejected": {"fr": "écartée", "ar": "مستبعد"},
    "kind_duplicate": {"fr": "en double", "ar": "مكرر"},
    "would_load": {"fr": "serait chargé", "ar": "سيتم تحميله"},
    "would_reject": {"fr": "serait rejeté : le fichier ne peut pas être lu", "ar": "سيتم رفضه: لا يمكن قراءة الملف"},
    "no_definition": {"fr": "nom de fichier non reconnu", "ar": "اسم الملف غير معروف"},
    "definition_error": {"fr": "définition invalide (prévenez le Conseil)", "ar": "تعريف غير صالح (أخبروا المجلس)"},
    "upload_expected_hint": {
        "fr": "La date dans le nom est celle de la période livrée ({legend}).",
        "ar": "التاريخ في الاسم هو تاريخ الفترة المرسلة ({legend}).",
    },
    "rows_read": {"fr": "Lignes de données lues", "ar": "أسطر البيانات المقروءة"},
    "rows_would_load": {"fr": "Lignes qui seraient chargées", "ar": "الأسطر التي سيتم تحميلها"},
    "rows_would_reject": {"fr": "Lignes qui seraient écartées", "ar": "الأسطر التي سيتم استبعادها"},
    "rows_loaded": {"fr": "Lignes chargées", "ar": "الأسطر المحملة"},
    "rows_rejected": {"fr": "Lignes écartées", "ar": "الأسطر المستبعدة"},
    "rows_duplicate": {"fr": "Lignes en double", "ar": "الأسطر المكررة"},
    "extra_columns": {"fr": "Colonnes non prévues, conservées telles quelles", "ar": "أعمدة غير متوقعة، محفوظة كما هي"},
    "missing_columns": {"fr": "Colonnes facultatives absentes", "ar": "أعمدة اختيارية غائبة"},
    "set_aside_heading": {"fr": "Détail des lignes écartées ou en double", "ar": "تفاصيل الأسطر المستبعدة أو المكررة"},
    "set_aside_more": {
        "fr": "… et {count} autres lignes (voir l'accusé de réception complet).",
        "ar": "… و{count} أسطر أخرى (انظر وصل الاستلام الكامل).",
    },
    "confirm": {"fr": "Confirmer l'envoi", "ar": "تأكيد الإرسال"},
    "cancel": {"fr": "Annuler", "ar": "إلغاء"},
    "confirm_hint": {
        "fr": "Le fichier sera chargé au prochain chargement (la nuit, ou dans la minute si le capteur tourne).",
        "ar": "سيتم تحميل الملف في التحميل القادم (ليلًا، أو خلال دقيقة إذا كان المستشعر يعمل).",
    },
    "fix_and_resend": {"fr": "Corrigez le fichier et envoyez-le de nouveau.", "ar": "صحح الملف وأرسله من جديد."},
    "stage": {"fr": "État", "ar": "الوضعية"},
    "stage_checked": {"fr": "vérifié, en attente de votre confirmation", "ar": "تم فحصه، في انتظار تأكيدك"},
    "stage_refused": {"fr": "refusé à la vérification", "ar": "مرفوض عند الفحص"},
    "stage_cancelled": {"fr": "annulé", "ar": "ملغى"},
    "stage_waiting": {"fr": "envoyé, en attente du chargement", "ar": "تم الإرسال، في انتظار التحميل"},
    "stage_loaded": {"fr": "chargé", "ar": "تم تحميله"},
    "stage_duplicate": {
        "fr": "doublon d'un fichier déjà reçu, non rechargé",
        "ar": "نسخة مكررة من ملف سبق استلامه، لم يُعد تحميله",
    },
    "stage_rejected": {"fr": "rejeté, conservé en quarantaine", "ar": "مرفوض، محفوظ في الحجر"},
    "stage_superseded": {
        "fr": "chargé, puis remplacé (envoi corrigé de la même période, ou rechargement)",
        "ar": "تم تحميله ثم استبداله (إرسال مصحح لنفس الفترة أو إعادة تحميل)",
    },
    "delivered_as": {"fr": "Déposé sous le nom", "ar": "أودع تحت اسم"},
    "receipt_heading": {"fr": "Accusé de réception", "ar": "وصل الاستلام"},
    "receipt_download": {"fr": "Télécharger l'accusé de réception (texte)", "ar": "تنزيل وصل الاستلام (نص)"},
    "receipt_not_yet": {
        "fr": "L'accusé de réception paraîtra ici une fois le fichier chargé.",
        "ar": "سيظهر وصل الاستلام هنا بعد تحميل الملف.",
    },
    "findings": {"fr": "Contrôles de qualité (avertissements)", "ar": "مراقبة الجودة (تنبيهات)"},
    "deliveries_heading": {"fr": "Livraisons de {provider}", "ar": "ملفات {provider} المرسلة"},
    "deliveries_none": {"fr": "Aucune livraison pour l'instant.", "ar": "لا توجد ملفات مرسلة حتى الآن."},
    "details": {"fr": "Détails", "ar": "التفاصيل"},
}


PROVIDERS = {
    "ministere": {
        "fr": "Ministère du Tourisme, de l'Artisanat et de l'ESS",
        "ar": "وزارة السياحة والصناعة التقليدية والاقتصاد الاجتماعي والتضامني",
    },
    "wilaya": {"fr": "Wilaya de la région Fès-Meknès", "ar": "ولاية جهة فاس مكناس"},
    "chambre": {"fr": "Chambre d'artisanat de Fès-Meknès", "ar": "غرفة الصناعة التقليدية لجهة فاس مكناس"},
}


def provider_name(provider: str, lang: str) -> str:
    """A provider's name as its staff read it; the folder name for a provider added since."""
    return PROVIDERS.get(provider, {}).get(lang, provider)


def translator(lang: str):
    lang = lang if lang in LANGUAGES else DEFAULT

    def t(key: str, **params) -> str:
        text = MESSAGES[key][lang]
        return text.format(**params) if params else text

    return t
