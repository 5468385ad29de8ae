"""What a handler knows about the call it is answering: one Context for the JSON API and the
web routes (http.web_context builds it there).

The pool a call names and the caller behind its AccessToken are resolved once, the first
time the handler asks (ctx.pool, ctx.caller), inside the call's transaction: handlers don't
repeat the same opening lines, and an error still comes when the handler reaches that point
(the same order of checks as asking the domain directly).
"""
from dataclasses import dataclass, field

from ..auth import tokens
from ..domain import pools
from ..service import Emulator


@dataclass
class Context:
    emu: Emulator
    operation: str
    request_id: str
    region: str
    account_id: str
    source_ip: str = "127.0.0.1"
    headers: dict = field(default_factory=dict)
    # A browser/OAuth request's own scheme://host (http.web_context); "" for API calls.
    origin: str = ""
    signed: bool = False
    # The answer is only serialised after the call (the JSON API): tokens may be signed once
    # the store transaction has committed (auth/tokens.py, calls.run), outside the store's
    # lock. A list (the dispatcher's []) collects the tokens put off; None, where a token is
    # used inside the call (a redirect URL, say), signs at once.
    sign_after_commit: list | None = None
    params: dict = field(default_factory=dict)     # the validated request of an API call
    _resolved: dict = field(default_factory=dict, repr=False)

    @property
    def store(self):
        return self.emu.store

    @property
    def settings(self):
        return self.emu.settings

    def now(self) -> float:
        return self.emu.clock.now()

    def answering(self, operation: str, params: dict) -> "Context":
        """This context, now answering `operation` with `params` (seed files run several
        operations on one context): what was resolved for the last one is forgotten."""
        self.operation, self.params = operation, params
        self._resolved.clear()
        return self

    @property
    def pool(self) -> dict:
        """The user pool the call's UserPoolId names; ResourceNotFoundException when none."""
        if "pool" not in self._resolved:
            self._resolved["pool"] = pools.require(self.store, self.params["UserPoolId"])
        return self._resolved["pool"]

    def act_on(self, pool: dict) -> None:
        """Answer this call with `pool` as ctx.pool (api/scope.py: a replica's view of its
        primary, as seen from the replica's region)."""
        self._resolved["pool"] = pool

    def check_pool(self) -> None:
        """Only that the pool exists (ResourceNotFoundException first, as Cognito answers)."""
        self.pool  # noqa: B018 - the lookup is the check

    @property
    def caller(self) -> tuple[dict, dict, dict]:
        """(pool, user, claims) of the call's AccessToken (auth/tokens.authorize): the
        signed-in user a self-service operation acts for. The model leaves AccessToken
        optional on a few operations (GetDevice, ForgetDevice: a device's own tokens may
        call them); without one the call is refused as with a bad token."""
        if "caller" not in self._resolved:
            self._resolved["caller"] = tokens.authorize(self,
                                                        self.params.get("AccessToken") or "")
        return self._resolved["caller"]
