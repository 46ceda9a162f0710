#include "engine/field_map.hpp"

#include "util/utf8.hpp"

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <stdexcept>
#include <unordered_set>

namespace clara::engine {
namespace {

using util::is_js_whitespace;
using util::next_code_point;

bool is_ascii_word_or_hyphen(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// The first non-empty string among `keys` of `data`, else `fallback`.
std::string first_non_empty(const boost::json::object& data,
                            std::initializer_list<std::string_view> keys,
                            const std::string& fallback) {
    for (const auto key : keys) {
        const auto* value = data.if_contains(key);
        if (value != nullptr && value->is_string() && !value->get_string().empty()) {
            return std::string(value->get_string());
        }
    }
    return fallback;
}

/// Binds `base` (or the first free `base2`, `base3`, ...) to `node_id` within one section.
void bind_unique(std::vector<FieldBinding>& section,
                 std::unordered_set<std::string>& taken,
                 const std::string& base,
                 const std::string& node_id,
                 Diagnostics& diag) {
    std::string field = base;
    for (int suffix = 2; taken.count(field) != 0; ++suffix) {
        field = base + std::to_string(suffix);
    }
    if (field != base) {
        diag.warnings.push_back("duplicate field name '" + base + "' for node " + node_id +
                                "; using '" + field + "'");
    }
    taken.insert(field);
    section.push_back({field, node_id});
}

boost::json::object section_to_json(const std::vector<FieldBinding>& section) {
    boost::json::object out;
    for (const auto& binding : section) {
        out[binding.field] = binding.node_id;
    }
    return out;
}

std::vector<FieldBinding> section_from_json(const boost::json::object& root,
                                            std::string_view key) {
    const auto* section = root.if_contains(key);
    if (section == nullptr || !section->is_object()) {
        throw std::invalid_argument("field map: '" + std::string(key) + "' must be an object");
    }
    std::vector<FieldBinding> out;
    for (const auto& entry : section->get_object()) {
        if (!entry.value().is_string()) {
            throw std::invalid_argument("field map: node id of '" + std::string(entry.key()) +
                                        "' must be a string");
        }
        out.push_back({std::string(entry.key()), std::string(entry.value().get_string())});
    }
    return out;
}

}  // namespace

std::string field_name(std::string_view label) {
    // Work on code points tagged as ASCII word/hyphen, whitespace, or other (to be deleted).
    std::vector<char32_t> points;
    for (std::size_t i = 0; i < label.size();) {
        points.push_back(next_code_point(label, i));
    }

    // Step 1: trim.
    std::size_t begin = 0;
    std::size_t end = points.size();
    while (begin < end && is_js_whitespace(points[begin])) {
        ++begin;
    }
    while (end > begin && is_js_whitespace(points[end - 1])) {
        --end;
    }

    // Step 2: keep ASCII word characters, whitespace and '-'. Deleting may expose whitespace at
    // either end again; step 3 then behaves exactly as the original regex did on that string.
    std::vector<char32_t> kept;
    for (std::size_t i = begin; i < end; ++i) {
        if (is_ascii_word_or_hyphen(points[i]) || is_js_whitespace(points[i])) {
            kept.push_back(points[i]);
        }
    }

    // Step 3: a whitespace run followed by a character becomes that character upper-cased. A
    // trailing run has no follower; it only ever turns into whitespace, which step 5 deletes.
    std::string camel;
    for (std::size_t i = 0; i < kept.size();) {
        if (!is_js_whitespace(kept[i])) {
            camel.push_back(static_cast<char>(kept[i]));
            ++i;
            continue;
        }
        while (i < kept.size() && is_js_whitespace(kept[i])) {
            ++i;
        }
        if (i < kept.size()) {
            const auto c = static_cast<char>(kept[i]);
            camel.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
            ++i;
        }
    }

    // Step 4: only the very first character is lower-cased, and only when it is A-Z.
    if (!camel.empty() && camel[0] >= 'A' && camel[0] <= 'Z') {
        camel[0] = static_cast<char>(camel[0] - 'A' + 'a');
    }

    // Step 5: drop '_' and '-'.
    std::string out;
    for (const char c : camel) {
        if (is_ascii_alnum(c)) {
            out.push_back(c);
        }
    }

    // Step 6.
    return out.empty() ? std::string("input") : out;
}

bool is_entry_type(std::string_view type) {
    return type == "input" || type == "image-input" || type == "pdf-input" ||
           type == "file-upload";
}

FieldMap assign_fields(const WorkflowDocument& document, Diagnostics& diag) {
    FieldMap map;
    std::unordered_set<std::string> taken_inputs;
    std::unordered_set<std::string> taken_outputs;
    for (const auto& node : document.nodes) {
        if (is_entry_type(node.type)) {
            const auto source = first_non_empty(node.data, {"label", "inputLabel"}, node.id);
            bind_unique(map.inputs, taken_inputs, field_name(source), node.id, diag);
        } else if (node.type == "output") {
            // Outputs deliberately ignore data.label (deployment-api.md § 4.1).
            const auto source = first_non_empty(node.data, {"outputLabel"}, node.id);
            bind_unique(map.outputs, taken_outputs, field_name(source), node.id, diag);
        }
    }
    return map;
}

boost::json::object to_json(const FieldMap& map) {
    boost::json::object out;
    out["inputs"] = section_to_json(map.inputs);
    out["outputs"] = section_to_json(map.outputs);
    return out;
}

FieldMap field_map_from_json(const boost::json::value& json) {
    if (!json.is_object()) {
        throw std::invalid_argument("field map: expected an object");
    }
    FieldMap map;
    map.inputs = section_from_json(json.get_object(), "inputs");
    map.outputs = section_from_json(json.get_object(), "outputs");
    return map;
}

}  // namespace clara::engine
