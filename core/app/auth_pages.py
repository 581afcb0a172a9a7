"""The few HTML pages of the auth flow, in French: sign in, forgotten password, new
password, invitation, and the refusals. Plain HTML, no script, every value escaped."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;padding:.5rem;margin-top:.25rem;box-sizing:border-box;font-size:1rem}
button,.button{margin-top:1.2rem;padding:.6rem 1rem;font-size:1rem;background:#000091;color:#fff;
border:0;border-radius:4px;text-decoration:none;display:inline-block;cursor:pointer}
.error{background:#ffe9e9;border-left:4px solid #ce0500;padding:.6rem;margin-top:1rem}
.note{color:#555;font-size:.9rem;margin-top:1.5rem}
"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — maillage</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers=page_headers(
            "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self' https:; frame-ancestors 'none'"
        ),
    )


def page_headers(policy: str) -> dict[str, str]:
    """The headers of a page for people without a session (sign-in, questionnaires,
    a plugin's public pages): never cached, never framed, this content policy."""
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        # Same-origin: our own form posts carry our Origin (and Referer), which the
        # cross-site guard checks where Sec-Fetch-Site is not sent; other sites get
        # nothing (a questionnaire's token stays in the app).
        "Referrer-Policy": "same-origin",
    }


def _error(message: str | None) -> str:
    return f'<p class="error" role="alert">{escape(message)}</p>' if message else ""


def login_page(
    *,
    next_url: str,
    providers: list[tuple[str, str, str]],
    error: str | None = None,
    email: str = "",
    status: int = 200,
) -> HTMLResponse:
    """``providers``: (pole slug, pole name, label) of the poles with OIDC."""
    federation = "".join(
        f'<p><a class="button" href="/auth/oidc/{escape(slug)}/login?next={escape(next_url)}">'
        f"Se connecter avec {escape(label)}</a><br><small>{escape(name)}</small></p>"
        for slug, name, label in providers
    )
    body = (
        _error(error) + '<form method="post" action="/auth/login">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        '<label for="email">Adresse électronique</label>'
        f'<input id="email" name="email" type="email" autocomplete="username" required '
        f'value="{escape(email)}">'
        '<label for="password">Mot de passe</label>'
        '<input id="password" name="password" type="password" '
        'autocomplete="current-password" required>'
        "<button type=submit>Se connecter</button></form>"
        '<p class="note"><a href="/auth/password/forgot">Mot de passe oublié ?</a></p>'
        + (f"<hr>{federation}" if federation else "")
    )
    return page("Connexion", body, status)


def forgot_page(
    *, sent: bool = False, error: str | None = None, email: str = "", status: int = 200
) -> HTMLResponse:
    if sent:
        return page(
            "Mot de passe oublié",
            "<p>Si un compte existe pour cette adresse, un lien de réinitialisation vient "
            "de lui être envoyé. Il est valable une heure.</p>"
            '<p><a href="/auth/login">Retour à la connexion</a></p>',
            status,
        )
    return page(
        "Mot de passe oublié",
        _error(error) + '<form method="post" action="/auth/password/forgot">'
        '<label for="email">Adresse électronique</label>'
        f'<input id="email" name="email" type="email" required value="{escape(email)}">'
        "<button type=submit>Recevoir un lien</button></form>",
        status,
    )


def new_password_page(
    *,
    action: str,
    token: str,
    title: str,
    error: str | None = None,
    ask_name: bool = False,
    display_name: str = "",
    status: int = 200,
) -> HTMLResponse:
    name = (
        '<label for="display_name">Votre nom (tel que vos collègues le liront)</label>'
        '<input id="display_name" name="display_name" autocomplete="name" '
        f'value="{escape(display_name)}">'
        if ask_name
        else ""
    )
    return page(
        title,
        _error(error) + f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        + name
        + '<label for="password">Nouveau mot de passe (12 caractères au moins)</label>'
        '<input id="password" name="password" type="password" autocomplete="new-password" '
        "required minlength=12>"
        "<button type=submit>Enregistrer</button></form>",
        status,
    )


def logout_page(*, csrf: str) -> HTMLResponse:
    return page(
        "Déconnexion",
        '<form method="post" action="/auth/logout">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        "<p>Fermer votre session sur ce navigateur ?</p>"
        "<button type=submit>Se déconnecter</button></form>"
        '<p class="note"><a href="/">Revenir à l\'application</a></p>',
    )


def message_page(title: str, message: str, status: int = 200, link: bool = True) -> HTMLResponse:
    back = '<p><a href="/auth/login">Retour à la connexion</a></p>' if link else ""
    return page(title, f"<p>{escape(message)}</p>{back}", status)
