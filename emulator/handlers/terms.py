"""Terms documents of app clients: CreateTerms, DescribeTerms, DescribeTermsByClient,
UpdateTerms, DeleteTerms, ListTerms."""
from ..api.registry import operation
from ..domain import terms


@operation("CreateTerms")
def create_terms(ctx, params):
    return {"Terms": terms.create(ctx, ctx.pool, params)}


@operation("DescribeTerms")
def describe_terms(ctx, params):
    pool = ctx.pool
    return {"Terms": terms.require(ctx.store, pool["Id"], params["TermsId"])}


@operation("DescribeTermsByClient")
def describe_terms_by_client(ctx, params):
    pool = ctx.pool
    return {"Terms": terms.require_by_client(ctx.store, pool["Id"], params["ClientId"],
                                             params["TermsName"])}


@operation("UpdateTerms")
def update_terms(ctx, params):
    return {"Terms": terms.update(ctx, ctx.pool, params)}


@operation("DeleteTerms")
def delete_terms(ctx, params):
    pool = ctx.pool
    terms.delete(ctx.store, pool["Id"], params["TermsId"])
    return {}


@operation("ListTerms")
def list_terms(ctx, params):
    # The token is the TermsId of the last document of the previous page (TermsId order).
    pool = ctx.pool
    items, next_token = terms.page(ctx.store, pool["Id"], after=params.get("NextToken"),
                                   limit=params.get("MaxResults", terms.DEFAULT_PAGE))
    out = {"Terms": items}
    if next_token:
        out["NextToken"] = next_token
    return out
