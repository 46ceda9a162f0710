#include "client/outbound_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clara::client {
namespace {

IpAddress ip(std::string_view text) {
    auto address = parse_ip_address(text);
    EXPECT_TRUE(address.has_value()) << text;
    return address.value_or(IpAddress{});
}

OutboundPolicy policy_with(std::string allowlist, std::vector<std::string> trusted = {}) {
    std::vector<std::string> problems;
    auto policy =
        OutboundPolicy::from_settings({std::move(allowlist), std::move(trusted)}, problems);
    EXPECT_TRUE(problems.empty()) << problems.front();
    return policy;
}

struct ClassCase {
    const char* address;
    AddressClass expected;
};

class AddressClassification : public ::testing::TestWithParam<ClassCase> {};

TEST_P(AddressClassification, ClassifiesAddress) {
    EXPECT_EQ(classify_address(ip(GetParam().address)), GetParam().expected)
        << GetParam().address << " classified as "
        << describe(classify_address(ip(GetParam().address)));
}

INSTANTIATE_TEST_SUITE_P(
    OutboundPolicy,
    AddressClassification,
    ::testing::Values(ClassCase{"127.0.0.1", AddressClass::kLoopback},
                      ClassCase{"127.255.0.9", AddressClass::kLoopback},
                      ClassCase{"::1", AddressClass::kLoopback},
                      ClassCase{"10.0.0.1", AddressClass::kPrivate},
                      ClassCase{"10.255.255.255", AddressClass::kPrivate},
                      ClassCase{"172.16.0.1", AddressClass::kPrivate},
                      ClassCase{"172.31.255.254", AddressClass::kPrivate},
                      ClassCase{"172.15.255.255", AddressClass::kPublic},
                      ClassCase{"172.32.0.1", AddressClass::kPublic},
                      ClassCase{"192.168.1.10", AddressClass::kPrivate},
                      ClassCase{"169.254.169.254", AddressClass::kLinkLocal},
                      ClassCase{"169.254.0.1", AddressClass::kLinkLocal},
                      ClassCase{"fe80::1", AddressClass::kLinkLocal},
                      ClassCase{"febf::1", AddressClass::kLinkLocal},
                      ClassCase{"fc00::1", AddressClass::kPrivate},
                      ClassCase{"fd12:3456::1", AddressClass::kPrivate},
                      ClassCase{"0.0.0.0", AddressClass::kUnspecified},
                      ClassCase{"0.1.2.3", AddressClass::kUnspecified},
                      ClassCase{"::", AddressClass::kUnspecified},
                      ClassCase{"100.64.0.1", AddressClass::kSharedAddressSpace},
                      ClassCase{"100.127.255.255", AddressClass::kSharedAddressSpace},
                      ClassCase{"100.63.255.255", AddressClass::kPublic},
                      ClassCase{"100.128.0.1", AddressClass::kPublic},
                      ClassCase{"224.0.0.1", AddressClass::kMulticast},
                      ClassCase{"239.255.255.250", AddressClass::kMulticast},
                      ClassCase{"ff02::1", AddressClass::kMulticast},
                      ClassCase{"255.255.255.255", AddressClass::kReserved},
                      ClassCase{"::ffff:127.0.0.1", AddressClass::kLoopback},
                      ClassCase{"::ffff:10.1.2.3", AddressClass::kPrivate},
                      ClassCase{"::ffff:169.254.169.254", AddressClass::kLinkLocal},
                      ClassCase{"::ffff:8.8.8.8", AddressClass::kPublic},
                      ClassCase{"::127.0.0.1", AddressClass::kLoopback},
                      ClassCase{"64:ff9b::a9fe:a9fe", AddressClass::kLinkLocal},
                      ClassCase{"2002:c0a8:0101::1", AddressClass::kPrivate},
                      ClassCase{"8.8.8.8", AddressClass::kPublic},
                      ClassCase{"1.1.1.1", AddressClass::kPublic},
                      ClassCase{"104.18.7.192", AddressClass::kPublic},
                      ClassCase{"2606:4700:4700::1111", AddressClass::kPublic},
                      ClassCase{"2a00:1450:4001:80b::200e", AddressClass::kPublic}));

TEST(OutboundPolicy, ParsesAddressesAndRejectsOtherText) {
    EXPECT_EQ(to_string(ip("[::1]")), "::1");
    EXPECT_EQ(to_string(ip("192.168.0.1")), "192.168.0.1");
    EXPECT_FALSE(parse_ip_address("localhost"));
    EXPECT_FALSE(parse_ip_address("256.1.1.1"));
    EXPECT_FALSE(parse_ip_address("10.0.0"));
    EXPECT_FALSE(parse_ip_address("fe80::1%eth0"));
    EXPECT_FALSE(parse_ip_address(""));
}

TEST(OutboundPolicy, CidrMatchesItsRangeOnly) {
    const auto private_range = parse_cidr("10.1.2.3/8");
    ASSERT_TRUE(private_range);
    EXPECT_EQ(to_string(private_range->network), "10.0.0.0");
    EXPECT_TRUE(private_range->contains(ip("10.200.0.1")));
    EXPECT_TRUE(private_range->contains(ip("::ffff:10.0.0.7")));
    EXPECT_FALSE(private_range->contains(ip("11.0.0.1")));
    EXPECT_FALSE(private_range->contains(ip("fd00::1")));

    const auto ula = parse_cidr("fd00::/8");
    ASSERT_TRUE(ula);
    EXPECT_TRUE(ula->contains(ip("fd12::1")));
    EXPECT_FALSE(ula->contains(ip("fc00::1")));
    EXPECT_FALSE(ula->contains(ip("10.0.0.1")));

    const auto single = parse_cidr("192.168.1.5");
    ASSERT_TRUE(single);
    EXPECT_TRUE(single->contains(ip("192.168.1.5")));
    EXPECT_FALSE(single->contains(ip("192.168.1.6")));

    const auto everything = parse_cidr("0.0.0.0/0");
    ASSERT_TRUE(everything);
    EXPECT_TRUE(everything->contains(ip("127.0.0.1")));

    EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
    EXPECT_FALSE(parse_cidr("::/129"));
    EXPECT_FALSE(parse_cidr("10.0.0.0/"));
    EXPECT_FALSE(parse_cidr("10.0.0.0/8x"));
    EXPECT_FALSE(parse_cidr("example.com/8"));
}

TEST(OutboundPolicy, ParsesAllowlistOfHostsAndRanges) {
    std::vector<std::string> problems;
    const Allowlist list = parse_allowlist(
        "LocalHost, 10.0.0.0/8  fd00::/8,192.168.1.5,[::1],my-model.internal.", problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(list.hosts, (std::vector<std::string>{"localhost", "my-model.internal"}));
    EXPECT_EQ(list.networks.size(), 4u);
    EXPECT_TRUE(list.allows_host("LOCALHOST"));
    EXPECT_TRUE(list.allows_host("my-model.internal"));
    EXPECT_FALSE(list.allows_host("model.internal"));
    EXPECT_TRUE(list.allows_address(ip("10.9.9.9")));
    EXPECT_TRUE(list.allows_address(ip("::1")));
    EXPECT_TRUE(list.allows_address(ip("192.168.1.5")));
    EXPECT_FALSE(list.allows_address(ip("192.168.1.6")));
}

TEST(OutboundPolicy, ReportsEveryInvalidAllowlistEntry) {
    std::vector<std::string> problems;
    const Allowlist list =
        parse_allowlist("http://localhost:8091, 10.0.0.0/33, host:8080, good.example", problems);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_NE(problems[0].find("http://localhost:8091"), std::string::npos);
    EXPECT_NE(problems[1].find("10.0.0.0/33"), std::string::npos);
    EXPECT_NE(problems[2].find("host:8080"), std::string::npos);
    EXPECT_EQ(list.hosts, (std::vector<std::string>{"good.example"}));
}

TEST(OutboundPolicy, ParsesDestinationWithDefaultPortsAndTarget) {
    std::string error;
    auto plain = parse_destination("HTTP://Example.COM/a/b?x=1&y=%20#frag", error);
    ASSERT_TRUE(plain) << error;
    EXPECT_EQ(plain->origin, (Origin{"http", "example.com", 80}));
    EXPECT_EQ(plain->target, "/a/b?x=1&y=%20");
    EXPECT_EQ(plain->host_header, "example.com");
    EXPECT_FALSE(plain->literal);

    auto tls = parse_destination("https://api.example.com", error);
    ASSERT_TRUE(tls);
    EXPECT_EQ(tls->origin.port, 443);
    EXPECT_EQ(tls->target, "/");

    auto v6 = parse_destination("http://[::1]:8091/v1", error);
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->origin.host, "::1");
    EXPECT_EQ(v6->host_header, "[::1]:8091");
    ASSERT_TRUE(v6->literal);
    EXPECT_EQ(classify_address(*v6->literal), AddressClass::kLoopback);
}

TEST(OutboundPolicy, RefusesUrlsThatAreNotPlainHttp) {
    std::string error;
    EXPECT_FALSE(parse_destination("ftp://example.com/file", error));
    EXPECT_NE(error.find("http and https"), std::string::npos);
    EXPECT_FALSE(parse_destination("file:///etc/passwd", error));
    EXPECT_FALSE(parse_destination("http://user:secret@example.com/", error));
    EXPECT_NE(error.find("credentials"), std::string::npos);
    EXPECT_FALSE(parse_destination("http:///path-only", error));
    EXPECT_FALSE(parse_destination("http://example.com:99999/", error));
    EXPECT_FALSE(parse_destination("not a url", error));
    EXPECT_FALSE(parse_destination("/relative/path", error));
}

struct DecisionCase {
    const char* url;
    const char* resolved;
    bool allowed;
};

class PolicyDecision : public ::testing::TestWithParam<DecisionCase> {};

// Allowlist: host "models.internal", range 10.20.0.0/16. Trusted: http://localhost:8091 and
// https://comfy.lan (configured service URLs).
TEST_P(PolicyDecision, AllowsOnlyPublicAllowlistedOrTrustedDestinations) {
    const auto policy = policy_with("models.internal 10.20.0.0/16",
                                    {"http://localhost:8091/v1", "https://comfy.lan", ""});
    const auto& c = GetParam();
    const auto reason = policy.refuse(c.url, ip(c.resolved));
    EXPECT_EQ(!reason.has_value(), c.allowed)
        << c.url << " -> " << c.resolved << ": " << reason.value_or("allowed");
}

INSTANTIATE_TEST_SUITE_P(
    OutboundPolicy,
    PolicyDecision,
    ::testing::Values(
        DecisionCase{"https://api.openai.com/v1/chat/completions", "104.18.7.192", true},
        DecisionCase{"https://api.openai.com/v1", "10.0.0.1", false},  // DNS points inside
        DecisionCase{"http://127.0.0.1/", "127.0.0.1", false},
        DecisionCase{"http://[::1]:8080/", "::1", false},
        DecisionCase{"http://169.254.169.254/latest/meta-data/", "169.254.169.254", false},
        DecisionCase{"http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", false},
        DecisionCase{"http://0.0.0.0:3000/", "0.0.0.0", false},
        DecisionCase{"http://evil.example/", "100.64.1.1", false},
        DecisionCase{"http://evil.example/", "fd00::1", false},
        DecisionCase{"http://evil.example/", "224.0.0.1", false},
        DecisionCase{"http://models.internal/v1", "192.168.7.7", true},  // allow-listed host
        DecisionCase{"http://Models.Internal./v1", "192.168.7.7", true},
        DecisionCase{"http://other.internal/v1", "192.168.7.7", false},
        DecisionCase{"http://10.20.3.4/", "10.20.3.4", true},  // allow-listed range
        DecisionCase{"http://gpu.lan/", "10.20.3.4", true},
        DecisionCase{"http://gpu.lan/", "10.21.3.4", false},
        DecisionCase{"http://localhost:8091/v1/chat/completions", "127.0.0.1", true},  // trusted
        DecisionCase{"http://LOCALHOST:8091/x", "::1", true},
        DecisionCase{"http://localhost:8092/v1", "127.0.0.1", false},   // other port
        DecisionCase{"https://localhost:8091/v1", "127.0.0.1", false},  // other scheme
        DecisionCase{"http://127.0.0.1:8091/v1", "127.0.0.1", false},   // other host text
        DecisionCase{"https://comfy.lan:443/prompt", "192.168.1.2", true},
        DecisionCase{"http://comfy.lan/prompt", "192.168.1.2", false},
        DecisionCase{"gopher://example.com/", "93.184.216.34", false}));

TEST(OutboundPolicy, RefusalNamesTheAddressKindAndTheAllowlist) {
    const OutboundPolicy policy;
    const auto literal = policy.refuse("http://169.254.169.254/latest", ip("169.254.169.254"));
    ASSERT_TRUE(literal);
    EXPECT_NE(literal->find("169.254.169.254 is a link-local address"), std::string::npos);
    EXPECT_NE(literal->find("OUTBOUND_ALLOWLIST"), std::string::npos);
    // For names the resolved address is not revealed, only its kind.
    const auto named = policy.refuse("http://intranet.example/", ip("10.1.1.1"));
    ASSERT_TRUE(named);
    EXPECT_NE(named->find("host intranet.example resolves to a private address"),
              std::string::npos);
    EXPECT_EQ(named->find("10.1.1.1"), std::string::npos);
}

TEST(OutboundPolicy, CheckHostDecidesLiteralsAndTrustedOriginsWithoutDns) {
    const auto policy = policy_with("", {"http://localhost:8091"});
    std::string error;
    EXPECT_EQ(policy.check_host(*parse_destination("http://localhost:8091/", error)).verdict,
              HostVerdict::kAllowed);
    EXPECT_EQ(policy.check_host(*parse_destination("http://10.0.0.1/", error)).verdict,
              HostVerdict::kRefused);
    EXPECT_EQ(policy.check_host(*parse_destination("http://8.8.8.8/", error)).verdict,
              HostVerdict::kAllowed);
    EXPECT_EQ(policy.check_host(*parse_destination("http://example.com/", error)).verdict,
              HostVerdict::kCheckAddresses);
}

TEST(OutboundPolicy, PrecheckFlagsUrlsThatWillBeRefused) {
    const OutboundPolicy none;
    EXPECT_TRUE(none.precheck("http://localhost:8091/v1"));
    EXPECT_TRUE(none.precheck("http://127.0.0.1:8091/v1"));
    EXPECT_TRUE(none.precheck("http://app.localhost/"));
    EXPECT_TRUE(none.precheck("http://10.0.0.5/"));
    EXPECT_TRUE(none.precheck("ftp://example.com/"));
    EXPECT_FALSE(none.precheck("https://api.openai.com/v1"));

    const auto trusted = policy_with("127.0.0.0/8", {"http://localhost:8091/v1"});
    EXPECT_FALSE(trusted.precheck("http://localhost:8091/v1"));
    EXPECT_FALSE(trusted.precheck("http://localhost:9000/v1"));  // 127.0.0.1 is allow-listed
    EXPECT_FALSE(trusted.precheck("http://127.0.0.1:8091/v1"));
    EXPECT_TRUE(trusted.precheck("http://192.168.0.2/"));
}

TEST(OutboundPolicy, ReportsServiceUrlsThatCannotBeTrusted) {
    std::vector<std::string> problems;
    const auto policy = OutboundPolicy::from_settings(
        {"", {"http://localhost:11434", "localhost:8188", "https://api.example.com/v1"}}, problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("localhost:8188"), std::string::npos);
    EXPECT_TRUE(policy.is_trusted(Origin{"http", "localhost", 11434}));
    EXPECT_TRUE(policy.is_trusted(Origin{"https", "api.example.com", 443}));
    EXPECT_FALSE(policy.is_trusted(Origin{"http", "localhost", 8188}));
}

}  // namespace
}  // namespace clara::client
