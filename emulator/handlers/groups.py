"""Groups: CreateGroup ... ListUsersInGroup."""
from ..api.registry import operation
from ..domain import groups, paging, users

LIST_LIMIT = 60
_FIELDS = ("Description", "RoleArn", "Precedence")


def _page(items: list, limit: int, key_of) -> tuple[list, str | None]:
    """items holds up to limit+1 entries; the extra one only says another page exists."""
    if len(items) > limit:
        items = items[:limit]
        return items, paging.token(key_of(items[-1]))
    return items, None


@operation("CreateGroup")
def create_group(ctx, params):
    ctx.check_pool()
    now = ctx.now()
    group = {"GroupName": params["GroupName"], "UserPoolId": params["UserPoolId"]}
    for name in _FIELDS:
        if name in params:
            group[name] = params[name]
    group["LastModifiedDate"] = now
    group["CreationDate"] = now
    groups.create(ctx.store, params["UserPoolId"], group)
    return {"Group": group}


@operation("GetGroup")
def get_group(ctx, params):
    ctx.check_pool()
    return {"Group": groups.require(ctx.store, params["UserPoolId"], params["GroupName"])}


@operation("UpdateGroup")
def update_group(ctx, params):
    """Only the fields given change (as Cognito documents for UpdateGroup)."""
    ctx.check_pool()
    group = groups.require(ctx.store, params["UserPoolId"], params["GroupName"])
    for name in _FIELDS:
        if name in params:
            group[name] = params[name]
    group["LastModifiedDate"] = ctx.now()
    groups.save(ctx.store, group)
    return {"Group": group}


@operation("DeleteGroup")
def delete_group(ctx, params):
    ctx.check_pool()
    groups.require(ctx.store, params["UserPoolId"], params["GroupName"])
    groups.delete(ctx.store, params["UserPoolId"], params["GroupName"])
    return {}


@operation("ListGroups")
def list_groups(ctx, params):
    ctx.check_pool()
    limit = params.get("Limit") or LIST_LIMIT
    found = groups.list_groups(ctx.store, params["UserPoolId"],
                               after=paging.after(params.get("NextToken")), limit=limit + 1)
    page, token = _page(found, limit, lambda g: g["GroupName"])
    out = {"Groups": page}
    if token:
        out["NextToken"] = token
    return out


def _pool_user_group(ctx, params) -> tuple[dict, dict, dict]:
    pool = ctx.pool
    group = groups.require(ctx.store, pool["Id"], params["GroupName"])
    user = users.require(ctx.store, pool, params["Username"])
    return pool, user, group


@operation("AdminAddUserToGroup")
def admin_add_user_to_group(ctx, params):
    pool, user, group = _pool_user_group(ctx, params)
    groups.add_user(ctx.store, pool, group["GroupName"], user)
    return {}


@operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx, params):
    pool, user, group = _pool_user_group(ctx, params)
    groups.remove_from_group(ctx.store, pool, group["GroupName"], user)
    return {}


@operation("AdminListGroupsForUser")
def admin_list_groups_for_user(ctx, params):
    pool = ctx.pool
    user = users.require(ctx.store, pool, params["Username"])
    limit = params.get("Limit") or LIST_LIMIT
    names = groups.group_names_for_user(ctx.store, pool, user,
                                        after=paging.after(params.get("NextToken")),
                                        limit=limit + 1)
    names, token = _page(names, limit, lambda n: n)
    out = {"Groups": [g for g in (groups.get(ctx.store, pool["Id"], n) for n in names) if g]}
    if token:
        out["NextToken"] = token
    return out


@operation("ListUsersInGroup")
def list_users_in_group(ctx, params):
    pool = ctx.pool
    groups.require(ctx.store, pool["Id"], params["GroupName"])
    limit = params.get("Limit") or LIST_LIMIT
    keys = groups.user_keys_in_group(ctx.store, pool["Id"], params["GroupName"],
                                     after=paging.after(params.get("NextToken")), limit=limit + 1)
    keys, token = _page(keys, limit, lambda k: k)
    found = (ctx.store.get(users.KIND, pool["Id"], k) for k in keys)
    out = {"Users": [users.public(u) for u in found if u]}
    if token:
        out["NextToken"] = token
    return out
