"""Sign-in providers: which are on, what GitHub's and Google's answers say about who signed
in (GitHub's API is an outside service, answered here by a stand-in), and the usernames
made from them."""

from __future__ import annotations

import pytest

from app.accounts.oauth import GitHubProvider, GoogleProvider, openid_identity
from app.accounts.oauth_accounts import username_stem
from app.config import ConfigError, load_config


def test_no_provider_is_on_by_default():
    settings = load_config(environ={})

    assert settings["OAUTH_PROVIDERS"] == []
    assert settings["SECURITY_OAUTH_ENABLE"] is False


def test_a_provider_is_on_once_its_settings_are_all_set():
    settings = load_config(
        environ={
            "OAUTH_GITHUB_CLIENT_ID": "id",
            "OAUTH_GITHUB_CLIENT_SECRET": "secret",
            "OIDC_ISSUER": "https://sso.example.org",
            "OIDC_CLIENT_ID": "encore",
            "OIDC_CLIENT_SECRET": "secret",
        }
    )

    assert settings["OAUTH_PROVIDERS"] == ["github", "oidc"]
    assert settings["SECURITY_OAUTH_ENABLE"] is True
    assert settings["OAUTH_SIGN_IN_ORIGINS"] == ["https://github.com", "https://sso.example.org"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"OAUTH_GOOGLE_CLIENT_ID": "id"},
            "OAUTH_GOOGLE_CLIENT_ID set without OAUTH_GOOGLE_CLIENT_SECRET",
        ),
        (
            {"OIDC_ISSUER": "https://sso.example.org", "OIDC_CLIENT_SECRET": "s"},
            "OIDC_ISSUER, OIDC_CLIENT_SECRET set without OIDC_CLIENT_ID",
        ),
    ],
)
def test_a_provider_set_in_part_is_refused(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)


class GitHubAnswers:
    """Stands in for GitHub's API: ``oauth.github.get(path, token=...)``."""

    def __init__(self, **answers: object) -> None:
        self.answers = answers
        self.github = self

    def get(self, path: str, token: dict) -> GitHubAnswers.Response:
        assert token == {"access_token": "t"}
        return self.Response(self.answers[path.replace("/", "_")])

    class Response:
        def __init__(self, body: object) -> None:
            self.body = body

        def raise_for_status(self) -> None:
            pass

        def json(self) -> object:
            return self.body


def github_identity(emails: list[dict]):
    provider = GitHubProvider("github", "GitHub", "id", "secret")
    answers = GitHubAnswers(
        user={"id": 583231, "login": "Ann-Lee", "name": "Ann Lee"}, user_emails=emails
    )
    return provider.identity(answers, {"access_token": "t"})


def test_github_gives_its_verified_primary_email():
    identity = github_identity(
        [
            {"email": "old@example.org", "primary": False, "verified": True},
            {"email": "ann@example.org", "primary": True, "verified": True},
        ]
    )

    assert (identity.provider, identity.subject) == ("github", "583231")
    assert identity.email == "ann@example.org"
    assert identity.email_verified is True
    assert identity.username == "Ann-Lee"
    assert identity.full_name == "Ann Lee"


def test_github_primary_email_not_verified_is_not_verified():
    identity = github_identity(
        [
            {"email": "ann@example.org", "primary": True, "verified": False},
            {"email": "other@example.org", "primary": False, "verified": True},
        ]
    )

    assert identity.email == "ann@example.org"
    assert identity.email_verified is False


def test_github_without_emails_gives_none():
    assert github_identity([]).email is None


def test_google_reads_the_id_token_claims():
    provider = GoogleProvider("google", "Google", "id", "secret")
    claims = {
        "sub": "10769150350006150715113082367",
        "email": "ann@example.org",
        "email_verified": True,
        "given_name": "Ann",
        "family_name": "Lee",
    }

    identity = provider.identity(None, {"userinfo": claims})

    assert (identity.label, identity.provider) == ("Google", "google")
    assert identity.subject == "10769150350006150715113082367"
    assert (identity.email, identity.email_verified) == ("ann@example.org", True)
    assert (identity.first_name, identity.last_name) == ("Ann", "Lee")


@pytest.mark.parametrize(
    ("claim", "verified"),
    [(True, True), ("true", True), (False, False), ("false", False), (None, False), (1, False)],
)
def test_only_a_true_email_verified_claim_counts(claim, verified):
    claims = {"sub": "ann", "email": "ann@example.org"}
    if claim is not None:
        claims["email_verified"] = claim

    assert openid_identity("SSO", "https://sso.example.org", claims).email_verified is verified


@pytest.mark.parametrize(
    ("hint", "stem"),
    [
        ("Ann.Lee-2", "annlee2"),
        ("jo", "jo00"),
        ("José", "jose"),
        ("...", ""),
        (None, ""),
        ("x" * 40, "x" * 32),
    ],
)
def test_usernames_keep_letters_and_digits(hint, stem):
    assert username_stem(hint) == stem
