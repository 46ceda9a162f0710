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
