"""An identity pool's roles and principal tags (cognito-identity): SetIdentityPoolRoles,
GetIdentityPoolRoles, SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap."""
from ...api import model
from ...api.registry import operation
from ...domain.identity import principal_tags, roles


@operation("SetIdentityPoolRoles", service=model.IDENTITY_SERVICE)
def set_identity_pool_roles(ctx, params):
    roles.set_roles(ctx.store, params["IdentityPoolId"], params)
    return {}


@operation("GetIdentityPoolRoles", service=model.IDENTITY_SERVICE)
def get_identity_pool_roles(ctx, params):
    return roles.get_roles(ctx.store, params["IdentityPoolId"])


@operation("SetPrincipalTagAttributeMap", service=model.IDENTITY_SERVICE)
def set_principal_tag_attribute_map(ctx, params):
    return principal_tags.set_map(ctx.store, params)


@operation("GetPrincipalTagAttributeMap", service=model.IDENTITY_SERVICE)
def get_principal_tag_attribute_map(ctx, params):
    return principal_tags.get_map(ctx.store, params["IdentityPoolId"],
                                  params["IdentityProviderName"])
