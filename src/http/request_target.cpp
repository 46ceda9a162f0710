#include "http/request_target.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>

namespace clara::http {

bool parse_request_target(std::string_view target, Request& request) {
    // A request target never carries a fragment (RFC 9112 § 3.2). Refusing it also keeps
    // Boost.URL 1.81 away from `?#`, an empty query before a fragment, on which its params
    // iterator reads past the end of the string.
    if (target.find('#') != std::string_view::npos) {
        return false;
    }
    // Only origin-form (`/path?query`) or absolute-form (`http://host/path`) targets, and only
    // visible ASCII, as RFC 3986 allows: Boost.URL 1.81 trips an internal assertion on some
    // bytes above 0x7F after a scheme (`htAtp:\xC6`, found by fuzzing).
    const bool origin_form = !target.empty() && target.front() == '/';
    const bool absolute_form = target.starts_with("http://") || target.starts_with("https://");
    if (!origin_form && !absolute_form) {
        return false;
    }
    for (const char c : target) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7F) {
            return false;
        }
    }
    auto parsed = boost::urls::parse_uri_reference(target);
    if (!parsed) {
        return false;
    }
    const boost::urls::url_view& url = *parsed;
    std::string path = url.path();
    if (path.empty() && url.has_authority()) {
        path = "/";
    }
    if (path.empty() || path.front() != '/') {
        return false;
    }
    request.path = std::move(path);
    boost::urls::encoding_opts options;
    options.space_as_plus = true;  // HTML forms and most clients encode spaces in queries as '+'
    if (url.has_query() && !url.encoded_query().empty()) {
        for (const auto& param : url.params(options)) {
            request.query.emplace_back(param.key, param.value);
        }
    }
    return true;
}

}  // namespace clara::http
