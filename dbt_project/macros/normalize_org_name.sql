{#-
    Matching key of an organisation name. script='latin' keeps only Latin letters and digits,
    script='arabic' only Arabic letters and digits: match the two keys separately.

    Steps: lower case; Latin accents stripped; Arabic tatweel (U+0640) and diacritics
    (U+064B-U+065F, U+0670) removed; أ إ آ ٱ -> ا, ة -> ه, ى -> ي, ؤ -> و, ئ -> ي; Arabic-Indic
    digits -> ASCII; punctuation removed; legal-form words dropped (coopérative, coop, association,
    assoc, gie, تعاونية, جمعية, مجموعة ذات النفع الاقتصادي); Latin articles glued to the next word and
    spelled 'al' ('El Amal', 'Al Amal', 'Alamal' -> 'alamal'; 'As Salam', 'Essalam', 'Assalam' ->
    'alsalam'); spaces collapsed. NULL when nothing is left.
-#}
{% macro normalize_org_name(name, script=none) -%}
    {%- set letters = "a-z0-9\\u0621-\\u064A\\u066E-\\u06D3" if script is none
        else ("a-z0-9" if script == 'latin' else "0-9\\u0621-\\u064A\\u066E-\\u06D3") -%}
    nullif(trim(
        regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            ' ' || translate(
                lower({{ name }}),
                'àáâãäåāçèéêëēìíîïīñòóôõöōùúûüūýÿÀÁÂÃÄÅĀÇÈÉÊËĒÌÍÎÏĪÑÒÓÔÕÖŌÙÚÛÜŪÝŸ'
                    || U&'\0623\0625\0622\0671\0629\0649\0624\0626'
                    || U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9'
                    || U&'\0640\064B\064C\064D\064E\064F\0650\0651\0652\0653\0654\0655\0656\0657\0658\0659\065A\065B\065C\065D\065E\065F\0670',
                'aaaaaaaceeeeeiiiiinoooooouuuuuyyaaaaaaaceeeeeiiiiinoooooouuuuuyy'
                    || U&'\0627\0627\0627\0627\0647\064A\0648\064A'
                    || '01234567890123456789'
            ) || ' ',
            -- punctuation, symbols and the other script become spaces
            '[^{{ letters }}]+', ' ', 'g'),
            -- legal-form words
            ' (?:cooperative|cooperatives|coop|association|assoc|gie|تعاونيه|تعاونيات|جمعيه|مجموعه ذات النفع الاقتصادي)(?= )', ' ', 'g'),
            -- an article written apart: 'el amal', 'es salam', 'ach chifa' -> 'alamal', 'alsalam', 'alchifa'
            ' (?:al|el|as|es|ad|an|ar|at|ach|ech|er|ez|az) (?=[a-z])', ' al', 'g'),
            -- an article glued and assimilated: 'essalam', 'annour', 'ezzitoune', 'elamal' -> 'alsalam', 'alnour', 'alzitoune', 'alamal'
            ' (?:[ae]([sdnrtz])\1|el(?=[a-z]))', ' al\1', 'g'),
            '\s+', ' ', 'g')
    ), '')
{%- endmacro %}


{#- Matching key of a place name (commune, province): the organisation-name key without spaces, so
    'Aïn Bida', 'AIN BIDA' and 'Ain-Bida' agree, and so do 'عين بيضاء' and 'عين  بيضاء'. -#}
{% macro normalize_place_name(name) -%}
    nullif(replace({{ normalize_org_name(name) }}, ' ', ''), '')
{%- endmacro %}


{#- Consonant skeleton of the distinctive word of a normalised name key (its first word, article
    removed), comparable across scripts: 'alfajr' and 'الفجر' both give 'fjr', 'alwahda' and
    'الوحده' give 'hd', 'nassim' and 'النسيم' give 'nsm'. Short vowels, long vowels (ا و ي), ع and
    hamza are dropped, doubled consonants collapsed, a final ه (from ة) dropped.
    A name that starts with a douar or a tribe ('Douar Tazirout', 'دوار تازيروت', 'Aït Ouallal',
    'آيت والال', 'Ouled Ali') is known by the word after it: the skeleton of 'douar' alone put half
    of the associations of a province in one block of candidates, pairs growing with its square. -#}
{% macro name_skeleton(name_key, script) -%}
    {%- set first_word = "split_part(regexp_replace(" ~ name_key ~ ", '^(?:" ~ name_place_words(script) ~ ") (?=.)', ''), ' ', 1)" -%}
    {%- if script == 'latin' -%}
    nullif(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(regexp_replace(regexp_replace(
            regexp_replace({{ first_word }}, '^al(?=..)', ''),
            'kh', 'k', 'g'), 'gh', 'g', 'g'), '(ch|sh)', 's', 'g'), 'th', 't', 'g'), 'dh', 'd', 'g'),
            '(ck|q|c)', 'k', 'g'), 'x', 'ks', 'g'),
            '[aeiouyw]', '', 'g'),
            '(.)\1+', '\1', 'g'), '')
    {%- else -%}
    nullif(regexp_replace(
        translate(
            regexp_replace(regexp_replace({{ first_word }}, '^ال(?=..)', ''), '(?<=..)ه$', ''),
            'بتثجحخدذرزسشصضطظغفقكلمنهڭڤپ' || 'عويءا',
            'bttjhkddrzsssdtzgfkklmnhgfb'
        ),
        '(.)\1+', '\1', 'g'), '')
    {%- endif -%}
{%- endmacro %}


{#- The words before a douar's or a tribe's name, as normalize_org_name writes them. -#}
{% macro name_place_words(script) -%}
    {{- 'douar|ait|ayt|ouled|oulad' if script == 'latin' else 'دوار|ايت|اولاد' -}}
{%- endmacro %}
