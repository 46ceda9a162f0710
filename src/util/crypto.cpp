#include "util/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace clara::util {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_hex(std::string& out, const unsigned char* bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(kHexDigits[bytes[i] >> 4]);
        out.push_back(kHexDigits[bytes[i] & 0x0f]);
    }
}

void fill_random(unsigned char* bytes, std::size_t count) {
    if (RAND_bytes(bytes, static_cast<int>(count)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 failed");
    }
    std::string out;
    out.reserve(length * 2);
    append_hex(out, digest.data(), length);
    return out;
}

std::string random_hex(std::size_t byte_count) {
    std::string bytes(byte_count, '\0');
    fill_random(reinterpret_cast<unsigned char*>(bytes.data()), byte_count);
    std::string out;
    out.reserve(byte_count * 2);
    append_hex(out, reinterpret_cast<const unsigned char*>(bytes.data()), byte_count);
    return out;
}

namespace {

std::string canonical_uuid(const std::array<unsigned char, 16>& b) {
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        append_hex(out, &b[i], 1);
    }
    return out;
}

}  // namespace

std::string uuid_v4() {
    std::array<unsigned char, 16> b{};
    fill_random(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return canonical_uuid(b);
}

std::string uuid_v7(std::int64_t unix_ms) {
    std::array<unsigned char, 16> b{};
    fill_random(b.data() + 6, b.size() - 6);
    const auto ms = static_cast<std::uint64_t>(unix_ms);
    for (int i = 0; i < 6; ++i) {
        b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));  // big-endian, 48 bits
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
    return canonical_uuid(b);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace clara::util
