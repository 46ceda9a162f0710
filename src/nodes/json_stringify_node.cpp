// `json-stringify` (nodes.md § 6): turns a value into JSON text, pretty-printed like
// JSON.stringify(v, null, indent).
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"
#include "util/json_text.hpp"

#include <algorithm>
#include <cmath>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeRun;

namespace {

int parse_indent(const json::object& data) {
    const auto* raw = data.if_contains("indent");
    if (raw == nullptr || !(raw->is_number() || raw->is_string())) {
        return 2;  // absent, null, bool, ... -> 2
    }
    const auto number = number_field(data, "indent");
    if (!number) {
        return 2;
    }
    return static_cast<int>(std::clamp(std::round(*number), 0.0, 8.0));
}

class JsonStringifyNode final : public engine::SyncNode {
public:
    explicit JsonStringifyNode(const engine::NodeDecl& decl)
        : indent_(bool_or(decl.data, "prettyPrint", true) ? parse_indent(decl.data) : 0),
          null_fallback_(string_or(decl.data, "nullFallback", "")) {}

protected:
    json::value compute(NodeRun& run) const override {
        const auto* input = run.inputs().read_or_first({"input", "json"});
        if (input == nullptr || input->is_null()) {
            return json::object{{"output", null_fallback_}};
        }
        if (input->is_string()) {
            return json::object{{"output", *input}};
        }
        return json::object{{"output", util::to_json_text(*input, indent_)}};
    }

private:
    int indent_;
    std::string null_fallback_;
};

}  // namespace

const engine::NodeType& json_stringify_node_type() {
    static const engine::NodeType kType{
        .type = "json-stringify",
        .inputs = {{"input", "JSON/Data"}},
        .outputs = {{"output", "String Output"}},
        .primary_output = "output",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<JsonStringifyNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
