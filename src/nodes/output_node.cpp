// `output` (nodes.md § 2): passes its input on, optionally reformatted.
#include "engine/js_value.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

#include <cstdlib>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeRun;

namespace {

enum class OutputFormat { kAsIs, kJson, kText, kNumber };

OutputFormat parse_format(std::string_view text) {
    if (text == "json") {
        return OutputFormat::kJson;
    }
    if (text == "text" || text == "string") {
        return OutputFormat::kText;
    }
    if (text == "number") {
        return OutputFormat::kNumber;
    }
    return OutputFormat::kAsIs;  // auto, raw, absent, unknown
}

class OutputNode final : public engine::SyncNode {
public:
    explicit OutputNode(const engine::NodeDecl& decl)
        : format_(parse_format(string_or(decl.data, "format", "auto"))) {}

protected:
    json::value compute(NodeRun& run) const override {
        const auto* input = run.inputs().read_or_first({"input"});
        if (input == nullptr || input->is_null()) {
            return nullptr;
        }
        switch (format_) {
            case OutputFormat::kJson:
                if (input->is_string()) {
                    json::error_code ec;
                    auto parsed = json::parse(input->get_string(), ec);
                    if (!ec) {
                        return parsed;
                    }
                }
                return *input;
            case OutputFormat::kText:
                return input->is_string() ? *input : json::value(engine::to_text(*input));
            case OutputFormat::kNumber:
                if (input->is_string()) {
                    const std::string text(input->get_string());
                    char* end = nullptr;
                    const double number = std::strtod(text.c_str(), &end);
                    if (!text.empty() && end != nullptr && *end == '\0') {
                        return json_number_value(number);
                    }
                }
                return *input;
            case OutputFormat::kAsIs:
                break;
        }
        return *input;
    }

private:
    OutputFormat format_;
};

}  // namespace

const engine::NodeType& output_node_type() {
    static const engine::NodeType kType{
        .type = "output",
        .role = engine::NodeRole::kOutput,
        .inputs = {{"input", "Value"}},
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<OutputNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
