// JSON-parse node paths (nodes.md § 5 step 6): the first line is the path, the rest a JSON
// document (a fixed one when the rest is not JSON).

#include "nodes/json_path.hpp"
#include "support/fuzz_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>

using namespace clara;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto [path_text, document_text] = fuzz::split_first_line(text);
    static const boost::json::value fallback = boost::json::parse(
        R"({"data":{"items":[{"name":"a"},{"name":"b"}],"":{"":1}},"0":["x"],"a.b":2})");
    const auto parsed = fuzz::parse_json(document_text);
    const boost::json::value& document = parsed ? *parsed : fallback;

    const nodes::JsonPath path(path_text);
    if (const boost::json::value* found = path.find(document)) {
        // Touch the whole result: it must point into `document`.
        (void)boost::json::serialize(*found).size();
    }
    return 0;
}
