"""User-pool domains: the prefix domain (`<prefix>.auth.<region>.amazoncognito.com`, here also
`<prefix>.auth.localhost`) and the custom domain (a FQDN with an ACM certificate) that host the
managed login pages and the OAuth 2.0 endpoints.

Storage: the pool record carries "Domain" (the prefix) and/or "CustomDomain" (the FQDN), as
DescribeUserPool shows them; an index record, kind "domain", scope "", key = the domain string,
finds the pool from a domain (DescribeUserPoolDomain, the Host header of the hosted pages):
    {"poolId", "domain", "custom": bool, "managedLoginVersion", "cloudFrontDomain",
     "certificateArn"?, "securityPolicy"?, "routing"?, "version", "created"}

Domain strings are unique across the whole emulator. In AWS a prefix is unique across all
accounts of one region ("Cognito domain names need to be unique in a given region", a
maintainer in aws-samples/websocket-chat-application#56: another account's prefix is refused
with "Domain already associated with another user pool."), so accounts collide here as
there; regions collide here too, as the local host name `<prefix>.auth.localhost` carries no
region and one prefix can only mean one pool. Create/Update/DeleteUserPoolDomain name their
pool, which api/scope.py keeps to the caller's account and region.
"""
import re
import secrets
import string
import time

from ..errors import CognitoError, invalid
from ..store import AlreadyExists
from . import pools

KIND = "domain"  # scope "", key = the domain string

RESERVED_WORDS = ("aws", "amazon", "cognito")
PREFIX_PATTERN = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
_PREFIX = re.compile(PREFIX_PATTERN)
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_FQDN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
# ACM certificates for Cognito custom domains must live in us-east-1 (CloudFront).
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z\-]*:acm:us-east-1:\d{12}:certificate/[A-Za-z0-9\-]+$")
# CloudFront's wording, which CreateUserPoolDomain passes on as an InvalidParameterException:
# from https://github.com/aws-amplify/amplify-hosting/issues/2278 (the real message goes on
# with CloudFront's "(Service: AmazonCloudFront; Status Code: 400; Error Code:
# InvalidViewerCertificate; ...)", left out here).
_BAD_CERTIFICATE = ("The specified SSL certificate doesn't exist, isn't in us-east-1 region, "
                    "isn't valid, or doesn't include a valid certificate chain.")

LOCAL_SUFFIX = ".auth.localhost"
_AWS_SUFFIX = re.compile(r"\.auth\.[a-z0-9\-]+\.amazoncognito\.com$")

# The S3 bucket AWS names in DomainDescription, by region (airport codes); others use the region.
_ASSET_BUCKET = {"us-east-1": "iad", "us-east-2": "cmh", "us-west-1": "sfo", "us-west-2": "pdx",
                 "eu-west-1": "dub", "eu-west-2": "lhr", "eu-central-1": "fra",
                 "ap-southeast-1": "sin", "ap-southeast-2": "syd", "ap-northeast-1": "nrt"}


# --- look-ups (the hosted pages and OAuth endpoints use these) ------------------------------

def by_domain(store, domain: str) -> dict | None:
    """The index record of a prefix or custom domain, None if no pool has it."""
    return store.get(KIND, "", domain) if domain else None


def for_pool(store, pool: dict) -> list[dict]:
    """Index records of the pool's domains: the prefix domain first, then the custom one."""
    out = []
    for field in ("Domain", "CustomDomain"):
        record = by_domain(store, pool.get(field) or "")
        if record is not None and record["poolId"] == pool["Id"]:
            out.append(record)
    return out


def by_host(store, host: str) -> dict | None:
    """The domain record a request's Host header names: `<prefix>.auth.localhost[:port]`,
    `<prefix>.auth.<region>.amazoncognito.com` or a custom domain; None for anything else."""
    name = (host or "").strip().lower()
    if name.startswith("["):
        return None  # an IPv6 literal
    name = name.rsplit(":", 1)[0] if ":" in name else name
    if name.endswith(LOCAL_SUFFIX):
        return _prefix_record(store, name[:-len(LOCAL_SUFFIX)])
    match = _AWS_SUFFIX.search(name)
    if match:
        return _prefix_record(store, name[:match.start()])
    record = by_domain(store, name)
    return record if record is not None and record["custom"] else None


def _prefix_record(store, prefix: str) -> dict | None:
    record = by_domain(store, prefix)
    return record if record is not None and not record["custom"] else None


def hosted_ui_url(record: dict, region: str) -> str:
    """The domain's base URL as AWS shows it (https://<prefix>.auth.<region>.amazoncognito.com
    or https://<custom domain>)."""
    if record["custom"]:
        return f"https://{record['domain']}"
    return f"https://{record['domain']}.auth.{region}.amazoncognito.com"


# --- lifecycle ------------------------------------------------------------------------------

def create(ctx, pool: dict, params: dict) -> dict:
    """CreateUserPoolDomain. Returns the new index record."""
    domain = params["Domain"]
    custom_config = params.get("CustomDomainConfig")
    custom = custom_config is not None
    if custom:
        _check_custom_name(domain)
        _check_certificate(custom_config)
    else:
        _check_prefix(domain)
        if params.get("Routing") is not None:
            # Documented: routing is only supported for custom domains. Wording UNCONFIRMED.
            raise invalid("Routing configuration is only supported for custom domains.")
    version = _managed_login_version(pool, params.get("ManagedLoginVersion"), default=1)
    field = "CustomDomain" if custom else "Domain"
    if pool.get(field):
        raise invalid("User pool already has a domain configured.")
    now = ctx.now()
    record = {"poolId": pool["Id"], "domain": domain, "custom": custom,
              "managedLoginVersion": version, "cloudFrontDomain": _cloudfront_name(),
              "version": time.strftime("%Y%m%d%H%M%S", time.gmtime(now)), "created": now}
    if custom:
        record["certificateArn"] = custom_config["CertificateArn"]
        if custom_config.get("SecurityPolicy"):
            record["securityPolicy"] = custom_config["SecurityPolicy"]
        if params.get("Routing") is not None:
            record["routing"] = params["Routing"]
    try:
        # The index entry is the service-wide uniqueness check.
        ctx.store.insert(KIND, "", domain, record)
    except AlreadyExists:
        raise invalid("Domain already associated with another user pool.") from None
    pools.save(ctx.store, {**pool, field: domain})  # DescribeUserPool orders the fields
    return record


def update(ctx, pool: dict, params: dict) -> dict:
    """UpdateUserPoolDomain: the managed login version and, for custom domains, the
    certificate (and routing). A custom domain's request must carry its CustomDomainConfig
    (without it the service reads a change to a prefix domain, and refuses); the rest left
    out is kept (UNCONFIRMED)."""
    record = _owned(ctx.store, pool, params["Domain"])
    record = dict(record)
    custom_config = params.get("CustomDomainConfig")
    if custom_config is None and record["custom"]:
        # Request and answer in hashicorp/terraform-provider-aws#43248 and #43252: a
        # ManagedLoginVersion change sent without the certificate.
        raise invalid("Cannot convert custom domain to prefix domain.")
    if custom_config is not None:
        if not record["custom"]:
            # From https://github.com/aws/aws-cdk/issues/25712 (a CloudFormation update of a
            # UserPoolDomain's certificate: InvalidParameterException with this text); that it
            # is this condition is inferred.
            raise invalid("User pool should have a custom domain associated, failed to update "
                          "the certificate.")
        _check_certificate(custom_config)
        record["certificateArn"] = custom_config["CertificateArn"]
        if custom_config.get("SecurityPolicy"):
            record["securityPolicy"] = custom_config["SecurityPolicy"]
    if params.get("Routing") is not None:
        if not record["custom"]:
            raise invalid("Routing configuration is only supported for custom domains.")
        record["routing"] = params["Routing"]
    if params.get("ManagedLoginVersion") is not None:
        record["managedLoginVersion"] = _managed_login_version(
            pool, params["ManagedLoginVersion"], default=record["managedLoginVersion"])
    record["version"] = time.strftime("%Y%m%d%H%M%S", time.gmtime(ctx.now()))
    ctx.store.put(KIND, "", record["domain"], record)
    return record


def delete(ctx, pool: dict, domain: str) -> None:
    """DeleteUserPoolDomain."""
    record = _owned(ctx.store, pool, domain)
    ctx.store.delete(KIND, "", domain)
    field = "CustomDomain" if record["custom"] else "Domain"
    pools.save(ctx.store, {k: v for k, v in pool.items() if k != field})


def remove_all(store, pool: dict) -> None:
    """Drop the index entries of a pool's domains (the pool is being deleted)."""
    for record in for_pool(store, pool):
        store.delete(KIND, "", record["domain"])


def _owned(store, pool: dict, domain: str) -> dict:
    record = by_domain(store, domain)
    if record is None or record["poolId"] != pool["Id"]:
        # Wording as the real service answers DeleteUserPoolDomain for a domain it can't find.
        raise invalid("No such domain or user pool exists.")
    return record


# --- DescribeUserPoolDomain -----------------------------------------------------------------

def describe(store, domain: str, region: str) -> dict:
    """DomainDescriptionType; {} when the domain is unknown (AWS answers an empty
    DomainDescription). Prefix domains are only described in their pool's region."""
    record = by_domain(store, domain)
    if record is None:
        return {}
    pool = pools.get(store, record["poolId"])
    if pool is None:
        return {}
    pool_region = pool["Id"].split("_", 1)[0]
    if not record["custom"] and pool_region != region:
        return {}
    out = {"UserPoolId": pool["Id"], "AWSAccountId": _account_of(pool),
           "Domain": record["domain"],
           "S3Bucket": f"aws-cognito-prod-{_ASSET_BUCKET.get(pool_region, pool_region)}-assets",
           "CloudFrontDistribution": record["cloudFrontDomain"],
           "Version": record["version"], "Status": "ACTIVE"}
    if record["custom"]:
        config = {"CertificateArn": record["certificateArn"]}
        if record.get("securityPolicy"):
            config["SecurityPolicy"] = record["securityPolicy"]
        out["CustomDomainConfig"] = config
    out["ManagedLoginVersion"] = record["managedLoginVersion"]
    if record.get("routing"):
        out["Routing"] = record["routing"]
    return out


def create_response(record: dict) -> dict:
    """The answer to Create/UpdateUserPoolDomain: CloudFrontDomain only for custom domains
    (documented: a prefix domain gets a blank response apart from the version)."""
    out = {"ManagedLoginVersion": record["managedLoginVersion"]}
    if record["custom"]:
        out["CloudFrontDomain"] = record["cloudFrontDomain"]
    if record.get("routing"):
        out["Routing"] = record["routing"]
    return out


# --- checks ---------------------------------------------------------------------------------

def _check_prefix(domain: str) -> None:
    if not _PREFIX.match(domain):
        raise invalid("The domain name contains an invalid character. Domain names can only "
                      "contain lower-case letters, numbers, and hyphens. Please enter a different "
                      f"name that follows this format: {PREFIX_PATTERN}")
    for word in RESERVED_WORDS:
        if word in domain:
            raise invalid(f"Domain cannot contain reserved word: {word}")


def _check_custom_name(domain: str) -> None:
    # A fully qualified name in lower case. AWS also wants a DNS A record for the parent
    # domain; the emulator is offline and skips that. Wording UNCONFIRMED.
    if not _FQDN.match(domain):
        raise invalid(f"The custom domain {domain} is not a valid fully qualified domain name.")


def _check_certificate(config: dict) -> None:
    if not _CERTIFICATE_ARN.match(config.get("CertificateArn") or ""):
        raise invalid(_BAD_CERTIFICATE)


def _managed_login_version(pool: dict, value, *, default: int) -> int:
    if value is None:
        return default
    if value not in (1, 2):
        # Wording UNCONFIRMED.
        raise invalid("ManagedLoginVersion must be 1 (hosted UI classic) or 2 (managed login).")
    if value == 2 and pool.get("UserPoolTier", "ESSENTIALS") == "LITE":
        # Documented: managed login needs a feature plan other than Lite. Wording UNCONFIRMED.
        raise CognitoError("FeatureUnavailableInTierException",
                           "The following features need to be disabled for the LITE pricing "
                           "tier configured: Managed login")
    return value


def _cloudfront_name() -> str:
    # Shaped like a real distribution name: 'd' and 13 lower-case alphanumerics.
    alphabet = string.ascii_lowercase + string.digits
    return "d" + "".join(secrets.choice(alphabet) for _ in range(13)) + ".cloudfront.net"


def _account_of(pool: dict) -> str:
    parts = (pool.get("Arn") or "").split(":")
    return parts[4] if len(parts) > 4 else ""
