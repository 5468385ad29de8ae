"""Terms documents of an app client: the "Terms of use" and "Privacy policy" links that
managed login's sign-up page shows (CreateTerms, DescribeTerms, DescribeTermsByClient,
UpdateTerms, DeleteTerms, ListTerms).

Stored record (kind "terms", scope = pool id, key = TermsId) is the TermsType the
operations return:
    {"TermsId", "UserPoolId", "ClientId", "TermsName", "TermsSource", "Enforcement",
     "Links": {"cognito:<language>": url}, "CreationDate", "LastModifiedDate"}
Index (kind "terms_client", scope = pool id, key = "<ClientId>\\t<TermsName>") -> {"TermsId"}:
a name is unique to its app client (TermsExistsException, model) and DescribeTermsByClient
finds the document by it.

What the model and the Developer Guide fix:
- TermsName is exactly `terms-of-use` or `privacy-policy` (model pattern), one of each per
  app client (TermsExistsException); TermsId is a version-4 UUID (model pattern).
- TermsSource accepts only LINK and Enforcement only NONE ("reserved for future use"): the
  sign-up page shows links and asks for no acceptance.
- Links maps `cognito:default` or `cognito:<language>` (managed login's languages) to a URL;
  the page uses its own language's URL, else `cognito:default`.
- The page shows the documents only once the client has both of them ("You must provide both
  types of terms documents in at least one language before Amazon Cognito displays your terms
  documents"), as "By signing up, you agree to our Terms of use and Privacy policy."
"""
from __future__ import annotations

import uuid

from ..errors import CognitoError, invalid, not_found
from ..store import AlreadyExists
from . import clients

KIND = "terms"
INDEX = "terms_client"
NAMES = ("terms-of-use", "privacy-policy")   # the model's TermsNameType pattern
DEFAULT_PAGE = 60   # ListTerms without MaxResults: the model's maximum (UNCONFIRMED)
DEFAULT_LINK = "cognito:default"
# Managed login's `lang` codes (Developer Guide, "Managed login localization") -> the
# LanguageIdType key of Links. "nl" for cognito:dutch is UNCONFIRMED: the model has dutch,
# the guide's table of languages doesn't.
LANGUAGES = {"de": "german", "en": "english", "es": "spanish", "fr": "french",
             "id": "bahasa-indonesia", "it": "italian", "ja": "japanese", "ko": "korean",
             "pt-BR": "portuguese-brazil", "zh-CN": "chinese-simplified",
             "zh-TW": "chinese-traditional", "nl": "dutch"}
PAGE_LANGUAGE = "en"   # managed login's default language


def get(store, pool_id: str, terms_id: str) -> dict | None:
    return store.get(KIND, pool_id, terms_id)


def require(store, pool_id: str, terms_id: str) -> dict:
    record = get(store, pool_id, terms_id)
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Terms {terms_id} does not exist in user pool {pool_id}.")
    return record


def by_client(store, pool_id: str, client_id: str, name: str) -> dict | None:
    ref = store.get(INDEX, pool_id, _index_key(client_id, name))
    return get(store, pool_id, ref["TermsId"]) if ref else None


def require_by_client(store, pool_id: str, client_id: str, name: str) -> dict:
    """DescribeTermsByClient: the client must exist, then have a document of that name."""
    clients.require(store, pool_id, client_id)
    record = by_client(store, pool_id, client_id, name)
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Terms {name} do not exist for app client {client_id}.")
    return record


def create(ctx, pool: dict, params: dict) -> dict:
    """CreateTerms for an app client of the pool."""
    store, pool_id = ctx.store, pool["Id"]
    client = clients.require(store, pool_id, params["ClientId"])
    links = params.get("Links")
    if not links:
        # The model leaves Links optional on CreateTerms but requires it in TermsType, and a
        # LINK document without a link shows nothing: refused (UNCONFIRMED).
        raise invalid("Links are required when TermsSource is LINK.")
    now = ctx.now()
    record = {"TermsId": str(uuid.uuid4()), "UserPoolId": pool_id,
              "ClientId": client["ClientId"], "TermsName": params["TermsName"],
              "TermsSource": params["TermsSource"], "Enforcement": params["Enforcement"],
              "Links": dict(links), "CreationDate": now, "LastModifiedDate": now}
    _claim_name(store, record)
    store.insert(KIND, pool_id, record["TermsId"], record)
    return record


def update(ctx, pool: dict, params: dict) -> dict:
    """UpdateTerms. Members left out keep their values (UNCONFIRMED: every member but the
    ids is optional, and TermsName is documented as "the new name"); Links, when given,
    replaces the whole map. A new name must still be free on the client (TermsExists)."""
    store, pool_id = ctx.store, pool["Id"]
    record = dict(require(store, pool_id, params["TermsId"]))
    name = params.get("TermsName") or record["TermsName"]
    if name != record["TermsName"]:
        renamed = {**record, "TermsName": name}
        _claim_name(store, renamed)
        store.delete(INDEX, pool_id, _index_key(record["ClientId"], record["TermsName"]))
        record = renamed
    for member in ("TermsSource", "Enforcement"):
        if params.get(member):
            record[member] = params[member]
    if params.get("Links"):
        record["Links"] = dict(params["Links"])
    record["LastModifiedDate"] = ctx.now()
    store.put(KIND, pool_id, record["TermsId"], record)
    return record


def delete(store, pool_id: str, terms_id: str) -> None:
    """DeleteTerms."""
    record = require(store, pool_id, terms_id)
    _forget(store, record)


def remove_for_client(store, client: dict) -> None:
    """The client's documents, when the client is deleted (domain/lifecycle.py)."""
    for name in NAMES:
        record = by_client(store, client["UserPoolId"], client["ClientId"], name)
        if record is not None:
            _forget(store, record)


def page(store, pool_id: str, *, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """ListTerms: (summaries, the last TermsId if more remain). Documents come in TermsId
    order (Cognito's order is UNCONFIRMED); the token is the last TermsId of the page."""
    rows = store.list(KIND, pool_id, after=after, limit=limit + 1)
    items = [summary(record) for _, record in rows[:limit]]
    more = len(rows) > limit
    return items, (items[-1]["TermsId"] if more and items else None)


def summary(record: dict) -> dict:
    """The TermsDescriptionType ListTerms gives for a document."""
    return {k: record[k] for k in ("TermsId", "TermsName", "Enforcement", "CreationDate",
                                   "LastModifiedDate")}


def language_key(lang: str | None) -> str:
    """The Links key of a page language (`lang` as managed login takes it)."""
    code = (lang or PAGE_LANGUAGE).strip()
    by_lower = {k.lower(): v for k, v in LANGUAGES.items()}
    return "cognito:" + by_lower.get(code.lower(), LANGUAGES[PAGE_LANGUAGE])


def sign_up_links(store, client: dict, lang: str | None = None) -> dict[str, str] | None:
    """{TermsName: URL} for the sign-up page in language `lang`, or None when the client
    lacks either document, or one of them has no URL for that language nor a default (then
    the page shows neither: UNCONFIRMED). An unknown `lang` reads as English (UNCONFIRMED)."""
    key = language_key(lang)
    found = {}
    for name in NAMES:
        record = by_client(store, client["UserPoolId"], client["ClientId"], name)
        links = (record or {}).get("Links") or {}
        url = links.get(key) or links.get(DEFAULT_LINK)
        if not url:
            return None
        found[name] = url
    return found


def _index_key(client_id: str, name: str) -> str:
    return f"{client_id}\t{name}"


def _claim_name(store, record: dict) -> None:
    try:
        store.insert(INDEX, record["UserPoolId"],
                     _index_key(record["ClientId"], record["TermsName"]),
                     {"TermsId": record["TermsId"]})
    except AlreadyExists:
        # Wording UNCONFIRMED.
        raise CognitoError("TermsExistsException",
                           f"Terms {record['TermsName']} already exist for app client "
                           f"{record['ClientId']}.") from None


def _forget(store, record: dict) -> None:
    store.delete(INDEX, record["UserPoolId"], _index_key(record["ClientId"],
                                                         record["TermsName"]))
    store.delete(KIND, record["UserPoolId"], record["TermsId"])
