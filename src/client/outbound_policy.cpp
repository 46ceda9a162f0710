#include "client/outbound_policy.hpp"

#include <algorithm>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>

namespace clara::client {

namespace {

constexpr std::string_view kAllowHint = "add the host or address to OUTBOUND_ALLOWLIST to allow it";

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// Lower case without a trailing dot, so "LocalHost." and "localhost" compare equal.
std::string normalize_host(std::string_view host) {
    std::string out = to_lower(host);
    if (out.size() > 1 && out.back() == '.') {
        out.pop_back();
    }
    return out;
}

IpAddress from_v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    IpAddress address;
    address.bytes[0] = a;
    address.bytes[1] = b;
    address.bytes[2] = c;
    address.bytes[3] = d;
    return address;
}

/// True when the first `bits` bits of `address` equal those of `prefix`.
bool has_prefix(const IpAddress& address,
                std::initializer_list<std::uint8_t> prefix,
                unsigned bits) {
    unsigned index = 0;
    for (std::uint8_t byte : prefix) {
        if (bits == 0) {
            break;
        }
        const unsigned take = std::min(bits, 8u);
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
        if ((address.bytes[index] & mask) != (byte & mask)) {
            return false;
        }
        bits -= take;
        ++index;
    }
    return true;
}

AddressClass classify_v4(const IpAddress& a) {
    const auto& b = a.bytes;
    if (b[0] == 0) {
        return AddressClass::kUnspecified;
    }
    if (b[0] == 127) {
        return AddressClass::kLoopback;
    }
    if (b[0] == 10 || has_prefix(a, {172, 16}, 12) || has_prefix(a, {192, 168}, 16)) {
        return AddressClass::kPrivate;
    }
    if (has_prefix(a, {169, 254}, 16)) {
        return AddressClass::kLinkLocal;
    }
    if (has_prefix(a, {100, 64}, 10)) {
        return AddressClass::kSharedAddressSpace;
    }
    if (has_prefix(a, {224}, 4)) {
        return AddressClass::kMulticast;
    }
    if (has_prefix(a, {240}, 4) ||            // reserved, broadcast
        has_prefix(a, {192, 0, 0}, 24) ||     // IETF protocol assignments
        has_prefix(a, {192, 0, 2}, 24) ||     // documentation
        has_prefix(a, {198, 51, 100}, 24) ||  // documentation
        has_prefix(a, {203, 0, 113}, 24) ||   // documentation
        has_prefix(a, {198, 18}, 15)) {       // benchmarking
        return AddressClass::kReserved;
    }
    return AddressClass::kPublic;
}

AddressClass classify_v6(const IpAddress& a) {
    static const IpAddress kZero{true, {}};
    IpAddress loopback{true, {}};
    loopback.bytes[15] = 1;
    if (a == kZero) {
        return AddressClass::kUnspecified;
    }
    if (a == loopback) {
        return AddressClass::kLoopback;
    }
    if (has_prefix(a, {0xff}, 8)) {
        return AddressClass::kMulticast;
    }
    if (has_prefix(a, {0xfe, 0x80}, 10)) {
        return AddressClass::kLinkLocal;
    }
    if (has_prefix(a, {0xfc}, 7) || has_prefix(a, {0xfe, 0xc0}, 10) ||
        has_prefix(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) {  // local-use NAT64
        return AddressClass::kPrivate;
    }
    if (has_prefix(a, {0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64) ||  // discard-only
        has_prefix(a, {0x20, 0x01, 0x0d, 0xb8}, 32)) {        // documentation
        return AddressClass::kReserved;
    }
    return AddressClass::kPublic;
}

bool is_localhost_name(std::string_view host) {
    return host == "localhost" ||
           (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) {
        return false;
    }
    return std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
}

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

/// "host 'name' resolves to a loopback address" or "127.0.0.1 is a loopback address".
std::string refusal(const Destination& destination, const IpAddress& address, AddressClass kind) {
    std::string what = destination.literal ? to_string(address) + " is a " +
                                                 std::string(describe(kind)) + " address"
                                           : "host " + destination.origin.host + " resolves to a " +
                                                 std::string(describe(kind)) + " address";
    return "Outbound request refused: " + what + " (" + std::string(kAllowHint) + ")";
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    if (auto v4 = boost::urls::parse_ipv4_address(text)) {
        const auto bytes = v4->to_bytes();
        return from_v4(bytes[0], bytes[1], bytes[2], bytes[3]);
    }
    if (auto v6 = boost::urls::parse_ipv6_address(text)) {
        IpAddress address;
        address.v6 = true;
        const auto bytes = v6->to_bytes();
        std::copy(bytes.begin(), bytes.end(), address.bytes.begin());
        return address;
    }
    return std::nullopt;
}

std::string to_string(const IpAddress& address) {
    if (!address.v6) {
        const auto& b = address.bytes;
        return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) +
               "." + std::to_string(b[3]);
    }
    boost::urls::ipv6_address::bytes_type bytes;
    std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
    return boost::urls::ipv6_address(bytes).to_string();
}

IpAddress embedded_ipv4(const IpAddress& address) {
    if (!address.v6) {
        return address;
    }
    const auto& b = address.bytes;
    const bool first_ten_zero =
        std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
    const bool mapped = first_ten_zero && b[10] == 0xff && b[11] == 0xff;
    // ::a.b.c.d (deprecated "IPv4-compatible"); :: and ::1 are IPv6's own.
    const bool compatible = first_ten_zero && b[10] == 0 && b[11] == 0 &&
                            (b[12] != 0 || b[13] != 0 || b[14] != 0 || b[15] > 1);
    const bool nat64 = has_prefix(address, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96);
    if (mapped || compatible || nat64) {
        return from_v4(b[12], b[13], b[14], b[15]);
    }
    if (has_prefix(address, {0x20, 0x02}, 16)) {  // 6to4 carries the IPv4 address in bits 16-47
        return from_v4(b[2], b[3], b[4], b[5]);
    }
    return address;
}

AddressClass classify_address(const IpAddress& address) {
    const IpAddress effective = embedded_ipv4(address);
    return effective.v6 ? classify_v6(effective) : classify_v4(effective);
}

std::string_view describe(AddressClass address_class) {
    switch (address_class) {
        case AddressClass::kPublic:
            return "public";
        case AddressClass::kLoopback:
            return "loopback";
        case AddressClass::kPrivate:
            return "private";
        case AddressClass::kLinkLocal:
            return "link-local";
        case AddressClass::kUnspecified:
            return "unspecified";
        case AddressClass::kMulticast:
            return "multicast";
        case AddressClass::kSharedAddressSpace:
            return "shared (carrier-grade NAT)";
        case AddressClass::kReserved:
            return "reserved";
    }
    return "unknown";
}

bool Cidr::contains(const IpAddress& address) const {
    IpAddress candidate = address;
    if (!network.v6) {
        candidate = embedded_ipv4(address);
    }
    if (candidate.v6 != network.v6) {
        return false;
    }
    unsigned bits = prefix_length;
    for (std::size_t i = 0; bits > 0; ++i) {
        const unsigned take = std::min(bits, 8u);
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
        if ((candidate.bytes[i] & mask) != (network.bytes[i] & mask)) {
            return false;
        }
        bits -= take;
    }
    return true;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    auto address = parse_ip_address(text.substr(0, slash));
    if (!address) {
        return std::nullopt;
    }
    const unsigned max_length = address->v6 ? 128 : 32;
    unsigned length = max_length;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            length > max_length) {
            return std::nullopt;
        }
    }
    Cidr cidr{*address, length};
    // Clear the host bits so "10.1.2.3/8" means 10.0.0.0/8.
    for (unsigned bit = length; bit < max_length; ++bit) {
        cidr.network.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    return cidr;
}

bool Allowlist::allows_host(std::string_view host) const {
    const std::string normalized = normalize_host(host);
    return std::find(hosts.begin(), hosts.end(), normalized) != hosts.end();
}

bool Allowlist::allows_address(const IpAddress& address) const {
    return std::any_of(networks.begin(), networks.end(),
                       [&](const Cidr& cidr) { return cidr.contains(address); });
}

Allowlist parse_allowlist(std::string_view text, std::vector<std::string>& problems) {
    Allowlist allowlist;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto end = text.find_first_of(", \t\r\n", pos);
        const auto entry = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        if (entry.empty()) {
            continue;
        }
        if (entry.find('/') != std::string_view::npos || parse_ip_address(entry)) {
            if (auto cidr = parse_cidr(entry)) {
                allowlist.networks.push_back(*cidr);
            } else {
                problems.push_back("OUTBOUND_ALLOWLIST: '" + std::string(entry) +
                                   "' is not a valid address range (expected e.g. 10.0.0.0/8)");
            }
            continue;
        }
        if (!is_valid_host_name(entry)) {
            problems.push_back("OUTBOUND_ALLOWLIST: '" + std::string(entry) +
                               "' is not a host name, address or CIDR range (no scheme or port)");
            continue;
        }
        allowlist.hosts.push_back(normalize_host(entry));
    }
    return allowlist;
}

std::string to_string(const Origin& origin) {
    const bool v6 = origin.host.find(':') != std::string::npos;
    return origin.scheme + "://" + (v6 ? "[" + origin.host + "]" : origin.host) + ":" +
           std::to_string(origin.port);
}

std::optional<Destination> parse_destination(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        error = "Invalid URL";
        return std::nullopt;
    }
    const boost::urls::url_view& view = *parsed;
    Destination destination;
    destination.origin.scheme = to_lower(view.scheme());
    if (destination.origin.scheme != "http" && destination.origin.scheme != "https") {
        error = "Only http and https URLs are allowed (got " + destination.origin.scheme + ":)";
        return std::nullopt;
    }
    if (view.has_userinfo()) {
        error = "URLs with embedded credentials (user:password@) are not supported";
        return std::nullopt;
    }
    switch (view.host_type()) {
        case boost::urls::host_type::ipv4: {
            destination.literal = parse_ip_address(view.host_ipv4_address().to_string());
            destination.origin.host = to_string(*destination.literal);
            break;
        }
        case boost::urls::host_type::ipv6: {
            destination.literal = parse_ip_address(view.host_ipv6_address().to_string());
            destination.origin.host = to_string(*destination.literal);
            break;
        }
        case boost::urls::host_type::name: {
            destination.origin.host = normalize_host(view.host_name());
            if (!is_valid_host_name(destination.origin.host)) {
                error = "Invalid URL: bad host name";
                return std::nullopt;
            }
            break;
        }
        default:
            error = "Invalid URL: missing or unsupported host";
            return std::nullopt;
    }
    const std::uint16_t fallback = default_port(destination.origin.scheme);
    destination.origin.port = fallback;
    if (view.has_port() && !view.port().empty()) {
        const std::string_view digits = view.port();
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 ||
            port > 65535) {
            error = "Invalid URL: bad port";
            return std::nullopt;
        }
        destination.origin.port = static_cast<std::uint16_t>(port);
    }
    destination.host_header = destination.literal && destination.literal->v6
                                  ? "[" + destination.origin.host + "]"
                                  : destination.origin.host;
    if (destination.origin.port != fallback) {
        destination.host_header += ":" + std::to_string(destination.origin.port);
    }
    destination.target = view.encoded_path().empty() ? "/" : std::string(view.encoded_path());
    if (view.has_query()) {
        destination.target += "?";
        destination.target += view.encoded_query();
    }
    return destination;
}

OutboundPolicy::OutboundPolicy(Allowlist allowlist, std::vector<Origin> trusted_origins,
                               std::string rewrite_localhost_to)
    : allowlist_(std::move(allowlist)),
      trusted_origins_(std::move(trusted_origins)),
      rewrite_localhost_to_(std::move(rewrite_localhost_to)) {}

OutboundPolicy OutboundPolicy::from_settings(const OutboundPolicySettings& settings,
                                             std::vector<std::string>& problems) {
    Allowlist allowlist = parse_allowlist(settings.allowlist, problems);
    std::string rewrite_to = settings.rewrite_localhost_to;
    if (!rewrite_to.empty() && !parse_ip_address(rewrite_to)) {
        std::string error;
        if (rewrite_to.find_first_of("/:@?#[] ") != std::string::npos ||
            !parse_destination("http://" + rewrite_to + "/", error)) {
            problems.push_back("REWRITE_LOCALHOST_TO must be a host name or address (got '" +
                               rewrite_to + "')");
            rewrite_to.clear();
        }
    }
    const OutboundPolicy rewriter(Allowlist{}, {}, rewrite_to);
    std::vector<Origin> trusted;
    for (const auto& url : settings.trusted_service_urls) {
        if (url.empty()) {
            continue;
        }
        std::string error;
        if (auto destination = parse_destination(url, error)) {
            trusted.push_back(rewriter.rewrite(std::move(*destination)).origin);
        } else {
            problems.push_back("service URL '" + url + "' cannot be trusted: " + error);
        }
    }
    return OutboundPolicy(std::move(allowlist), std::move(trusted), std::move(rewrite_to));
}

Destination OutboundPolicy::rewrite(Destination destination) const {
    if (rewrite_localhost_to_.empty()) {
        return destination;
    }
    const auto& host = destination.origin.host;
    if (host != "localhost" && host != "127.0.0.1" && host != "::1") {
        return destination;
    }
    std::string error;
    const bool default_port = (destination.origin.scheme == "http" && destination.origin.port == 80) ||
                              (destination.origin.scheme == "https" && destination.origin.port == 443);
    const auto literal = parse_ip_address(rewrite_localhost_to_);
    auto url = destination.origin.scheme + "://" +
               (literal && literal->v6 ? "[" + to_string(*literal) + "]" : rewrite_localhost_to_);
    if (!default_port) {
        url += ":" + std::to_string(destination.origin.port);
    }
    auto rewritten = parse_destination(url + destination.target, error);
    return rewritten ? std::move(*rewritten) : destination;
}

bool OutboundPolicy::is_trusted(const Origin& origin) const {
    return std::find(trusted_origins_.begin(), trusted_origins_.end(), origin) !=
           trusted_origins_.end();
}

HostDecision OutboundPolicy::check_host(const Destination& destination) const {
    if (is_trusted(destination.origin) || allowlist_.allows_host(destination.origin.host)) {
        return {HostVerdict::kAllowed, {}};
    }
    if (destination.literal) {
        if (auto reason = refuse_address(destination, *destination.literal)) {
            return {HostVerdict::kRefused, std::move(*reason)};
        }
        return {HostVerdict::kAllowed, {}};
    }
    return {HostVerdict::kCheckAddresses, {}};
}

std::optional<std::string> OutboundPolicy::refuse_address(const Destination& destination,
                                                          const IpAddress& address) const {
    if (is_trusted(destination.origin) || allowlist_.allows_host(destination.origin.host)) {
        return std::nullopt;
    }
    const AddressClass kind = classify_address(address);
    if (kind == AddressClass::kPublic || allowlist_.allows_address(address)) {
        return std::nullopt;
    }
    return refusal(destination, address, kind);
}

std::optional<std::string> OutboundPolicy::refuse(std::string_view url,
                                                  const IpAddress& resolved) const {
    std::string error;
    auto destination = parse_destination(url, error);
    if (!destination) {
        return error;
    }
    const HostDecision decision = check_host(*destination);
    if (decision.verdict == HostVerdict::kRefused) {
        return decision.reason;
    }
    if (decision.verdict == HostVerdict::kAllowed) {
        return std::nullopt;
    }
    return refuse_address(*destination, resolved);
}

std::optional<std::string> OutboundPolicy::precheck(std::string_view url) const {
    std::string error;
    auto destination = parse_destination(url, error);
    if (!destination) {
        return error;
    }
    destination = rewrite(std::move(*destination));
    const HostDecision decision = check_host(*destination);
    if (decision.verdict == HostVerdict::kRefused) {
        return decision.reason;
    }
    if (decision.verdict == HostVerdict::kCheckAddresses &&
        is_localhost_name(destination->origin.host)) {
        // localhost names always resolve to loopback (RFC 6761 § 6.3).
        return refuse_address(*destination, from_v4(127, 0, 0, 1));
    }
    return std::nullopt;
}

}  // namespace clara::client
