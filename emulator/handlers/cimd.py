"""Client ID Metadata Document policies: CreateCIMDPolicy, DescribeCIMDPolicy,
UpdateCIMDPolicy, DeleteCIMDPolicy, ListCIMDPolicies, ListClientMetadataURLs,
UpdateClientMetadataURLState (the documents themselves: domain/cimd.py)."""
from ..api.registry import operation
from ..domain import cimd


@operation("CreateCIMDPolicy")
def create_cimd_policy(ctx, params):
    return {"CIMDPolicy": cimd.create(ctx, ctx.pool, params)}


@operation("DescribeCIMDPolicy")
def describe_cimd_policy(ctx, params):
    pool = ctx.pool
    policy = cimd.require(ctx.store, pool["Id"], params["CIMDPolicyId"])
    return {"CIMDPolicy": cimd.public(ctx.store, policy)}


@operation("UpdateCIMDPolicy")
def update_cimd_policy(ctx, params):
    return {"CIMDPolicy": cimd.update(ctx, ctx.pool, params)}


@operation("DeleteCIMDPolicy")
def delete_cimd_policy(ctx, params):
    cimd.delete(ctx.store, ctx.pool, params["CIMDPolicyId"])
    return {}


@operation("ListCIMDPolicies")
def list_cimd_policies(ctx, params):
    # The token is the id of the last policy of the previous page (id order).
    pool = ctx.pool
    items, next_token = cimd.page(ctx.store, pool["Id"], after=params.get("NextToken"),
                                  limit=params.get("MaxResults", cimd.DEFAULT_PAGE))
    out: dict = {"CIMDPolicies": items}
    if next_token:
        out["NextToken"] = next_token
    return out


@operation("ListClientMetadataURLs")
def list_client_metadata_urls(ctx, params):
    # The token is the last URL of the previous page (URL order).
    items, next_token = cimd.url_page(ctx.store, ctx.pool, params["CIMDPolicyId"],
                                      after=params.get("NextToken"),
                                      limit=params.get("MaxResults", cimd.DEFAULT_PAGE))
    out: dict = {"ClientMetadataURLs": items}
    if next_token:
        out["NextToken"] = next_token
    return out


@operation("UpdateClientMetadataURLState")
def update_client_metadata_url_state(ctx, params):
    cimd.update_url_state(ctx, ctx.pool, params)
    return {}
