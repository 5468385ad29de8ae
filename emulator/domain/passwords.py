"""The pool's password policy, with the exact InvalidPasswordException wording Cognito uses."""
import secrets
import string

from ..errors import CognitoError
from . import pools

# Cognito's list of special characters; a space that is neither leading nor trailing counts too.
SYMBOLS = set("^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= ")


def problems(policy: dict, password: str) -> list[str]:
    found = []
    if len(password) < policy.get("MinimumLength", 8):
        found.append("Password not long enough")
    if policy.get("RequireLowercase", True) and not any(c.islower() for c in password):
        found.append("Password must have lowercase characters")
    if policy.get("RequireUppercase", True) and not any(c.isupper() for c in password):
        found.append("Password must have uppercase characters")
    if policy.get("RequireNumbers", True) and not any(c.isdigit() for c in password):
        found.append("Password must have numeric characters")
    if policy.get("RequireSymbols", True) and not any(c in SYMBOLS for c in password.strip()):
        found.append("Password must have symbol characters")
    return found


def check(pool: dict, password: str) -> None:
    """Raise InvalidPasswordException naming the first rule the password breaks."""
    found = problems(pools.password_policy(pool), password)
    if found:
        raise CognitoError("InvalidPasswordException",
                           f"Password did not conform with policy: {found[0]}")


def temporary(pool: dict) -> str:
    """A random password that satisfies the pool's policy (AdminCreateUser without one)."""
    policy = pools.password_policy(pool)
    length = max(policy.get("MinimumLength", 8), 12)
    pick = secrets.choice
    chars = [pick(string.ascii_lowercase), pick(string.ascii_uppercase), pick(string.digits),
             pick("^$*.[]{}()?!@#%&")]
    alphabet = string.ascii_letters + string.digits + "!@#%&"
    chars += [pick(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def temporary_validity_seconds(pool: dict) -> float:
    return pools.password_policy(pool).get("TemporaryPasswordValidityDays", 7) * 86400
