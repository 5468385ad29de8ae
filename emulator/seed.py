"""Seed files: pools, clients, groups and users declared with fixed ids, applied at start.

The file (YAML or JSON) mirrors the API's own request shapes, so settings can be copied
from CloudFormation or a CreateUserPool call:

    pools:
      - Id: us-east-1_Example01          # fixed pool id: the same on every machine
        PoolName: demo
        # ...any other CreateUserPool parameter
        Clients:
          - ClientId: 4example0client0id000000ab   # fixed client id
            ClientName: web
            ClientSecret: optional-fixed-secret-at-least-24-chars
            # ...any other CreateUserPoolClient parameter
        Groups:
          - GroupName: admins
            Precedence: 1
        Users:
          - Username: alice
            Password: Passw0rd!          # permanent; omit to leave FORCE_CHANGE_PASSWORD
            Attributes: {email: alice@example.com, email_verified: "true"}
            Groups: [admins]
        users_csv: users.csv             # many users: a CSV in the import-job format
                                         # (GetCSVHeader's columns), relative to this file

A pool's `users_csv` goes through the same code as a user import job
(domain/user_import.import_csv, in chunks, each user through users.create): the users are
RESET_REQUIRED, a row whose user exists is skipped (so a restart loads only what is new),
and a failed row stops the start with its line number.

Identity pools (cognito-identity) go beside them, with their roles; a user pool and app
client of the same file are named by the pool's Id or PoolName and the client's ClientId or
ClientName (docs/IDENTITY_POOLS.md):

    identity_pools:
      - Id: us-east-1:4a7e1c52-0000-4000-8000-000000000001   # fixed id (optional)
        IdentityPoolName: demo
        AllowUnauthenticatedIdentities: true
        # ...any other CreateIdentityPool parameter
        CognitoIdentityProviders:
          - UserPool: demo               # a pool of this file
            Client: web                  # one of its clients
            ServerSideTokenCheck: false
          # or as the API has it: {ProviderName: cognito-idp.<region>.amazonaws.com/<id>,
          #                        ClientId: ...}
        Roles:
          authenticated: arn:aws:iam::000000000000:role/Cognito_Auth
          unauthenticated: arn:aws:iam::000000000000:role/Cognito_Unauth
        RoleMappings:                    # as SetIdentityPoolRoles has it, or a list whose
          - UserPool: demo               # items name their provider (UserPool + Client,
            Client: web                  # or Provider: accounts.google.com)
            Type: Token
            AmbiguousRoleResolution: AuthenticatedRole

Each pool and identity pool belongs to an account and a region (api/scope.py: a signed
call sees only its own). By default the default account (000000000000) and --region;
`account:` and `region:` at the top of the file change that for every pool of the file,
and the same keys on one pool (or identity pool) for that pool alone. A fixed Id already
names its region: a different `region:` beside it is an error. Quote the account
('012345678901'): YAML reads unquoted digits as a number.

    account: '111111111111'              # every pool below, unless it says otherwise
    region: eu-west-1
    pools:
      - PoolName: team-a                 # 111111111111, eu-west-1
      - PoolName: team-b
        account: '222222222222'          # this one only
        region: us-east-1

Applying is idempotent: what already exists (same id or, for a pool without an Id, same
PoolName in its account and region) is left as it is, so a restart on a data dir keeps
changes made since, and processes starting together on one store create each pool once.
An identity pool without an Id counts as existing when a pool of its IdentityPoolName does
in its account and region.

The same file may name the Lambda functions that triggers call (see emulator/lambdas):

    functions:
      define-auth: lambdas/define.py:handler     # relative to this file's folder
      create-auth: lambdas/create.mjs
      verify-auth: my_package.triggers:verify    # this file's folder is on sys.path

the IAM identity providers that identity pools list by ARN (docs/IDENTITY_POOLS.md, "IAM
identity providers"; there is no IAM here, so they are declared):

    iam:
      oidc_providers:      # arn:aws:iam::<account>:oidc-provider/<url without https://>
        - url: https://login.example.com/realms/x   # http:// for loopback hosts only
          client_ids: [my-app]                       # the accepted audiences (aud / azp)
      saml_providers:      # arn:aws:iam::<account>:saml-provider/<name>
        - name: CorpIdP
          metadata_file: idp-metadata.xml   # relative to this file's folder
          # or metadata: "<EntityDescriptor ...>"

and the threat-protection engine's offline world (docs/RISK.md):

    risk:
      geo:                 # replaces the built-in workshop table (CIDR -> place)
        - {cidr: 198.51.100.0/24, country: DE, city: Berlin, lat: 52.52, lon: 13.40}
      bad_ip_ranges: [203.0.113.0/24]   # IP reputation: sign-ins from here score higher
      compromised_passwords_file: breached.txt   # or a list; plain or SHA-1 (docs/RISK.md),
                                                 # relative to this file's folder
      compromised_passwords: [Workshop-Leak-2024]   # extra plain passwords
      compromised_min_guesses_log10: 6   # zxcvbn rule: flag below 10**6 guesses
"""
import json
import os
import re
import uuid

import yaml

from .api.context import Context
from .api.registry import handler
from .api.validation import ValidationFailure, validate
from .domain.identity import iam_providers
from .errors import CognitoError


class SeedError(Exception):
    pass


def from_file(path: str):
    """Read and check the file now (fail fast at start); return seed(emu)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read seed file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("pools", []), list):
        raise SeedError(f"seed file {path}: expected a mapping with a 'pools' list")
    if not isinstance(data.get("identity_pools", []), list):
        raise SeedError(f"seed file {path}: 'identity_pools' must be a list")
    iam = iam_from_file(path, data)
    _resolve_csv_paths(path, data)

    def seed(emu) -> None:
        emu.settings.extra[iam_providers.EXTRA_KEY] = iam
        apply(emu, data)
    return seed


def iam_from_file(path: str, data: dict) -> dict:
    """The file's top-level `iam:` section (the IAM OIDC and SAML providers identity pools
    trust), checked now: a bad entry or an unreadable metadata file stops the start naming
    it. Kept in settings.extra["iam"] (domain/identity/iam_providers.py says why)."""
    try:
        return iam_providers.from_config(data.get("iam"),
                                         os.path.dirname(os.path.abspath(path)))
    except iam_providers.IamConfigError as exc:
        raise SeedError(f"config file {path}: iam: {exc}") from None


def _read(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read config file {path}: {exc}") from None


def functions_from_file(path: str) -> dict[str, str]:
    """The file's top-level `functions:` mapping, checked (files exist, node is there) and
    with paths made absolute from the file's folder; {} when there is none."""
    from . import lambdas
    data = _read(path)
    functions = data.get("functions") if isinstance(data, dict) else None
    if functions is None:
        return {}
    base_dir = os.path.dirname(os.path.abspath(path))
    try:
        return lambdas.resolve_all(functions, base_dir)
    except lambdas.SpecError as exc:
        raise SeedError(f"config file {path}: {exc}") from None


RISK_KEYS = {"geo", "bad_ip_ranges", "compromised_passwords_file", "compromised_passwords",
             "compromised_min_guesses_log10"}


def risk_from_file(path: str) -> dict:
    """The file's top-level `risk:` mapping (geo table, bad IP ranges, compromised-password
    lists), checked; {} when there is none. It becomes settings.extra["risk"]
    (domain/risk_config.engine_config). Breach files are read now: one that can't be read
    stops the start with an error naming it, rather than leaving the check silently empty."""
    import ipaddress
    data = _read(path)
    found = data.get("risk") if isinstance(data, dict) else None
    if found is None:
        return {}
    where = f"config file {path}: risk"
    if not isinstance(found, dict) or set(found) - RISK_KEYS:
        raise SeedError(f"{where}: expected a mapping with 'geo', 'bad_ip_ranges', "
                        "'compromised_passwords_file', 'compromised_passwords' and/or "
                        "'compromised_min_guesses_log10'")
    try:
        for cidr in found.get("bad_ip_ranges") or []:
            ipaddress.ip_network(str(cidr), strict=False)
        for place in found.get("geo") or []:
            ipaddress.ip_network(str(place["cidr"]), strict=False)
            if not isinstance(place.get("country"), str):
                raise ValueError(f"{place!r} has no country")
            float(place.get("lat", 0)), float(place.get("lon", 0))
    except (ValueError, TypeError, KeyError) as exc:
        raise SeedError(f"{where}: {exc}") from None
    return {"geo": [dict(p) for p in found.get("geo") or []] or None,
            "bad_ip_ranges": [str(c) for c in found.get("bad_ip_ranges") or []],
            **_compromised_from(found, os.path.dirname(os.path.abspath(path)), where)}


def _compromised_from(found: dict, base_dir: str, where: str) -> dict:
    """The compromised-password settings of a `risk:` mapping; files made absolute from the
    config file's folder and loaded (risk.warm) so a bad one fails the start."""
    files = found.get("compromised_passwords_file") or []
    files = [files] if isinstance(files, str) else files
    extra = found.get("compromised_passwords") or []
    threshold = found.get("compromised_min_guesses_log10")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SeedError(f"{where}: compromised_passwords_file: expected a path or a list of paths")
    if not isinstance(extra, list) or not all(isinstance(p, str | int) and not isinstance(
            p, bool) for p in extra):       # YAML reads a password such as 123456 as a number
        raise SeedError(f"{where}: compromised_passwords: expected a list of passwords")
    if threshold is not None and (isinstance(threshold, bool)
                                  or not isinstance(threshold, int | float)):
        raise SeedError(f"{where}: compromised_min_guesses_log10: expected a number")
    if not (files or extra or threshold is not None):
        return {}
    import risk
    files = [os.path.join(base_dir, os.path.expanduser(f)) for f in files]
    try:
        risk.warm(files)
    except risk.BreachFileError as exc:
        raise SeedError(f"{where}: {exc}") from None
    out: dict = {"compromised_passwords_files": files,
                 "compromised_passwords": [str(p) for p in extra]}
    if threshold is not None:
        out["compromised_min_guesses_log10"] = float(threshold)
    return out


def _call(ctx: Context, op: str, params: dict) -> dict:
    _check(op, params)
    return handler("cognito-idp", op)(ctx.answering(op, params), params)


def apply(emu, data: dict) -> None:
    from .domain import clients as client_store
    from .domain import pools as pool_store
    from .domain import users as user_store

    ctx = Context(emu=emu, operation="Seed", request_id=str(uuid.uuid4()),
                  region=emu.settings.region, account_id=emu.settings.account_id, signed=True)
    home = _owner(dict(data), "", (emu.settings.account_id, emu.settings.region))
    seeded: list[dict] = []   # the user pools of this file, for identity pools to name
    imports: list[tuple[str, str]] = []   # (pool id, users_csv), loaded once pools exist
    try:
        with emu.store.transaction():
            for spec in data.get("pools") or []:
                spec = dict(spec)
                clients = spec.pop("Clients", None) or []
                groups = spec.pop("Groups", None) or []
                users = spec.pop("Users", None) or []
                csv_path = spec.pop("users_csv", None)
                pool_id = spec.pop("Id", None)
                ctx.account_id, ctx.region = _owner(spec, pool_id and pool_id.split("_")[0],
                                                    home)
                pool = pool_store.get(emu.store, pool_id) if pool_id else \
                    _pool_named(emu.store, spec.get("PoolName"), ctx.account_id, ctx.region)
                if pool is None:
                    _check("CreateUserPool", spec)
                    pool = pool_store.create_pool(ctx, spec, pool_id=pool_id)
                for cspec in clients:
                    cspec = {**cspec, "UserPoolId": pool["Id"]}
                    client_id = cspec.pop("ClientId", None)
                    secret = cspec.pop("ClientSecret", None)
                    if client_id and client_store.get(emu.store, pool["Id"], client_id):
                        continue
                    _check("CreateUserPoolClient", cspec)
                    client_store.create_client(ctx, pool, cspec, client_id=client_id,
                                                  client_secret=secret)
                for gspec in groups:
                    gspec = {**gspec, "UserPoolId": pool["Id"]}
                    try:
                        _call(ctx, "CreateGroup", gspec)
                    except CognitoError as err:
                        if err.code != "GroupExistsException":
                            raise
                for uspec in users:
                    _seed_user(ctx, pool, uspec, user_store)
                seeded.append(pool)
                if csv_path:
                    imports.append((pool["Id"], csv_path))
            for spec in data.get("identity_pools") or []:
                spec = dict(spec)
                pool_id = spec.get("Id")
                ctx.account_id, ctx.region = _owner(
                    spec, isinstance(pool_id, str) and pool_id.split(":")[0], home)
                _seed_identity_pool(ctx, spec, seeded)
    except CognitoError as err:
        raise SeedError(f"seed: {err.code}: {err.message}") from None
    for pool_id, csv_path in imports:  # after the commit: chunks of their own, as a job's
        _import_users(emu, pool_id, csv_path)


def _resolve_csv_paths(path: str, data: dict) -> None:
    """Make each pool's `users_csv` absolute from the seed file's folder, and check now
    that it can be read."""
    base_dir = os.path.dirname(os.path.abspath(path))
    for spec in data.get("pools") or []:
        if not isinstance(spec, dict) or spec.get("users_csv") is None:
            continue
        if not isinstance(spec["users_csv"], str):
            raise SeedError(f"seed file {path}: users_csv must be a path")
        spec["users_csv"] = os.path.join(base_dir, os.path.expanduser(spec["users_csv"]))
        if not os.access(spec["users_csv"], os.R_OK):
            raise SeedError(f"seed file {path}: cannot read users_csv {spec['users_csv']}")


def _import_users(emu, pool_id: str, csv_path: str) -> None:
    """A pool's `users_csv`, through the user import jobs' code (no job record)."""
    from pathlib import Path

    from .domain import user_import
    try:
        tally = user_import.import_csv(emu, pool_id, Path(csv_path))
    except user_import.ImportFailed as failure:
        raise SeedError(f"seed: users_csv {csv_path}: {failure}") from None
    except OSError as exc:
        raise SeedError(f"seed: cannot read users_csv {csv_path}: {exc}") from None
    if tally is not None and tally.failed:
        failed = [line for line in tally.lines if line.startswith("[FAILED]")]
        raise SeedError(f"seed: users_csv {csv_path}: {tally.failed} rows failed: "
                        + "; ".join(failed[:3]))


def _pool_named(store, name, account: str, region: str) -> dict | None:
    """The pool of that name in that account and region (the first by id), if any: a pool
    entry without an Id is the same pool at every start, and when several processes start
    on one store (their seeds run one at a time, in one transaction each) the first creates
    it and the others find it."""
    from .domain import pools as pool_store

    after = None
    while True:
        page, after = pool_store.list_pools(store, account, region, after=after, limit=60)
        for pool in page:
            if pool.get("Name") == name:
                return pool
        if after is None:
            return None


_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")


def _owner(spec: dict, id_region, default: tuple[str, str]) -> tuple[str, str]:
    """(account, region) of a pool entry (or of the whole file): its `account:` and
    `region:` keys (taken out of spec), else the default; a fixed id's region wins, and a
    different `region:` beside it is an error."""
    account = spec.pop("account", default[0])
    if isinstance(account, int) and not isinstance(account, bool):
        account = f"{account:012d}"
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        raise SeedError(f"seed: account {account!r} is not a 12-digit AWS account id")
    region = spec.pop("region", None)
    if region is not None and (not isinstance(region, str) or not _REGION.fullmatch(region)):
        raise SeedError(f"seed: region {region!r} is not a region name such as us-east-1")
    if id_region and region and region != id_region:
        raise SeedError(f"seed: region {region} beside an Id of region {id_region}")
    return account, id_region or region or default[1]


def _check(op: str, params: dict, service: str = "cognito-idp") -> None:
    try:
        validate(op, params, service)
    except ValidationFailure as failure:
        raise SeedError(f"{op}: {failure.message}") from None


IDENTITY = "cognito-identity"


def _seed_identity_pool(ctx, spec: dict, user_pools: list[dict]) -> None:
    """One entry of `identity_pools:`: created with its roles unless it exists already."""
    from .domain.identity import pools as identity_pools
    from .domain.identity import roles

    pool_id = spec.pop("Id", None)
    role_spec = {"Roles": spec.pop("Roles", None) or {},
                 "RoleMappings": spec.pop("RoleMappings", None) or {}}
    name = spec.get("IdentityPoolName")
    if pool_id is not None:
        _check("DescribeIdentityPool", {"IdentityPoolId": pool_id}, IDENTITY)
        if identity_pools.get(ctx.store, pool_id):
            return
    elif any(p["IdentityPoolName"] == name
             and identity_pools.owner(ctx, key) == (ctx.account_id, ctx.region)
             for key, p in ctx.store.list(identity_pools.KIND, "")):
        return
    spec["CognitoIdentityProviders"] = [_user_pool_provider(ctx.store, p, user_pools)
                                        for p in spec.get("CognitoIdentityProviders") or []]
    _check("CreateIdentityPool", spec, IDENTITY)
    pool = identity_pools.create(ctx.answering("CreateIdentityPool", spec), spec,
                                 pool_id=pool_id)
    mappings = role_spec["RoleMappings"]
    if isinstance(mappings, list):
        role_spec["RoleMappings"] = dict(_role_mapping(ctx.store, m, user_pools) for m in mappings)
    if role_spec["Roles"] or role_spec["RoleMappings"]:
        params = {"IdentityPoolId": pool["IdentityPoolId"], **role_spec}
        _check("SetIdentityPoolRoles", params, IDENTITY)
        roles.set_roles(ctx.store, pool["IdentityPoolId"], params)


def _user_pool_provider(store, spec: dict, user_pools: list[dict]) -> dict:
    """A CognitoIdentityProviders item; `UserPool` + `Client` name a pool and client of
    this file and become ProviderName + ClientId."""
    spec = dict(spec)
    if "UserPool" not in spec:
        return spec
    pool, client_id = _pool_and_client(store, spec.pop("UserPool"), spec.pop("Client", None),
                                       user_pools)
    return {"ProviderName": _provider_name(pool), "ClientId": client_id, **spec}


def _role_mapping(store, spec: dict, user_pools: list[dict]) -> tuple[str, dict]:
    """A RoleMappings list item -> (provider key, RoleMapping)."""
    spec = dict(spec)
    if "UserPool" in spec:
        pool, client_id = _pool_and_client(store, spec.pop("UserPool"), spec.pop("Client", None),
                                           user_pools)
        return f"{_provider_name(pool)}:{client_id}", spec
    if "Provider" not in spec:
        raise SeedError("identity_pools: a RoleMappings item names its provider with "
                        "'UserPool' and 'Client' or with 'Provider'")
    return spec.pop("Provider"), spec


def _provider_name(pool: dict) -> str:
    region = pool["Id"].split("_", 1)[0]
    return f"cognito-idp.{region}.amazonaws.com/{pool['Id']}"


def _pool_and_client(store, pool_ref, client_ref, user_pools: list[dict]) -> tuple[dict, str]:
    from .domain import clients as client_store
    pool = next((p for p in user_pools if pool_ref in (p["Id"], p["Name"])), None)
    if pool is None:
        raise SeedError(f"identity_pools: no user pool {pool_ref!r} in this file "
                        "(name one by its Id or PoolName)")
    clients, _ = client_store.list_clients(store, pool["Id"], after=None, limit=1000)
    client = next((c for c in clients if client_ref in (c["ClientId"], c["ClientName"])), None)
    if client is None:
        raise SeedError(f"identity_pools: user pool {pool_ref!r} has no app client "
                        f"{client_ref!r} (name one by its ClientId or ClientName)")
    return pool, client["ClientId"]


def _seed_user(ctx, pool: dict, spec: dict, user_store) -> None:
    username = spec["Username"]
    if user_store.find(ctx.store, pool, username) is None:
        attrs = [{"Name": k, "Value": str(v).lower() if isinstance(v, bool) else str(v)}
                 for k, v in (spec.get("Attributes") or {}).items()]
        created = _call(ctx, "AdminCreateUser", {
            "UserPoolId": pool["Id"], "Username": username, "UserAttributes": attrs,
            "MessageAction": "SUPPRESS"})["User"]
        if spec.get("Password"):
            _call(ctx, "AdminSetUserPassword", {
                "UserPoolId": pool["Id"], "Username": created["Username"],
                "Password": spec["Password"], "Permanent": True})
        if spec.get("Enabled") is False:
            _call(ctx, "AdminDisableUser", {"UserPoolId": pool["Id"], "Username": username})
    for group in spec.get("Groups") or []:
        _call(ctx, "AdminAddUserToGroup", {"UserPoolId": pool["Id"], "Username": username,
                                           "GroupName": group})

