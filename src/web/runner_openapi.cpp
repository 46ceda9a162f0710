#include "web/runner_openapi.hpp"

#include "openapi/openapi_builder.hpp"
#include "util/embedded_files.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace clara::web {
namespace {

constexpr std::string_view kDocumentPath = "web/openapi/runner-api.json";

}  // namespace

boost::json::object runner_openapi_document(std::string_view base_url) {
    const auto text = util::find_embedded_file(kDocumentPath);
    if (!text) {
        throw std::runtime_error("not embedded: " + std::string(kDocumentPath));
    }
    boost::system::error_code ec;
    auto value = boost::json::parse(*text, ec);
    if (ec || !value.is_object()) {
        throw std::runtime_error(std::string(kDocumentPath) + " is not a JSON object");
    }
    auto& document = value.as_object();
    openapi::set_server_url(document, base_url);
    return std::move(document);
}

}  // namespace clara::web
