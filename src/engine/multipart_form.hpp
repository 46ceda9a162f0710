#pragma once

// multipart/form-data bodies (RFC 7578) for outbound uploads, e.g. audio files sent to a
// transcription service. Pure functions: the same parts always give the same body.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clara::engine {

/// One field of a form: a text field when `filename` is empty, otherwise a file.
struct MultipartPart {
    std::string name{};
    std::string data{};
    std::string filename{};      ///< set for file parts
    std::string content_type{};  ///< optional; file parts default to application/octet-stream
};

/// A finished body and the Content-Type header value (with its boundary) to send with it.
struct MultipartForm {
    std::string content_type;
    std::string body;
};

namespace multipart_detail {

/// Quotes a name or filename as browsers do (WHATWG form encoding): `"` → %22, CR → %0D,
/// LF → %0A, so a value cannot end the header line or the quoted string.
inline std::string quote_parameter(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        switch (c) {
            case '"':
                out += "%22";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            default:
                out += c;
        }
    }
    out += '"';
    return out;
}

/// Header values come from nodes; line breaks are dropped so they cannot add header lines.
inline std::string single_line(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c != '\r' && c != '\n') {
            out += c;
        }
    }
    return out;
}

inline std::string hex16(std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
        value >>= 4;
    }
    return out;
}

/// FNV-1a over every part, so the boundary is stable for equal input.
inline std::uint64_t fingerprint(const std::vector<MultipartPart>& parts) {
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&hash](std::string_view text) {
        for (unsigned char c : text) {
            hash = (hash ^ c) * 1099511628211ull;
        }
        hash = (hash ^ 0xff) * 1099511628211ull;
    };
    for (const auto& part : parts) {
        mix(part.name);
        mix(part.filename);
        mix(part.content_type);
        mix(part.data);
    }
    return hash;
}

inline bool occurs_in(const std::vector<MultipartPart>& parts, std::string_view boundary) {
    for (const auto& part : parts) {
        if (part.data.find(boundary) != std::string::npos ||
            part.name.find(boundary) != std::string::npos ||
            part.filename.find(boundary) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace multipart_detail

/// A boundary derived from `seed` that occurs in no part.
inline std::string multipart_boundary(const std::vector<MultipartPart>& parts, std::uint64_t seed) {
    for (;;) {
        std::string boundary = "----ClaraFormBoundary" + multipart_detail::hex16(seed);
        if (!multipart_detail::occurs_in(parts, boundary)) {
            return boundary;
        }
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    }
}

/// A boundary that occurs in no part (deterministic for equal parts).
inline std::string multipart_boundary(const std::vector<MultipartPart>& parts) {
    return multipart_boundary(parts, multipart_detail::fingerprint(parts));
}

/// Encodes `parts` in order as multipart/form-data with the given boundary (which must not
/// occur in any part; see multipart_boundary()).
inline MultipartForm build_multipart_form(const std::vector<MultipartPart>& parts,
                                          std::string_view boundary) {
    MultipartForm form;
    form.content_type = "multipart/form-data; boundary=" + std::string(boundary);
    for (const auto& part : parts) {
        form.body += "--";
        form.body += boundary;
        form.body += "\r\nContent-Disposition: form-data; name=";
        form.body += multipart_detail::quote_parameter(part.name);
        if (!part.filename.empty()) {
            form.body += "; filename=";
            form.body += multipart_detail::quote_parameter(part.filename);
        }
        form.body += "\r\n";
        std::string type = multipart_detail::single_line(part.content_type);
        if (type.empty() && !part.filename.empty()) {
            type = "application/octet-stream";
        }
        if (!type.empty()) {
            form.body += "Content-Type: " + type + "\r\n";
        }
        form.body += "\r\n";
        form.body += part.data;
        form.body += "\r\n";
    }
    form.body += "--";
    form.body += boundary;
    form.body += "--\r\n";
    return form;
}

/// Encodes `parts` with a boundary chosen by multipart_boundary().
inline MultipartForm build_multipart_form(const std::vector<MultipartPart>& parts) {
    return build_multipart_form(parts, multipart_boundary(parts));
}

}  // namespace clara::engine
