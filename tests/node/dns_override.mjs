// Preloaded with `node --import ./dns_override.mjs`: what an /etc/hosts entry does, for one
// process. Every name under amazonaws.com or amazoncognito.com resolves to
// DNS_OVERRIDE_ADDRESS (the emulator's address); nothing else changes: not the port, not the
// URL, not TLS or its certificate checks. Node has no host-resolver flag, and its https
// client (aws-jwt-verify's default fetcher uses node:https) resolves through dns.lookup at
// connect time, so wrapping dns.lookup is enough. The names asked for are kept in
// globalThis.dnsOverrideLookups, so a script can show the override was really used.
import dns from "node:dns";

const address = process.env.DNS_OVERRIDE_ADDRESS;
if (!address) throw new Error("dns_override.mjs: set DNS_OVERRIDE_ADDRESS");
const family = address.includes(":") ? 6 : 4;
const SUFFIXES = [".amazonaws.com", ".amazoncognito.com"];
const lookups = (globalThis.dnsOverrideLookups = []);

function ours(hostname) {
  const name = String(hostname).toLowerCase().replace(/\.$/, "");
  return SUFFIXES.some((suffix) => name.endsWith(suffix));
}

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (!ours(hostname)) return lookup.apply(this, arguments);
  if (typeof options === "function") [callback, options] = [options, {}];
  const all = typeof options === "object" && options !== null && options.all;
  lookups.push(hostname);
  if (all) process.nextTick(callback, null, [{ address, family }]);
  else process.nextTick(callback, null, address, family);
};

const promiseLookup = dns.promises.lookup;
dns.promises.lookup = async function (hostname, options) {
  if (!ours(hostname)) return promiseLookup.apply(this, arguments);
  lookups.push(hostname);
  return options && options.all ? [{ address, family }] : { address, family };
};
