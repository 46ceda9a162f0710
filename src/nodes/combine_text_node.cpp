// `combine-text` (nodes.md § 4): joins two texts; which semantics apply depends on the fields
// present (Studio, SDK modular, or the original server).
#include "engine/js_value.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeRun;

namespace {

enum class Semantics { kStudio, kSdk, kServer };

struct CombineSettings {
    Semantics semantics = Semantics::kStudio;
    std::string mode;       ///< combineMode (Studio) or mode (SDK); "server" for kServer
    std::string separator;  ///< resolved separator text
    bool add_spaces = true;
};

CombineSettings parse_settings(const json::object& data) {
    CombineSettings s;
    const bool has_combine_mode = data.contains("combineMode");
    const bool has_add_spaces = data.contains("addSpaces");
    const bool has_mode = data.contains("mode");
    const bool has_separator = data.contains("separator");
    s.add_spaces = bool_or(data, "addSpaces", true);
    if (has_combine_mode || has_add_spaces || (!has_mode && !has_separator)) {
        s.semantics = Semantics::kStudio;
        s.mode = string_or(data, "combineMode", "concat");
        s.separator = string_or(data, "separator", "");
    } else if (has_mode) {
        s.semantics = Semantics::kSdk;
        s.mode = string_or(data, "mode", "concatenate");
        const auto custom = string_or(data, "customSeparator", "");
        const auto plain = string_or(data, "separator", "");
        if (s.mode == "concatenate") {
            s.separator = s.add_spaces ? " " : "";
        } else if (s.mode == "newline") {
            s.separator = "\n";
        } else if (s.mode == "space") {
            s.separator = " ";
        } else if (s.mode == "comma") {
            s.separator = s.add_spaces ? ", " : ",";
        } else if (s.mode == "custom") {
            s.separator = custom.empty() ? plain : custom;
        } else {
            s.separator = plain;
        }
    } else {
        s.semantics = Semantics::kServer;
        s.mode = "server";
        s.separator = string_or(data, "separator", " ");
    }
    return s;
}

std::string combine_studio(const CombineSettings& s, const std::string& t1, const std::string& t2) {
    const std::string space = s.add_spaces ? " " : "";
    if (s.mode == "separator") {
        return s.add_spaces ? t1 + " " + s.separator + " " + t2 : t1 + s.separator + t2;
    }
    if (s.mode == "prefix") {
        return t2 + space + t1;
    }
    return t1 + space + t2;  // concat, suffix, unknown
}

class CombineTextNode final : public engine::SyncNode {
public:
    explicit CombineTextNode(const engine::NodeDecl& decl) : settings_(parse_settings(decl.data)) {}

protected:
    json::value compute(NodeRun& run) const override {
        const auto* first = run.inputs().read({"text1", "input1"});
        const auto* second = run.inputs().read({"text2", "input2"});
        const auto t1 = first != nullptr ? engine::to_text(*first) : std::string();
        const auto t2 = second != nullptr ? engine::to_text(*second) : std::string();

        std::string combined;
        json::object metadata{{"mode", settings_.mode},
                              {"separator", settings_.separator},
                              {"addSpaces", settings_.add_spaces}};
        switch (settings_.semantics) {
            case Semantics::kStudio:
                if (t1.empty() && t2.empty()) {
                    metadata["error"] = "No text inputs provided";
                } else {
                    combined = combine_studio(settings_, t1, t2);
                }
                break;
            case Semantics::kSdk:
                if (t1.empty() || t2.empty()) {
                    combined = t1.empty() ? t2 : t1;
                } else {
                    combined = t1 + settings_.separator + t2;
                }
                break;
            case Semantics::kServer:
                combined = t1 + settings_.separator + t2;
                break;
        }
        metadata["text1Length"] = utf16_length(t1);
        metadata["text2Length"] = utf16_length(t2);
        metadata["combinedLength"] = utf16_length(combined);
        return json::object{{"combined", std::move(combined)}, {"metadata", std::move(metadata)}};
    }

private:
    CombineSettings settings_;
};

}  // namespace

const engine::NodeType& combine_text_node_type() {
    static const engine::NodeType kType{
        .type = "combine-text",
        .inputs = {{"text1", "Text 1"}, {"text2", "Text 2"}},
        .outputs = {{"combined", "Combined Text"}, {"metadata", "Metadata"}},
        .primary_output = "combined",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<CombineTextNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
