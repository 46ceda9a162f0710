#include "nodes/builtin_catalog.hpp"

#include "nodes/custom_node.hpp"
#include "nodes/node_types.hpp"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace clara::nodes {
namespace {

/// Types the Studio knows that this runner does not execute, with the reason given at deploy.
struct KnownUnsupported {
    std::string_view type;
    std::string_view reason;
};

constexpr std::string_view kReserved = "not an executable node type";

constexpr std::array<KnownUnsupported, 13> kKnownUnsupported{{
    {"text", "legacy canvas-only node without an executor"},
    {"math", "legacy canvas-only node without an executor"},
    {"image-output", kReserved},
    {"audio-player", kReserved},
    {"trigger-manual", kReserved},
    {"trigger-webhook", kReserved},
    {"trigger-schedule", kReserved},
    {"ai-llm-chat", kReserved},
    {"ai-text-generation", kReserved},
    {"util-http-request", kReserved},
    {"util-json-parser", kReserved},
    {"util-json-stringify", kReserved},
    {"logic-if-else", kReserved},
}};

class BuiltinCatalog final : public engine::NodeCatalog {
public:
    explicit BuiltinCatalog(NodeServicesPtr services) : services_(std::move(services)) {
        // The explicit list of executable node types: adding a type is one file and one line.
        for (const auto* type : {
                 &input_node_type(),
                 &output_node_type(),
                 &static_text_node_type(),
                 &combine_text_node_type(),
                 &json_parse_node_type(),
                 &json_stringify_node_type(),
                 &if_else_node_type(),
                 &image_input_node_type(),
                 &pdf_input_node_type(),
                 &file_upload_node_type(),
             }) {
            add(*type);
        }
        for (auto* family : {&model_node_types, &service_node_types}) {
            for (auto& type : (*family)(services_)) {
                add(*owned_.emplace_back(std::make_unique<engine::NodeType>(std::move(type))));
            }
        }
    }

    const engine::NodeType* find(std::string_view type) const override {
        const auto it = by_name_.find(type);
        return it == by_name_.end() ? nullptr : it->second;
    }

    std::string unsupported_reason(std::string_view type) const override {
        for (const auto& known : kKnownUnsupported) {
            if (known.type == type) {
                return std::string(known.reason);
            }
        }
        return "unknown node type; neither a built-in type nor a custom node this server can run";
    }

    std::shared_ptr<const engine::NodeType> custom_type(const boost::json::object& definition,
                                                        engine::Diagnostics& diag) const override {
        if (!services_->sandbox) {
            return nullptr;  // custom nodes are disabled
        }
        return make_custom_node_type(definition, services_->sandbox, diag);
    }

private:
    void add(const engine::NodeType& type) {
        by_name_.emplace(type.type, &type);
        for (const auto alias : type.aliases) {
            by_name_.emplace(alias, &type);
        }
    }

    NodeServicesPtr services_;
    std::vector<std::unique_ptr<engine::NodeType>> owned_;
    std::unordered_map<std::string_view, const engine::NodeType*> by_name_;
};

}  // namespace

std::unique_ptr<engine::NodeCatalog> make_builtin_catalog(NodeServicesPtr services) {
    return std::make_unique<BuiltinCatalog>(std::move(services));
}

const engine::NodeCatalog& builtin_catalog() {
    static const BuiltinCatalog kCatalog(std::make_shared<const NodeServices>());
    return kCatalog;
}

}  // namespace clara::nodes
