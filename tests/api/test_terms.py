"""Terms documents (CreateTerms, DescribeTerms, DescribeTermsByClient, UpdateTerms,
DeleteTerms, ListTerms) through boto3 and the real server, their deletion with the client and
the pool, and the links on the hosted sign-up page (httpx)."""
import html
import re

import pytest
from botocore.exceptions import ClientError

from emulator.domain import clients, lifecycle, pools, terms
from tests.support.context import unit_context
from tests.support.factories import PASSWORD, UUID_RE, error, unique_name

MISSING_POOL = "us-east-1_nonexist0"
MISSING_TERMS = "8d0e3a52-4c1f-4b6e-9a7d-2f5c6b1e0a93"
CALLBACK = "http://localhost:3000/callback"
TERMS_URL, PRIVACY_URL = "https://example.com/terms", "https://example.com/privacy"
SUMMARY_KEYS = {"TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"}


def create(cognito, pool_id, client_id, name="privacy-policy", links=None, **more):
    return cognito.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName=name,
                                TermsSource="LINK", Enforcement="NONE",
                                Links=links or {"cognito:default": PRIVACY_URL},
                                **more)["Terms"]


def new_client(cognito, pool_id, **params) -> str:
    params.setdefault("ClientName", unique_name("app"))
    return cognito.create_user_pool_client(UserPoolId=pool_id,
                                           **params)["UserPoolClient"]["ClientId"]


# --- the operations -------------------------------------------------------------------------

def test_create_describe_and_describe_by_client(cognito, pool_id, client_id, clock):
    at = clock.pin(1_800_000_000)["now"]
    links = {"cognito:default": PRIVACY_URL, "cognito:french": "https://example.com/fr/privacy",
             "cognito:portuguese-brazil": "https://example.com/pt/privacy"}
    made = create(cognito, pool_id, client_id, links=links)
    assert UUID_RE.match(made["TermsId"]) and made["TermsId"][14] == "4"   # a version-4 UUID
    assert {k: v for k, v in made.items() if k not in ("CreationDate", "LastModifiedDate")} \
        == {"TermsId": made["TermsId"], "UserPoolId": pool_id, "ClientId": client_id,
            "TermsName": "privacy-policy", "TermsSource": "LINK", "Enforcement": "NONE",
            "Links": links}
    assert made["CreationDate"].timestamp() == made["LastModifiedDate"].timestamp() == at
    described = cognito.describe_terms(UserPoolId=pool_id, TermsId=made["TermsId"])["Terms"]
    assert described == made
    by_client = cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id,
                                                 TermsName="privacy-policy")["Terms"]
    assert by_client == made


def test_one_document_of_each_name_per_client(cognito, pool_id, client_id):
    first = create(cognito, pool_id, client_id)
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, client_id, links={"cognito:default": "https://other.example"})
    assert error(exc)[0] == "TermsExistsException"
    # The other name on the same client, and the same name on another client, are free.
    create(cognito, pool_id, client_id, name="terms-of-use",
           links={"cognito:default": TERMS_URL})
    create(cognito, pool_id, new_client(cognito, pool_id))
    kept = cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id,
                                            TermsName="privacy-policy")["Terms"]
    assert kept == first


def test_create_needs_the_pool_and_a_client_of_it(cognito, pool_id, client_id, make_pool):
    with pytest.raises(ClientError) as exc:
        create(cognito, MISSING_POOL, client_id)
    assert error(exc) == ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, "nosuchclient1234567890")
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool client nosuchclient1234567890 does not exist.")
    elsewhere = new_client(cognito, make_pool())
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, elsewhere)
    assert error(exc)[0] == "ResourceNotFoundException"
    assert cognito.list_terms(UserPoolId=pool_id)["Terms"] == []


def test_create_needs_links(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as exc:
        cognito.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use",
                             TermsSource="LINK", Enforcement="NONE")
    assert error(exc) == ("InvalidParameterException",
                          "Links are required when TermsSource is LINK.")
    assert cognito.list_terms(UserPoolId=pool_id)["Terms"] == []


@pytest.mark.parametrize("change, where", [
    ({"TermsName": "terms-of-service"}, "termsName"),       # exactly the two names
    ({"Enforcement": "REQUIRED"}, "enforcement"),           # NONE is the only value
    ({"TermsSource": "FILE"}, "termsSource"),               # LINK is the only value
    ({"Links": {"cognito:klingon": TERMS_URL}}, "links"),   # managed login's languages only
    ({"Links": {"cognito:default": "has space"}}, "links"),  # no whitespace in a URL
    ({"Links": {}}, "links"),                               # at least one link
])
def test_model_constraints(unchecked, pool_id, client_id, change, where):
    params = {"UserPoolId": pool_id, "ClientId": client_id, "TermsName": "terms-of-use",
              "TermsSource": "LINK", "Enforcement": "NONE",
              "Links": {"cognito:default": TERMS_URL}, **change}
    with pytest.raises(ClientError) as exc:
        unchecked.create_terms(**params)
    assert error(exc)[0] == "InvalidParameterException"
    assert where in error(exc)[1]


def test_every_language_key_of_the_model(cognito, pool_id, client_id):
    languages = ["default", "dutch", "english", "french", "spanish", "german",
                 "bahasa-indonesia", "italian", "japanese", "korean", "portuguese-brazil",
                 "chinese-simplified", "chinese-traditional"]
    links = {f"cognito:{lang}": f"https://example.com/{lang}/terms" for lang in languages}
    assert len(links) == 13                                   # the model's maximum
    assert create(cognito, pool_id, client_id, links=links)["Links"] == links


def test_update(cognito, pool_id, client_id, clock):
    created_at = clock.pin(1_800_000_000)["now"]
    made = create(cognito, pool_id, client_id)
    clock.advance(60)
    links = {"cognito:default": "https://example.com/privacy-v2"}
    updated = cognito.update_terms(UserPoolId=pool_id, TermsId=made["TermsId"],
                                   Links=links)["Terms"]
    assert updated["Links"] == links                          # the map is replaced
    assert updated["TermsName"] == "privacy-policy"           # what is left out is kept
    assert (updated["TermsSource"], updated["Enforcement"]) == ("LINK", "NONE")
    assert updated["CreationDate"].timestamp() == created_at
    assert updated["LastModifiedDate"].timestamp() == created_at + 60
    assert cognito.describe_terms(UserPoolId=pool_id, TermsId=made["TermsId"])["Terms"] \
        == updated


def test_update_renames_only_to_a_free_name(cognito, pool_id, client_id):
    privacy = create(cognito, pool_id, client_id)
    renamed = cognito.update_terms(UserPoolId=pool_id, TermsId=privacy["TermsId"],
                                   TermsName="terms-of-use")["Terms"]
    assert renamed["TermsName"] == "terms-of-use"
    found = cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id,
                                             TermsName="terms-of-use")["Terms"]
    assert found["TermsId"] == privacy["TermsId"]
    with pytest.raises(ClientError) as exc:        # the old name is free again
        cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id,
                                         TermsName="privacy-policy")
    assert error(exc)[0] == "ResourceNotFoundException"
    other = create(cognito, pool_id, client_id)    # privacy-policy again
    with pytest.raises(ClientError) as exc:
        cognito.update_terms(UserPoolId=pool_id, TermsId=other["TermsId"],
                             TermsName="terms-of-use")
    assert error(exc)[0] == "TermsExistsException"
    assert cognito.describe_terms(UserPoolId=pool_id,
                                  TermsId=other["TermsId"])["Terms"]["TermsName"] \
        == "privacy-policy"


def test_delete(cognito, pool_id, client_id):
    made = create(cognito, pool_id, client_id)
    assert cognito.delete_terms(UserPoolId=pool_id, TermsId=made["TermsId"])
    for call in (cognito.describe_terms, cognito.delete_terms):
        with pytest.raises(ClientError) as exc:
            call(UserPoolId=pool_id, TermsId=made["TermsId"])
        assert error(exc)[0] == "ResourceNotFoundException"
    assert create(cognito, pool_id, client_id)["TermsId"] != made["TermsId"]   # name freed


def test_unknown_pool_or_terms(cognito, pool_id, client_id, make_pool):
    made = create(cognito, pool_id, client_id)
    other_pool = make_pool()
    calls = [lambda p, t: cognito.describe_terms(UserPoolId=p, TermsId=t),
             lambda p, t: cognito.update_terms(UserPoolId=p, TermsId=t, Links={
                 "cognito:default": TERMS_URL}),
             lambda p, t: cognito.delete_terms(UserPoolId=p, TermsId=t)]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call(MISSING_POOL, made["TermsId"])
        assert error(exc) == ("ResourceNotFoundException",
                              f"User pool {MISSING_POOL} does not exist.")
        for pool, terms_id in ((pool_id, MISSING_TERMS), (other_pool, made["TermsId"])):
            with pytest.raises(ClientError) as exc:
                call(pool, terms_id)
            assert error(exc)[0] == "ResourceNotFoundException"
    assert cognito.describe_terms(UserPoolId=pool_id, TermsId=made["TermsId"])["Terms"] == made
    with pytest.raises(ClientError) as exc:
        cognito.list_terms(UserPoolId=MISSING_POOL)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_describe_by_client_refusals(cognito, pool_id, client_id):
    create(cognito, pool_id, client_id)
    with pytest.raises(ClientError) as exc:        # the client has no terms-of-use
        cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id,
                                         TermsName="terms-of-use")
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.describe_terms_by_client(UserPoolId=pool_id, ClientId="nosuchclient12345",
                                         TermsName="privacy-policy")
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool client nosuchclient12345 does not exist.")
    with pytest.raises(ClientError) as exc:
        cognito.describe_terms_by_client(UserPoolId=MISSING_POOL, ClientId=client_id,
                                         TermsName="privacy-policy")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_list_pages_through_summaries(cognito, pool_id, client_id):
    second = new_client(cognito, pool_id)
    made = {create(cognito, pool_id, c, name=n)["TermsId"]
            for c in (client_id, second) for n in ("terms-of-use", "privacy-policy")}
    first = cognito.list_terms(UserPoolId=pool_id, MaxResults=3)
    assert len(first["Terms"]) == 3 and first["NextToken"]
    assert all(set(item) == SUMMARY_KEYS for item in first["Terms"])
    rest = cognito.list_terms(UserPoolId=pool_id, MaxResults=3, NextToken=first["NextToken"])
    assert len(rest["Terms"]) == 1 and "NextToken" not in rest
    assert {t["TermsId"] for t in first["Terms"] + rest["Terms"]} == made
    everything = cognito.list_terms(UserPoolId=pool_id)       # default page holds all four
    assert len(everything["Terms"]) == 4 and "NextToken" not in everything
    with pytest.raises(ClientError) as exc:
        cognito.list_terms(UserPoolId=pool_id, MaxResults=61)
    assert error(exc)[0] == "InvalidParameterException"
    assert len(cognito.list_terms(UserPoolId=pool_id, MaxResults=60)["Terms"]) == 4


def test_deleted_with_their_client(cognito, pool_id, client_id):
    other = new_client(cognito, pool_id)
    gone = create(cognito, pool_id, client_id)
    kept = create(cognito, pool_id, other)
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(ClientError) as exc:
        cognito.describe_terms(UserPoolId=pool_id, TermsId=gone["TermsId"])
    assert error(exc)[0] == "ResourceNotFoundException"
    assert [t["TermsId"] for t in cognito.list_terms(UserPoolId=pool_id)["Terms"]] \
        == [kept["TermsId"]]


def test_deleted_with_their_pool():
    # In-process: once the pool is gone no API call can look at what it held.
    ctx = unit_context()
    pool = pools.create_pool(ctx, {"PoolName": "p"})
    client = clients.create_client(ctx, pool, {"UserPoolId": pool["Id"], "ClientName": "c"})
    params = {"ClientId": client["ClientId"], "TermsSource": "LINK", "Enforcement": "NONE",
              "Links": {"cognito:default": TERMS_URL}}
    for name in terms.NAMES:
        terms.create(ctx, pool, {**params, "TermsName": name})
    assert ctx.store.count(terms.KIND, pool["Id"]) == 2
    lifecycle.delete_pool(ctx.store, pool)
    assert ctx.store.list(terms.KIND, pool["Id"]) == []
    assert ctx.store.list(terms.INDEX, pool["Id"]) == []


# --- the hosted sign-up page ----------------------------------------------------------------

@pytest.fixture
def web_client(cognito, pool_id) -> str:
    return new_client(cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True,
                      AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
                      CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])


def signup_page(http, client_id, **extra):
    page = http.get("/signup", params={"client_id": client_id, "redirect_uri": CALLBACK,
                                       "response_type": "code", **extra})
    assert page.status_code == 200, page.text
    return page


def terms_line(page) -> str | None:
    found = re.search(r'<p class="textDescription-customizable" id="terms">(.*?)</p>',
                      page.text)
    return found.group(1) if found else None


def links_of(page) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2))
            for m in re.finditer(r'<a class="redirect-customizable" id="([a-z-]+)" '
                                 r'href="([^"]*)"', terms_line(page) or "")}


def post_signup(http, page, **fields):
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)" name="signup">',
                                     page.text).group(1))
    csrf = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
    return http.post(action, data={"_csrf": csrf, **fields})


def both_documents(cognito, pool_id, client_id, terms_links=None, privacy_links=None):
    create(cognito, pool_id, client_id, name="terms-of-use",
           links=terms_links or {"cognito:default": TERMS_URL})
    return create(cognito, pool_id, client_id, name="privacy-policy",
                  links=privacy_links or {"cognito:default": PRIVACY_URL})


def test_sign_up_page_links_both_documents(cognito, http, pool_id, web_client):
    assert terms_line(signup_page(http, web_client)) is None     # none yet
    create(cognito, pool_id, web_client, name="terms-of-use",
           links={"cognito:default": TERMS_URL})
    assert terms_line(signup_page(http, web_client)) is None     # one of the two is not enough
    create(cognito, pool_id, web_client, links={"cognito:default": PRIVACY_URL})
    page = signup_page(http, web_client)
    line = re.sub(r"<[^>]+>", "", terms_line(page))
    assert line == "By signing up, you agree to our Terms of use and Privacy policy."
    assert links_of(page) == {"terms-of-use": TERMS_URL, "privacy-policy": PRIVACY_URL}
    # Another client of the pool has no documents: its page shows none.
    other = new_client(cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True,
                       AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
                       CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])
    assert terms_line(signup_page(http, other)) is None


def test_sign_up_page_uses_the_page_language(cognito, http, pool_id, web_client):
    both_documents(cognito, pool_id, web_client,
                   terms_links={"cognito:default": TERMS_URL,
                                "cognito:english": "https://example.com/en/terms",
                                "cognito:portuguese-brazil": "https://example.com/pt/terms"},
                   privacy_links={"cognito:default": PRIVACY_URL,
                                  "cognito:french": "https://example.com/fr/privacy"})
    # No lang: the page is in English.
    assert links_of(signup_page(http, web_client)) == {
        "terms-of-use": "https://example.com/en/terms", "privacy-policy": PRIVACY_URL}
    assert links_of(signup_page(http, web_client, lang="fr")) == {
        "terms-of-use": TERMS_URL, "privacy-policy": "https://example.com/fr/privacy"}
    assert links_of(signup_page(http, web_client, lang="pt-BR")) == {
        "terms-of-use": "https://example.com/pt/terms", "privacy-policy": PRIVACY_URL}


def test_sign_up_page_needs_a_link_for_its_language(cognito, http, pool_id, web_client):
    both_documents(cognito, pool_id, web_client,
                   privacy_links={"cognito:french": "https://example.com/fr/privacy"})
    assert terms_line(signup_page(http, web_client)) is None       # English: no privacy URL
    assert links_of(signup_page(http, web_client, lang="fr")) == {
        "terms-of-use": TERMS_URL, "privacy-policy": "https://example.com/fr/privacy"}


def test_sign_up_page_follows_updates_and_deletion(cognito, http, pool_id, web_client):
    privacy = both_documents(cognito, pool_id, web_client)
    cognito.update_terms(UserPoolId=pool_id, TermsId=privacy["TermsId"],
                         Links={"cognito:default": "https://example.com/privacy?v=2&x=1"})
    assert links_of(signup_page(http, web_client))["privacy-policy"] \
        == "https://example.com/privacy?v=2&x=1"
    cognito.delete_terms(UserPoolId=pool_id, TermsId=privacy["TermsId"])
    assert terms_line(signup_page(http, web_client)) is None


def test_sign_up_page_links_only_web_addresses(cognito, http, pool_id, web_client):
    both_documents(cognito, pool_id, web_client,
                   terms_links={"cognito:default": "javascript:alert(1)"})
    page = signup_page(http, web_client)
    assert "javascript:" not in page.text
    assert links_of(page) == {"privacy-policy": PRIVACY_URL}
    assert "Terms of use" in terms_line(page)


def test_sign_up_needs_no_acceptance(cognito, http, pool_id, web_client):
    # Enforcement NONE (the model's only value) asks for no checkbox: the form is the same
    # as without documents and a sign-up goes through.
    plain = signup_page(http, web_client)
    both_documents(cognito, pool_id, web_client)
    page = signup_page(http, web_client)
    assert terms_line(page)
    fields = set(re.findall(r'<input[^>]* name="([^"]+)"', page.text))
    assert fields == set(re.findall(r'<input[^>]* name="([^"]+)"', plain.text))
    assert 'type="checkbox"' not in page.text
    answer = post_signup(http, page, username="terry", password=PASSWORD)
    assert answer.status_code == 200
    assert "You are signed up. An administrator must confirm your account" in answer.text
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="terry")
    assert user["Username"] == "terry"
