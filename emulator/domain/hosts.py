"""Is this host the local machine? One answer for the console's guard (a peer address), the
test-only http:// allowances of IAM OIDC providers and CIMD documents (a URL's host)."""
import ipaddress


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1, an IPv4-mapped ::ffff:127.x, or the name localhost."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback
