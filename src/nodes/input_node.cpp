// `input` (nodes.md § 1): the API value, else the saved value, converted by inputType.
#include "engine/js_value.hpp"
#include "engine/execution_context.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <cmath>
#include <optional>

#include <cstdlib>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeRun;

namespace {

enum class InputType { kText, kNumber, kJson, kBoolean };

InputType parse_input_type(std::string_view text) {
    if (text == "number") {
        return InputType::kNumber;
    }
    if (text == "json") {
        return InputType::kJson;
    }
    if (text == "boolean") {
        return InputType::kBoolean;
    }
    return InputType::kText;  // text, string, textarea and unknown values pass unchanged
}

json::value to_number(const json::value& raw) {
    if (raw.is_number()) {
        return raw;
    }
    if (raw.is_string()) {
        const auto text = boost::algorithm::trim_copy(std::string(raw.get_string()));
        char* end = nullptr;
        const double parsed = std::strtod(text.c_str(), &end);
        if (!text.empty() && end != nullptr && *end == '\0') {
            return json_number_value(parsed);
        }
        return 0;  // unparsable -> 0, as the Studio does
    }
    const double number = engine::js_to_number(raw);
    return std::isnan(number) ? json::value(0) : json_number_value(number);
}

json::value to_boolean(const json::value& raw) {
    if (raw.is_bool()) {
        return raw;
    }
    if (raw.is_string()) {
        const auto text = boost::algorithm::to_lower_copy(std::string(raw.get_string()));
        return text == "true" || text == "1";
    }
    return engine::js_truthy(raw);
}

class InputNode final : public engine::SyncNode {
public:
    explicit InputNode(const engine::NodeDecl& decl)
        : node_id_(decl.id),
          type_(parse_input_type(string_or(decl.data, "inputType", "text"))) {
        if (const auto* value = non_empty(decl.data, "value")) {
            saved_ = *value;
        } else if (const auto* fallback = non_empty(decl.data, "defaultValue")) {
            saved_ = *fallback;
        }
    }

protected:
    json::value compute(NodeRun& run) const override {
        const json::value* raw = run.external_value();
        if (raw == nullptr && saved_) {
            raw = &*saved_;
        }
        if (raw == nullptr) {
            return json::object{{"output", nullptr}};
        }
        switch (type_) {
            case InputType::kNumber:
                return json::object{{"output", to_number(*raw)}};
            case InputType::kBoolean:
                return json::object{{"output", to_boolean(*raw)}};
            case InputType::kJson:
                if (raw->is_string()) {
                    json::error_code ec;
                    auto parsed = json::parse(raw->get_string(), ec);
                    if (!ec) {
                        return json::object{{"output", std::move(parsed)}};
                    }
                    run.context().warn(node_id_, "input is not valid JSON; passing the text on");
                }
                return json::object{{"output", *raw}};
            case InputType::kText:
                break;
        }
        return json::object{{"output", *raw}};
    }

private:
    std::string node_id_;
    InputType type_;
    std::optional<json::value> saved_;
};

}  // namespace

const engine::NodeType& input_node_type() {
    static const engine::NodeType kType{
        .type = "input",
        .role = engine::NodeRole::kEntry,
        .outputs = {{"output", "Value"}},
        .primary_output = "output",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<InputNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
