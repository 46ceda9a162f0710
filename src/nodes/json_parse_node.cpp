// `json-parse` (nodes.md § 5): parses text as JSON and optionally extracts a dot path.
#include "nodes/json_path.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

#include <boost/algorithm/string/trim.hpp>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

class JsonParseNode final : public engine::SyncNode {
public:
    explicit JsonParseNode(const engine::NodeDecl& decl)
        : fail_on_error_(bool_or(decl.data, "failOnError", false)) {
        for (const auto key : {"extractField", "field", "path"}) {
            const auto text = boost::algorithm::trim_copy(string_or(decl.data, key, ""));
            if (!text.empty()) {
                path_ = JsonPath(text);
                break;
            }
        }
    }

protected:
    json::value compute(NodeRun& run) const override {
        const auto* input = run.inputs().read_or_first({"input", "json"});
        if (input == nullptr || input->is_null()) {
            if (fail_on_error_) {
                throw NodeFailure("Empty input provided to JSON parser");
            }
            return json::object{{"output", nullptr}};
        }
        json::value parsed;
        if (input->is_object() && input->get_object().contains("data") &&
            input->get_object().contains("status")) {
            parsed = input->get_object().at("data");  // an api-request result
        } else if (input->is_string()) {
            json::error_code ec;
            parsed = json::parse(input->get_string(), ec);
            if (ec) {
                if (fail_on_error_) {
                    throw NodeFailure("JSON Parse Error: " + ec.message());
                }
                return json::object{{"output", nullptr}};
            }
        } else {
            parsed = *input;
        }
        if (!path_) {
            return json::object{{"output", std::move(parsed)}};
        }
        const auto* found = path_->find(parsed);
        return json::object{{"output", found != nullptr ? *found : json::value(nullptr)}};
    }

private:
    bool fail_on_error_;
    std::optional<JsonPath> path_;
};

}  // namespace

const engine::NodeType& json_parse_node_type() {
    static const engine::NodeType kType{
        .type = "json-parse",
        .inputs = {{"input", "JSON Data"}},
        .outputs = {{"output", "Parsed Data"}},
        .primary_output = "output",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<JsonParseNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
