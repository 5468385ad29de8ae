"""Deleting what other records hang off, in one module above the ones it deletes from, so
that users, pools, clients, groups, devices and federation stay leaves that know nothing of
each other.

    delete_user(store, pool, user)  AdminDeleteUser, DeleteUser: group memberships,
                                    remembered devices, provider links, then the user (its
                                    tokens die with it: they name its sub)
    delete_client(store, client)    DeleteUserPoolClient: its terms documents, then the client
    delete_pool(store, pool)        DeleteUserPool: everything scoped to the pool (terms
                                    documents included), and the service-wide index entries
                                    of its clients (unsigned calls find a client by id alone)
                                    and of its domains
"""
from . import clients, devices, domains, federation, groups, pools, terms, users


def delete_user(store, pool: dict, user: dict) -> None:
    with store.transaction():
        groups.remove_user(store, pool, user)
        devices.forget_all(store, pool, user)
        federation.forget_user(store, pool, user)
        users.delete(store, pool, user)


def delete_client(store, client: dict) -> None:
    with store.transaction():
        terms.remove_for_client(store, client)
        clients.delete(store, client)


def delete_pool(store, pool: dict) -> None:
    pools.check_no_domain(pool)
    with store.transaction():
        for _, client in store.list(clients.KIND, pool["Id"]):
            clients.delete(store, client)
        domains.remove_all(store, pool)
        store.delete_scope(pool["Id"])
        store.delete(pools.KIND, "", pool["Id"])
