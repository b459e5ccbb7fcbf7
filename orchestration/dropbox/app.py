"""The drop box's web application (Starlette, pages rendered on the server by Jinja2 with autoescape).

Routes are in French, like the pages' default language. Every form carries a CSRF token: the
session's own once signed in, a cookie's twin on the sign-in form. Cookies are HttpOnly and
SameSite=Strict (Secure with TADAMON_DROPBOX_SECURE_COOKIES=1, behind TLS)."""

from __future__ import annotations

import hmac
import os
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from orchestration.dropbox import accounts, deliveries, uploads
from orchestration.dropbox.accounts import Session
from orchestration.dropbox.config import DropboxConfig
from orchestration.dropbox.i18n import DEFAULT, LANGUAGES, provider_name, translator
from orchestration.settings import SOURCES_DIR, Settings

HERE = Path(__file__).parent
SESSION_COOKIE = "tadamon_session"
LOGIN_CSRF_COOKIE = "tadamon_login_csrf"
LANG_COOKIE = "tadamon_lang"
SMALL_FORM_BYTES = 16 << 10
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


@dataclass(frozen=True)
class Context:
    settings: Settings
    url: str
    config: DropboxConfig
    sources_dir: Path = SOURCES_DIR

    @property
    def pending_dir(self) -> Path:
        return self.settings.data_dir / "dropbox" / "pending"


class SecurityHeaders:
    """Pure ASGI, so that upload bodies stream through untouched."""

    def __init__(self, app, tls: bool = False):
        self.app = app
        self.headers = SECURITY_HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if tls else [])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(ctx: Context) -> Starlette:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    templates = Jinja2Templates(env=env)

    # -- helpers -----------------------------------------------------------------------------------
    def client(request: Request) -> str | None:
        return request.client.host if request.client else None

    def lang_of(request: Request) -> str:
        lang = request.cookies.get(LANG_COOKIE, DEFAULT)
        return lang if lang in LANGUAGES else DEFAULT

    def render(request: Request, name: str, status: int = 200, session: Session | None = None, **values) -> Response:
        lang = lang_of(request)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return templates.TemplateResponse(
            request,
            name,
            {
                "t": translator(lang),
                "provider_name": lambda p: provider_name(p, lang),
                "lang": lang,
                "dir": LANGUAGES[lang]["dir"],
                "languages": LANGUAGES,
                "session": session,
                "here": here,
                **values,
            },
            status_code=status,
        )

    def cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="strict", secure=ctx.config.secure_cookies, path="/"
        )

    def session_of(request: Request) -> Session | None:
        return accounts.session_for(ctx.url, ctx.config, request.cookies.get(SESSION_COOKIE))

    def to_sign_in() -> Response:
        return RedirectResponse("/connexion", status_code=303)

    async def small_form(request: Request) -> dict[str, str]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return {}  # no token in it: refused as a forgery
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > SMALL_FORM_BYTES:
                raise HTTPException(413, "form too large")
        try:
            return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), max_num_fields=10))
        except ValueError:
            raise HTTPException(400, "too many fields") from None

    def same(a: str | None, b: str | None) -> bool:
        return bool(a and b) and hmac.compare_digest(a.encode(), b.encode())

    def csrf_refused(request: Request, session: Session | None) -> Response:
        return render(request, "error.html", 403, session=session, message="csrf")

    def delivery_or_404(session: Session, delivery_id: int):
        delivery = deliveries.get_delivery(ctx.url, session.user.provider, delivery_id, ctx.settings.incoming_dir)
        if delivery is None:
            raise HTTPException(404)
        return delivery

    def signed_in(handler, post: bool = False):
        """The endpoint of a signed-in page; `post`: a form whose CSRF token is checked first."""

        async def endpoint(request: Request) -> Response:
            session = await run_in_threadpool(session_of, request)
            if session is None:
                return to_sign_in()
            if post:
                form = await small_form(request)
                if not same(form.get("csrf"), session.csrf_token):
                    return csrf_refused(request, session)
            return await handler(request, session)

        return endpoint

    # -- pages -------------------------------------------------------------------------------------
    async def home(request: Request) -> Response:
        session = await run_in_threadpool(session_of, request)
        return RedirectResponse("/envoyer" if session else "/connexion", status_code=303)

    async def sign_in_page(request: Request, refusal: str | None = None, status: int = 200) -> Response:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = render(request, "sign_in.html", status, csrf=token, refusal=refusal, minutes=ctx.config.lock_minutes)
        cookie(response, LOGIN_CSRF_COOKIE, token)
        return response

    async def sign_in(request: Request) -> Response:
        form = await small_form(request)
        if not same(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return csrf_refused(request, None)
        result = await run_in_threadpool(
            accounts.sign_in,
            ctx.url,
            ctx.config,
            form.get("login", "").strip().lower(),
            form.get("password", ""),
            client(request),
        )
        if result.user is None:
            return await sign_in_page(request, result.refusal, 401 if result.refusal == "invalid" else 429)
        response = RedirectResponse("/envoyer", status_code=303)
        cookie(response, SESSION_COOKIE, result.token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    async def sign_out(request: Request, session: Session) -> Response:
        await run_in_threadpool(
            accounts.sign_out, ctx.url, request.cookies[SESSION_COOKIE], session.user, client(request)
        )
        response = to_sign_in()
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def language(request: Request) -> Response:
        code = request.path_params["code"]
        back = request.query_params.get("suite", "/")
        if not back.startswith("/") or back.startswith("//") or "\\" in back:
            back = "/"
        response = RedirectResponse(back, status_code=303)
        if code in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/", secure=ctx.config.secure_cookies
            )
        return response

    async def upload_page(
        request: Request, session: Session, error: str | None = None, params: dict | None = None, status: int = 200
    ) -> Response:
        return render(
            request,
            "upload.html",
            status,
            session=session,
            error=error,
            params=params or {},
            expected=await run_in_threadpool(deliveries.expected_names, session.user.provider, ctx.sources_dir),
            limit_mb=ctx.config.max_upload_mb,
            legend=deliveries.placeholder_legend(lang_of(request)),
        )

    async def upload(request: Request, session: Session) -> Response:
        user, where = session.user, client(request)
        await run_in_threadpool(uploads.purge_pending, ctx.pending_dir, ctx.config.pending_hours * 3600)
        folder = uploads.new_upload_folder(ctx.pending_dir)
        try:
            received = await uploads.receive_upload(
                request, folder, ctx.config.max_upload_bytes, lambda token: same(token, session.csrf_token)
            )
            report = await run_in_threadpool(deliveries.dry_run, user.provider, received, ctx.sources_dir)
            if report["status"] == "no_definition":
                raise uploads.UploadRefused("upload_unknown_name", name=received.file_name, provider=user.provider)
        except uploads.UploadRefused as refused:
            uploads.discard(folder)
            await run_in_threadpool(deliveries.record_refusal, ctx.url, user, where, refused.key)
            if refused.key == "csrf":
                return csrf_refused(request, session)
            return await upload_page(request, session, refused.key, refused.params, refused.status)
        except ClientDisconnect:
            uploads.discard(folder)
            await run_in_threadpool(deliveries.record_refusal, ctx.url, user, where, "upload interrupted")
            return Response(status_code=400)
        except BaseException:
            uploads.discard(folder)
            raise
        delivery_id = await run_in_threadpool(deliveries.record_upload, ctx.url, user, received, report, where)
        if report["status"] == "would_load":
            target = deliveries.pending_folder(ctx.pending_dir, delivery_id)
            uploads.discard(target)  # left by an earlier database, if any
            os.rename(folder, target)
        else:
            uploads.discard(folder)
        return RedirectResponse(f"/livraisons/{delivery_id}", status_code=303)

    async def delivery_list(request: Request, session: Session) -> Response:
        items = await run_in_threadpool(
            deliveries.list_deliveries, ctx.url, session.user.provider, ctx.settings.incoming_dir
        )
        return render(request, "deliveries.html", session=session, deliveries=items)

    async def delivery_page(request: Request, session: Session) -> Response:
        delivery = await run_in_threadpool(delivery_or_404, session, request.path_params["delivery_id"])
        receipt = await run_in_threadpool(deliveries.final_receipt, ctx.settings, delivery)
        return render(
            request,
            "delivery.html",
            session=session,
            d=delivery,
            receipt=receipt,
            error="not_confirmable" if request.query_params.get("erreur") == "not_confirmable" else None,
        )

    async def delivery_action(request: Request, session: Session) -> Response:
        if request.path_params["action"] not in ("confirmer", "annuler"):
            raise HTTPException(404)
        delivery = await run_in_threadpool(delivery_or_404, session, request.path_params["delivery_id"])
        target = f"/livraisons/{delivery.delivery_id}"
        if request.path_params["action"] == "confirmer":
            try:
                await run_in_threadpool(
                    deliveries.confirm, ctx.url, ctx.settings, ctx.pending_dir, session.user, delivery, client(request)
                )
            except LookupError:
                target += "?erreur=not_confirmable"
        else:
            await run_in_threadpool(
                deliveries.cancel, ctx.url, ctx.pending_dir, session.user, delivery, client(request)
            )
        return RedirectResponse(target, status_code=303)

    async def receipt_text(request: Request, session: Session) -> Response:
        delivery = await run_in_threadpool(delivery_or_404, session, request.path_params["delivery_id"])
        paths = deliveries.receipt_paths(ctx.settings, delivery)
        if paths is None:
            raise HTTPException(404)
        quoted = urllib.parse.quote(paths[1].name)
        return PlainTextResponse(
            paths[1].read_text(encoding="utf-8"),
            headers={"content-disposition": f"attachment; filename*=UTF-8''{quoted}"},
        )

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "error.html", 404, message="not_found")
        return PlainTextResponse(exc.detail, status_code=exc.status_code)

    routes = [
        Route("/", home),
        Route("/connexion", sign_in_page, methods=["GET"]),
        Route("/connexion", sign_in, methods=["POST"]),
        Route("/deconnexion", signed_in(sign_out, post=True), methods=["POST"]),
        Route("/langue/{code}", language),
        Route("/envoyer", signed_in(upload_page), methods=["GET"]),
        Route("/envoyer", signed_in(upload), methods=["POST"]),  # its CSRF token is read from the stream
        Route("/livraisons", signed_in(delivery_list)),
        Route("/livraisons/{delivery_id:int}", signed_in(delivery_page)),
        Route("/livraisons/{delivery_id:int}/accuse.txt", signed_in(receipt_text)),
        Route("/livraisons/{delivery_id:int}/{action:str}", signed_in(delivery_action, post=True), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.add_middleware(SecurityHeaders, tls=ctx.config.secure_cookies)
    return app
