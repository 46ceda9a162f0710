// `static-text` (nodes.md § 3): a fixed text, or the JSON it holds with textFormat "json".
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

namespace clara::nodes {
namespace json = boost::json;

namespace {

/// The result never changes, so it is built once when the workflow is compiled.
class StaticTextNode final : public engine::SyncNode {
public:
    StaticTextNode(const engine::NodeDecl& decl, engine::Diagnostics& diag) {
        std::string text = string_or(decl.data, "text", "");
        if (text.empty()) {
            text = string_or(decl.data, "customText", "");
        }
        if (text.empty()) {
            text = string_or(decl.data, "value", "");
        }
        json::value emitted(text);
        if (string_or(decl.data, "textFormat", "plain") == "json") {
            json::error_code ec;
            auto parsed = json::parse(text, ec);
            if (ec) {
                diag.warnings.push_back("textFormat is json but the text is not valid JSON; it is "
                                        "emitted as text");
            } else {
                emitted = std::move(parsed);
            }
        }
        result_ = json::object{{"text", std::move(emitted)}};
    }

protected:
    json::value compute(engine::NodeRun&) const override { return result_; }

private:
    json::value result_;
};

}  // namespace

const engine::NodeType& static_text_node_type() {
    static const engine::NodeType kType{
        .type = "static-text",
        .outputs = {{"text", "Text Output"}},
        .primary_output = "text",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics& diag) {
            return std::make_unique<StaticTextNode>(decl, diag);
        },
    };
    return kType;
}

}  // namespace clara::nodes
