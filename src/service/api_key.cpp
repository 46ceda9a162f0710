#include "service/api_key.hpp"

#include "util/crypto.hpp"

#include <cctype>

namespace clara::service {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

GeneratedKey generate_api_key() {
    GeneratedKey generated;
    generated.key = std::string(kApiKeyPrefix) + util::random_hex(32);
    generated.hash = hash_api_key(generated.key);
    return generated;
}

std::string hash_api_key(std::string_view key) { return util::sha256_hex(key); }

std::string_view key_from_authorization(std::string_view header) {
    header = trim(header);
    constexpr std::string_view kScheme = "bearer";
    if (header.size() > kScheme.size() &&
        std::isspace(static_cast<unsigned char>(header[kScheme.size()]))) {
        bool is_bearer = true;
        for (std::size_t i = 0; i < kScheme.size(); ++i) {
            is_bearer = is_bearer &&
                        std::tolower(static_cast<unsigned char>(header[i])) == kScheme[i];
        }
        if (is_bearer) {
            return trim(header.substr(kScheme.size()));
        }
    }
    return header;
}

bool has_api_key_format(std::string_view key) {
    return key.size() > kApiKeyPrefix.size() && key.substr(0, kApiKeyPrefix.size()) == kApiKeyPrefix;
}

}  // namespace clara::service
