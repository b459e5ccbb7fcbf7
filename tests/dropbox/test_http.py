"""The drop box over HTTP (uvicorn on a free port): the dry run and the confirmation, and what it
refuses: another provider's deliveries, posts without a CSRF token, oversized and wrongly named files,
interrupted uploads, wrong passwords."""

from __future__ import annotations

import html
import io
import socket

import sqlalchemy as sa

from orchestration.cli import main
from orchestration.dropbox.accounts import add_user
from orchestration.dropbox.config import MAX_FAILED_SIGN_INS
from orchestration.ingest.stored_files import file_sha256
from orchestration.scaffold.check import check_file
from orchestration.warehouse import engine
from tests.dropbox.conftest import PASSWORD, TEST_LIMIT, csrf_of, poll, sample


def delivery_id_of(response) -> int:
    assert "/livraisons/" in response.url, (response.status_code, response.text[:500])
    return int(response.url.rsplit("/", 1)[1])


def test_an_upload_is_checked_as_source_check_would_then_confirmed_into_incoming(site):
    http = site.client("amina@wilaya")
    path = sample("wilaya", "wilaya_indh_agr")
    response = site.upload(http, path)
    assert response.status_code == 200
    delivery_id = delivery_id_of(response)
    expected = check_file("wilaya", path)
    assert expected.status == "would_load" and expected.rows_rejected > 0  # the sample has bad lines
    page = response.text
    assert "serait chargé" in page
    for field in ("rows_read", "rows_loaded", "rows_rejected", "rows_duplicate"):
        counted = getattr(expected, field)
        ident = "check-" + field.replace("_", "-")
        assert f'id="{ident}">{counted}<' in page, (field, counted)
    for line, _, _ in expected.set_aside[:5]:
        assert f"<td>{line}</td>" in page
    assert "raw.wilaya__indh_agr" in page
    # nothing is in incoming/ before the confirmation; the upload waits in pending/
    incoming = site.settings.incoming_dir / "wilaya"
    assert site.files(incoming) == []

    confirmed = http.post(f"{site.base}/livraisons/{delivery_id}/confirmer", data={"csrf": csrf_of(page)})
    assert confirmed.status_code == 200
    assert "envoyé, en attente du chargement" in confirmed.text
    assert site.files(incoming) == [path.name]
    assert file_sha256(incoming / path.name) == file_sha256(path)
    assert site.files(site.ctx.pending_dir) == []
    events = site.query(
        """select kind, client_addr, sha256, file_name from audit.dropbox_event
                           where delivery_id = :d order by event_id""",
        d=delivery_id,
    )
    assert [(e.kind, e.client_addr, e.sha256) for e in events] == [
        ("upload_checked", "127.0.0.1", file_sha256(path)),
        ("delivery_confirmed", "127.0.0.1", file_sha256(path)),
    ]
    signed_in = site.query(
        "select client_addr from audit.dropbox_event where kind = 'sign_in' and login = 'amina@wilaya'"
    )
    assert signed_in and signed_in[0].client_addr == "127.0.0.1"
    # confirming twice does nothing more
    again = http.post(f"{site.base}/livraisons/{delivery_id}/confirmer", data={"csrf": csrf_of(page)})
    assert "ne peut plus être confirmée" in again.text
    assert site.files(incoming) == [path.name]
    (incoming / path.name).unlink()


def test_a_name_already_waiting_gets_a_new_name_and_is_never_overwritten(site):
    http = site.client("amina@wilaya")
    path = sample("wilaya", "wilaya_jamiyat")
    incoming = site.settings.incoming_dir / "wilaya"
    incoming.mkdir(parents=True, exist_ok=True)
    (incoming / path.name).write_bytes(b"the file already waiting")
    response = site.upload(http, path)
    delivery_id = delivery_id_of(response)
    confirmed = http.post(f"{site.base}/livraisons/{delivery_id}/confirmer", data={"csrf": csrf_of(response.text)})
    new_name = path.name.replace(".csv", " (1).csv")
    assert new_name in confirmed.text
    assert (incoming / path.name).read_bytes() == b"the file already waiting"
    assert file_sha256(incoming / new_name) == file_sha256(path)
    assert [p.name for p in incoming.iterdir() if p.name.startswith(".")] == []
    for name in (path.name, new_name):
        (incoming / name).unlink()


def test_another_providers_delivery_is_unreachable(site):
    wilaya = site.client("amina@wilaya")
    response = site.upload(wilaya, sample("wilaya", "wilaya_jamiyat"))
    delivery_id = delivery_id_of(response)
    chambre = site.client("karim@chambre")
    csrf = csrf_of(chambre.get(f"{site.base}/envoyer").text)
    assert chambre.get(f"{site.base}/livraisons/{delivery_id}").status_code == 404
    assert chambre.get(f"{site.base}/livraisons/{delivery_id}/accuse.txt").status_code == 404
    for action in ("confirmer", "annuler"):
        refused = chambre.post(f"{site.base}/livraisons/{delivery_id}/{action}", data={"csrf": csrf})
        assert refused.status_code == 404
    listing = chambre.get(f"{site.base}/livraisons")
    assert "wilaya_jamiyat" not in listing.text and "Aucune livraison" in listing.text
    assert "wilaya_jamiyat" in wilaya.get(f"{site.base}/livraisons").text
    # still waiting for its own provider's confirmation
    own = wilaya.get(f"{site.base}/livraisons/{delivery_id}").text
    assert "en attente de votre confirmation" in own
    assert site.files(site.settings.incoming_dir) == []
    cancelled = wilaya.post(f"{site.base}/livraisons/{delivery_id}/annuler", data={"csrf": csrf_of(own)})
    assert 'id="stage" class="stage-cancelled">annulé<' in cancelled.text
    assert site.files(site.ctx.pending_dir) == [] and site.files(site.settings.incoming_dir) == []


def test_posts_without_the_csrf_token_are_refused(site):
    http = site.client("amina@wilaya")
    path = sample("wilaya", "wilaya_jamiyat")
    for csrf in (None, "forged"):
        refused = site.upload(http, path, csrf=csrf)
        assert refused.status_code == 403 and "Formulaire expiré ou invalide" in refused.text
    assert site.files(site.ctx.pending_dir) == []
    delivery_id = delivery_id_of(site.upload(http, path))
    for data in ({}, {"csrf": "forged"}):
        refused = http.post(f"{site.base}/livraisons/{delivery_id}/confirmer", data=data)
        assert refused.status_code == 403
    assert site.files(site.settings.incoming_dir) == []
    assert (
        site.query("select confirmed_at from audit.dropbox_delivery where delivery_id = :d", d=delivery_id)[
            0
        ].confirmed_at
        is None
    )
    http.post(
        f"{site.base}/livraisons/{delivery_id}/annuler", data={"csrf": csrf_of(http.get(f"{site.base}/envoyer").text)}
    )
    # signing in and out need the token too; an upload needs a session before anything is read
    anonymous = site.client()
    assert site.upload(anonymous, path, csrf="forged").url.endswith("/connexion")
    assert site.files(site.ctx.pending_dir) == []
    anonymous.get(f"{site.base}/connexion")
    refused = anonymous.post(f"{site.base}/connexion", data={"login": "amina@wilaya", "password": PASSWORD})
    assert refused.status_code == 403 and "tadamon_session" not in anonymous.cookies
    assert http.post(f"{site.base}/deconnexion", data={}).status_code == 403
    assert http.get(f"{site.base}/envoyer").url.endswith("/envoyer")  # still signed in


def test_oversized_and_wrongly_named_files_are_refused_with_a_clear_message(site):
    http = site.client("amina@wilaya")
    big = site.upload(http, sample("wilaya", "wilaya_jamiyat"), content=b"x" * (TEST_LIMIT + 1))
    assert big.status_code == 413
    assert "Fichier refusé : il dépasse la taille maximale de 1 Mo." in big.text
    wrong = site.upload(http, sample("wilaya", "wilaya_jamiyat"), name="associations octobre.csv")
    assert wrong.status_code == 400
    assert "« associations octobre.csv » n'est pas un nom de fichier attendu de wilaya" in html.unescape(wrong.text)
    assert "wilaya_jamiyat_AAAAMM.csv" in wrong.text  # the expected names are listed
    ministere = site.client("salma@ministere")  # a wilaya file is not a ministry file either
    assert site.upload(ministere, sample("wilaya", "wilaya_jamiyat")).status_code == 400
    assert site.files(site.ctx.pending_dir) == [] and site.files(site.settings.incoming_dir) == []
    refusals = [r.detail for r in site.query("select detail from audit.dropbox_event where kind = 'upload_refused'")]
    assert "upload_too_large" in refusals and "upload_unknown_name" in refusals


def test_an_unreadable_file_is_checked_and_cannot_be_confirmed(site):
    http = site.client("karim@chambre")
    response = site.upload(http, sample("chambre", "chambre_adherents"), content=b'{"adherents": [ {"broken"')
    delivery_id = delivery_id_of(response)
    assert "serait rejeté" in response.text and "JSON illisible" in response.text
    assert 'id="confirm"' not in response.text
    refused = http.post(f"{site.base}/livraisons/{delivery_id}/confirmer", data={"csrf": csrf_of(response.text)})
    assert "ne peut plus être confirmée" in refused.text
    assert site.files(site.settings.incoming_dir) == [] and site.files(site.ctx.pending_dir) == []


def test_an_interrupted_upload_leaves_nothing_behind(site):
    http = site.client("amina@wilaya")
    csrf = csrf_of(http.get(f"{site.base}/envoyer").text)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    path = sample("wilaya", "wilaya_jamiyat")
    boundary = "tadamonboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    half = path.read_bytes()[: path.stat().st_size // 2]
    host, port = site.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(
            (
                f"POST /envoyer HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(head) + path.stat().st_size + 100}\r\n\r\n"
            ).encode()
            + head
            + half
        )
        poll(lambda: site.files(site.ctx.pending_dir), "the upload to start being written")
    poll(
        lambda: site.query(
            "select 1 from audit.dropbox_event where kind = 'upload_refused' and detail = 'upload interrupted'"
        ),
        "the interrupted upload to be recorded",
    )
    assert site.files(site.ctx.pending_dir) == []
    assert site.files(site.settings.incoming_dir) == []
    assert not site.query(
        "select 1 from audit.dropbox_delivery where file_name = :f and size_bytes < :s",
        f=path.name,
        s=path.stat().st_size,
    )
    # a body that ends, complete by its length, before the form's closing boundary: a truncated file
    truncated = http.post(
        f"{site.base}/envoyer", data=head + half, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert truncated.status_code == 400 and "Envoi incomplet" in truncated.text
    assert site.files(site.ctx.pending_dir) == [] and site.files(site.settings.incoming_dir) == []


def test_ten_wrong_passwords_lock_the_account_for_a_while(site):
    add_user(site.url, "omar@wilaya", "wilaya", PASSWORD, {"wilaya"})
    http = site.client()
    for attempt in range(1, MAX_FAILED_SIGN_INS):
        wrong = site.sign_in(http, "omar@wilaya", f"wrong password {attempt}")
        assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect." in wrong.text
    locked = site.sign_in(http, "omar@wilaya", "wrong password 10")
    assert locked.status_code == 429
    assert "ce compte est verrouillé pendant 15 minutes" in locked.text
    still = site.sign_in(http, "omar@wilaya", PASSWORD)  # the right password waits for the lock to end
    assert still.status_code == 429 and "tadamon_session" not in http.cookies
    kinds = [r.kind for r in site.query("select kind from audit.dropbox_event where login = 'omar@wilaya'")]
    assert kinds.count("sign_in_failed") == MAX_FAILED_SIGN_INS and kinds.count("account_locked") == 1
    assert kinds.count("sign_in_locked") == 1 and "sign_in" not in kinds
    unknown = site.sign_in(http, "Tr0ub4dor&3", PASSWORD)  # a password typed in the login field
    assert unknown.status_code == 401 and "Identifiant ou mot de passe incorrect." in unknown.text
    assert not site.query(
        "select 1 from audit.dropbox_event where login ilike '%tr0ub4dor%' or detail ilike '%tr0ub4dor%'"
    )
    assert site.query(
        "select 1 from audit.dropbox_event where kind = 'sign_in_failed' and login is null "
        "and detail = 'unknown login' and client_addr = '127.0.0.1'"
    )
    with engine(site.url).begin() as conn:  # the lock's time has passed
        conn.execute(
            sa.text(
                "update audit.dropbox_user set locked_until = now() - interval '1 second' where login = 'omar@wilaya'"
            )
        )
    assert site.sign_in(http, "omar@wilaya", PASSWORD).url.endswith("/envoyer")


def test_sessions_expire(site):
    http = site.client("salma@ministere")
    assert http.get(f"{site.base}/livraisons").url.endswith("/livraisons")
    with engine(site.url).begin() as conn:
        conn.execute(
            sa.text("""update audit.dropbox_session set expires_at = now() - interval '1 second'
                    where user_id = (select user_id from audit.dropbox_user where login = 'salma@ministere')""")
        )
    assert http.get(f"{site.base}/livraisons").url.endswith("/connexion")
    http = site.client("salma@ministere")  # in use, but signed in long ago
    with engine(site.url).begin() as conn:
        conn.execute(
            sa.text("""update audit.dropbox_session set created_at = now() - interval '13 hours'
                    where user_id = (select user_id from audit.dropbox_user where login = 'salma@ministere')""")
        )
    assert http.get(f"{site.base}/livraisons").url.endswith("/connexion")


def test_user_commands_add_list_and_disable_accounts(site, monkeypatch, capsys):
    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", site.url)
    monkeypatch.setenv("TADAMON_DATA_DIR", str(site.settings.data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["dropbox", "user", "add", "Nadia@Chambre", "--provider", "chambre", "--password-stdin"]) == 0
    assert "account nadia@chambre added for chambre" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["dropbox", "user", "add", "nadia@chambre", "--provider", "chambre", "--password-stdin"]) == 2
    assert "exists already" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["dropbox", "user", "add", "x@elsewhere", "--provider", "douane", "--password-stdin"]) == 2
    assert "unknown provider 'douane'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["dropbox", "user", "add", "y@chambre", "--provider", "chambre", "--password-stdin"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err

    http = site.client("nadia@chambre", "a long enough password")
    assert main(["dropbox", "user", "list"]) == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert listed[[row[0] for row in listed].index("nadia@chambre")][:3] == ["nadia@chambre", "chambre", "active"]
    assert main(["dropbox", "user", "disable", "nadia@chambre"]) == 0
    assert http.get(f"{site.base}/livraisons").url.endswith("/connexion")  # its session ended
    assert site.sign_in(site.client(), "nadia@chambre", "a long enough password").status_code == 401
    assert main(["dropbox", "user", "list"]) == 0
    assert any(
        line.split()[:3] == ["nadia@chambre", "chambre", "disabled"] for line in capsys.readouterr().out.splitlines()
    )


def test_pages_are_french_or_arabic_right_to_left_with_security_headers(site):
    http = site.client()
    page = http.get(f"{site.base}/connexion")
    assert '<html lang="fr" dir="ltr">' in page.text and "Se connecter" in page.text
    headers = page.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    arabic = http.get(f"{site.base}/langue/ar?suite=/connexion")
    assert arabic.url.endswith("/connexion")
    assert '<html lang="ar" dir="rtl">' in arabic.text and "تسجيل الدخول" in arabic.text
    # the language switch only goes back to this site
    assert http.get(f"{site.base}/langue/fr?suite=//evil.example/x", allow_redirects=False).headers["location"] == "/"


def test_each_delivery_shows_the_loaders_status_and_its_own_receipt(site):
    """Landed by the loader's own function (what the nightly job and the sensors' jobs run first):
    the same bytes sent twice are loaded once, and each delivery finds the receipt of that load."""
    from orchestration.ingest.landing import Lander

    http = site.client("karim@chambre")
    path = sample("chambre", "chambre_formations")
    ids = []
    for _ in range(2):
        response = site.upload(http, path)
        ids.append(delivery_id_of(response))
        http.post(f"{site.base}/livraisons/{ids[-1]}/confirmer", data={"csrf": csrf_of(response.text)})
        outcomes = Lander(site.settings, site.url).land_pending(("chambre",))
        assert [o.file_name for o in outcomes] == [path.name]
    first, second = (http.get(f"{site.base}/livraisons/{i}").text for i in ids)
    for page in (first, second):  # the second one's bytes were loaded already: it shows that load
        assert 'class="stage-loaded">chargé<' in page and 'id="receipt-rows-loaded">31<' in page
    receipt = http.get(f"{site.base}/livraisons/{ids[1]}/accuse.txt")
    assert receipt.status_code == 200 and f"Accusé de réception — chambre — {path.name}" in receipt.text
    listing = http.get(f"{site.base}/livraisons").text
    assert listing.count("stage-loaded") == 2


def test_tadamon_dropbox_serves_on_127_0_0_1_by_default(site, monkeypatch, capsys):
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", site.url)
    site.settings.data_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TADAMON_DATA_DIR", str(site.settings.data_dir))
    monkeypatch.delenv("TADAMON_DROPBOX_HOST", raising=False)
    monkeypatch.delenv("TADAMON_DROPBOX_PORT", raising=False)
    assert main(["dropbox"]) == 0
    assert (served["host"], served["port"]) == ("127.0.0.1", 8040) and served["proxy_headers"]
    assert "drop box on http://127.0.0.1:8040" in capsys.readouterr().out
    assert main(["dropbox", "--host", "0.0.0.0", "--port", "8443"]) == 0
    assert (served["host"], served["port"]) == ("0.0.0.0", 8443)
    assert "behind a reverse proxy with TLS" in capsys.readouterr().out
