#pragma once

// The outbound policy of nodes.md § 0.3 and DECISIONS.md § 6 as pure functions: which URLs and
// which resolved addresses a node may reach. The client applies it on every hop; deploy can
// use precheck() to warn about stored URLs that would be refused.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::client {

/// An IPv4 or IPv6 address as bytes (an IPv4 address uses the first 4 bytes).
struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

/// Parses dotted IPv4 or IPv6 text (brackets allowed around IPv6); nullopt otherwise.
std::optional<IpAddress> parse_ip_address(std::string_view text);

/// The address as text ("127.0.0.1", "::1").
std::string to_string(const IpAddress& address);

/// The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
/// NAT64 64:ff9b::/96, 6to4 2002::/16); other addresses unchanged.
IpAddress embedded_ipv4(const IpAddress& address);

/// What kind of network an address belongs to.
enum class AddressClass {
    kPublic,
    kLoopback,            ///< 127/8, ::1
    kPrivate,             ///< RFC 1918, fc00::/7 (ULA), fec0::/10
    kLinkLocal,           ///< 169.254/16 (cloud metadata 169.254.169.254), fe80::/10
    kUnspecified,         ///< 0/8, ::
    kMulticast,           ///< 224/4, ff00::/8
    kSharedAddressSpace,  ///< 100.64/10 (carrier-grade NAT)
    kReserved,            ///< 240/4, documentation, benchmarking and protocol ranges
};

/// Classifies `address`; IPv6 forms that carry an IPv4 address are classified by it.
AddressClass classify_address(const IpAddress& address);

/// Human name of a class ("loopback", "private", ...).
std::string_view describe(AddressClass address_class);

/// An address range such as 10.0.0.0/8 or fd00::/8.
struct Cidr {
    IpAddress network;  ///< host bits cleared
    unsigned prefix_length = 0;

    /// True when `address` is in the range (IPv4 ranges also match mapped IPv6 addresses).
    bool contains(const IpAddress& address) const;
};

/// Parses "a.b.c.d/n" or "x::y/n", or a bare address as a single-address range.
std::optional<Cidr> parse_cidr(std::string_view text);

/// Parsed OUTBOUND_ALLOWLIST: host names and address ranges that the SSRF guard lets through.
struct Allowlist {
    std::vector<std::string> hosts;  ///< lower case, compared with the URL's host exactly
    std::vector<Cidr> networks;

    bool allows_host(std::string_view host) const;
    bool allows_address(const IpAddress& address) const;
};

/// Parses a comma- or space-separated list of host names, addresses and CIDR ranges. Each
/// invalid entry adds a message to `problems` and is skipped.
Allowlist parse_allowlist(std::string_view text, std::vector<std::string>& problems);

/// Scheme, host and port of a URL (the port filled in from the scheme when absent).
struct Origin {
    std::string scheme;  ///< "http" or "https"
    std::string host;    ///< lower case, no IPv6 brackets, no trailing dot
    std::uint16_t port = 0;

    friend bool operator==(const Origin&, const Origin&) = default;
};

/// "scheme://host:port" as text (IPv6 in brackets), for messages.
std::string to_string(const Origin& origin);

/// A URL parsed for sending.
struct Destination {
    Origin origin;
    std::optional<IpAddress> literal;  ///< set when the host is an IP address
    std::string target;                ///< request target: path (at least "/") and query
    std::string host_header;           ///< Host header value: host, plus ":port" when not default
};

/// Parses an absolute http(s) URL; on failure returns nullopt and sets `error` (a message safe
/// to show: other schemes, user:password@, a bad host or port).
std::optional<Destination> parse_destination(std::string_view url, std::string& error);

/// What the policy says about a destination before its host is resolved.
enum class HostVerdict {
    kAllowed,         ///< trusted service origin, allow-listed host, or an allowed literal address
    kRefused,         ///< see `reason`
    kCheckAddresses,  ///< resolve the host and check every address with refuse_address()
};

struct HostDecision {
    HostVerdict verdict = HostVerdict::kCheckAddresses;
    std::string reason;  ///< why, when refused
};

/// Inputs of the policy, as configured.
struct OutboundPolicySettings {
    std::string allowlist;  ///< OUTBOUND_ALLOWLIST
    /// Configured service URLs (OPENAI_API_BASE_URL, OLLAMA_URL, COMFYUI_URL, PYTHON_BACKEND_URL,
    /// CLARA_ASSISTANT_URL, CLARA_CORE_URL); empty entries are ignored.
    std::vector<std::string> trusted_service_urls;
    /// REWRITE_LOCALHOST_TO: a host name or address that replaces the host `localhost` and the
    /// loopback addresses 127.0.0.1 and ::1 in every URL (host part only), e.g. when the runner
    /// runs in a container and the services on its host. Empty: no rewriting.
    std::string rewrite_localhost_to;
};

/// The SSRF guard: public addresses are allowed; loopback, private, link-local, unspecified,
/// multicast, shared and reserved ones only for allow-listed hosts or ranges, or for a trusted
/// service origin (same scheme, host and port as a configured service URL). Immutable.
class OutboundPolicy {
public:
    /// Nothing allow-listed and nothing trusted.
    OutboundPolicy() = default;
    OutboundPolicy(Allowlist allowlist, std::vector<Origin> trusted_origins,
                   std::string rewrite_localhost_to = {});

    /// Builds the policy; invalid allowlist entries and service URLs go to `problems`.
    static OutboundPolicy from_settings(const OutboundPolicySettings& settings,
                                        std::vector<std::string>& problems);

    /// `destination` with a local host replaced per REWRITE_LOCALHOST_TO (unchanged when unset or
    /// when the host is not local).
    Destination rewrite(Destination destination) const;

    /// True when `origin` equals a configured service origin.
    bool is_trusted(const Origin& origin) const;

    /// The decision that needs no DNS.
    HostDecision check_host(const Destination& destination) const;

    /// After resolution: why `address` may not be used for `destination`, or nullopt when it may.
    std::optional<std::string> refuse_address(const Destination& destination,
                                              const IpAddress& address) const;

    /// The whole decision for `url` reaching `resolved`: nullopt when allowed, else the reason.
    std::optional<std::string> refuse(std::string_view url, const IpAddress& resolved) const;

    /// Deploy-time check without DNS: the reason `url` will certainly be refused (bad URL,
    /// scheme, refused literal address, or a `localhost` name), or nullopt.
    std::optional<std::string> precheck(std::string_view url) const;

    const Allowlist& allowlist() const { return allowlist_; }
    const std::vector<Origin>& trusted_origins() const { return trusted_origins_; }

private:
    Allowlist allowlist_;
    std::vector<Origin> trusted_origins_;
    std::string rewrite_localhost_to_;
};

}  // namespace clara::client
