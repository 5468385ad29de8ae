"""User-pool groups and who belongs to them.

Records (scope = pool id):
    "group"        key = group name -> GroupType (GroupName, UserPoolId, Description, RoleArn,
                   Precedence, CreationDate, LastModifiedDate)
    "group_member" key = "<group name>\\n<user key>" -> {"group", "user"}   (group -> its users)
    "user_group"   key = "<user key>\\n<group name>" -> {"group", "user"}   (user -> their groups)
Membership is filed both ways so either list is one ordered range scan. '\\n' can't occur in
a group name (pattern: letters, marks, symbols, numbers, punctuation) nor in a username key.
"""
from ..errors import CognitoError
from . import pitr_history, users

KIND = "group"
MEMBER = "group_member"
USER_GROUP = "user_group"
_SEP = "\n"


def not_found() -> CognitoError:
    return CognitoError("ResourceNotFoundException", "Group not found.")


def get(store, pool_id: str, name: str) -> dict | None:
    return store.get(KIND, pool_id, name)


def require(store, pool_id: str, name: str) -> dict:
    group = get(store, pool_id, name)
    if group is None:
        raise not_found()
    return group


def create(store, pool_id: str, group: dict) -> None:
    from ..store import AlreadyExists
    with store.transaction():
        pitr_history.record(store, pool_id, KIND, group["GroupName"], group)
        try:
            store.insert(KIND, pool_id, group["GroupName"], group)
        except AlreadyExists:
            raise CognitoError("GroupExistsException",
                               f"A group with the name {group['GroupName']} already exists.") \
                from None


def save(store, group: dict) -> None:
    with store.transaction():
        pitr_history.record(store, group["UserPoolId"], KIND, group["GroupName"], group)
        store.put(KIND, group["UserPoolId"], group["GroupName"], group)


def delete(store, pool_id: str, name: str) -> None:
    """Remove the group and every membership in it."""
    with store.transaction():
        for _, link in store.list(MEMBER, pool_id, prefix=name + _SEP):
            remove_member(store, pool_id, name, link["user"])
        pitr_history.record(store, pool_id, KIND, name, None)
        store.delete(KIND, pool_id, name)


def list_groups(store, pool_id: str, *, after: str | None = None, limit: int | None = None):
    return [g for _, g in store.list(KIND, pool_id, after=after, limit=limit)]


# --- membership -------------------------------------------------------------------------

def _user_key(pool: dict, user: dict) -> str:
    return users.key(pool, user["Username"])


def add_user(store, pool: dict, name: str, user: dict) -> None:
    """Idempotent, as in Cognito: adding a member twice is not an error."""
    add_member(store, pool["Id"], name, _user_key(pool, user))


def remove_from_group(store, pool: dict, name: str, user: dict) -> None:
    remove_member(store, pool["Id"], name, _user_key(pool, user))


def add_member(store, pool_id: str, name: str, user_key: str) -> None:
    """One membership, filed both ways, by the user's key (a recovery restores these)."""
    link = {"group": name, "user": user_key}
    with store.transaction():
        pitr_history.record(store, pool_id, MEMBER, name + _SEP + user_key, link)
        store.put(MEMBER, pool_id, name + _SEP + user_key, link)
        store.put(USER_GROUP, pool_id, user_key + _SEP + name, link)


def remove_member(store, pool_id: str, name: str, user_key: str) -> None:
    with store.transaction():
        pitr_history.record(store, pool_id, MEMBER, name + _SEP + user_key, None)
        store.delete(MEMBER, pool_id, name + _SEP + user_key)
        store.delete(USER_GROUP, pool_id, user_key + _SEP + name)


def remove_user(store, pool: dict, user: dict) -> None:
    """Drop every membership of a user being deleted (AdminDeleteUser, DeleteUser)."""
    uk = _user_key(pool, user)
    with store.transaction():
        for _, link in store.list(USER_GROUP, pool["Id"], prefix=uk + _SEP):
            remove_member(store, pool["Id"], link["group"], uk)


def group_names_for_user(store, pool: dict, user: dict, *, after: str | None = None,
                         limit: int | None = None) -> list[str]:
    """Names of the user's groups in name order (the AdminListGroupsForUser page order)."""
    uk = _user_key(pool, user)
    start = uk + _SEP + after if after is not None else None
    return [link["group"] for _, link in
            store.list(USER_GROUP, pool["Id"], prefix=uk + _SEP, after=start, limit=limit)]


def user_keys_in_group(store, pool_id: str, name: str, *, after: str | None = None,
                       limit: int | None = None) -> list[str]:
    """User keys of the group's members in key order (the ListUsersInGroup page order)."""
    start = name + _SEP + after if after is not None else None
    return [link["user"] for _, link in
            store.list(MEMBER, pool_id, prefix=name + _SEP, after=start, limit=limit)]


def _precedence_order(group: dict):
    p = group.get("Precedence")
    return (p is None, p if p is not None else 0, group["GroupName"])


def for_user(store, pool: dict, user: dict) -> list[dict]:
    """Every group of the user (GroupType dicts), lowest Precedence first, groups without a
    precedence last, ties by name: the order of cognito:groups / cognito:roles in tokens."""
    groups = []
    for name in group_names_for_user(store, pool, user):
        group = get(store, pool["Id"], name)
        if group is not None:
            groups.append(group)
    return sorted(groups, key=_precedence_order)
