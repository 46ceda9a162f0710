#include "nodes/custom_node_definition.hpp"

#include "engine/script_sandbox.hpp"

#include <cctype>
#include <set>

namespace clara::nodes {
namespace json = boost::json;

namespace {

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

/// True when the source declares `function execute(` (any spacing, `async` or not).
bool declares_execute(std::string_view code) {
    constexpr std::string_view kFunction = "function";
    constexpr std::string_view kExecute = "execute";
    for (auto at = code.find(kFunction); at != std::string_view::npos;
         at = code.find(kFunction, at + 1)) {
        auto i = at + kFunction.size();
        const auto spaces_from = i;
        while (i < code.size() && is_space(code[i])) {
            ++i;
        }
        if (i == spaces_from || code.substr(i, kExecute.size()) != kExecute) {
            continue;
        }
        i += kExecute.size();
        while (i < code.size() && is_space(code[i])) {
            ++i;
        }
        if (i < code.size() && code[i] == '(') {
            return true;
        }
    }
    return false;
}

/// Reads `definition[key]` (absent: no ports) into `out`; false after reporting a problem.
bool parse_ports(const json::object& definition, std::string_view key, const std::string& type,
                 std::vector<CustomPort>& out, engine::Diagnostics& diag) {
    const auto* list = definition.if_contains(key);
    if (list == nullptr || list->is_null()) {
        return true;
    }
    const auto problem = [&](const std::string& text) {
        diag.errors.push_back("invalid_custom_node: " + type + ": " + text);
        return false;
    };
    if (!list->is_array()) {
        return problem(std::string(key) + " must be an array");
    }
    std::set<std::string> seen;
    bool ok = true;
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const auto where = std::string(key) + "[" + std::to_string(i) + "]";
        const auto* port = list->get_array()[i].if_object();
        if (port == nullptr) {
            ok = problem(where + " must be an object");
            continue;
        }
        const auto* id = port->if_contains("id");
        if (id == nullptr || !id->is_string() || id->get_string().empty()) {
            ok = problem(where + " has no id");
            continue;
        }
        CustomPort parsed;
        parsed.id = std::string(id->get_string());
        if (const auto* name = port->if_contains("name"); name != nullptr && !name->is_null()) {
            if (!name->is_string()) {
                ok = problem(where + ".name must be a string");
                continue;
            }
            parsed.name = std::string(name->get_string());
        }
        if (parsed.name.empty()) {
            parsed.name = parsed.id;
        }
        if (const auto* value = port->if_contains("defaultValue")) {
            parsed.default_value = *value;
        }
        if (!seen.insert(parsed.id).second) {
            ok = problem(where + ": id '" + parsed.id + "' is used twice");
            continue;
        }
        out.push_back(std::move(parsed));
    }
    return ok;
}

/// Sets `key` unless it is already there.
void expose(json::object& target, std::string_view key, const json::value& value) {
    if (!target.contains(key)) {
        target[key] = value;
    }
}

const json::value* non_nullish(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

}  // namespace

std::string normalise_custom_name(std::string_view name) {
    std::string out;
    bool in_space = false;
    for (const char c : name) {
        if (is_space(c)) {
            if (!in_space) {
                out.push_back('_');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

std::optional<CustomNodeDefinition> parse_custom_node_definition(const json::object& definition,
                                                                 engine::Diagnostics& diag) {
    const auto* type = definition.if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string().empty()) {
        diag.errors.push_back("invalid_custom_node: a customNodes entry has no type");
        return std::nullopt;
    }
    CustomNodeDefinition parsed;
    parsed.type = std::string(type->get_string());
    const auto problem = [&](const std::string& text) {
        diag.errors.push_back("invalid_custom_node: " + parsed.type + ": " + text);
    };
    const auto errors_before = diag.errors.size();

    if (const auto* name = definition.if_contains("name"); name != nullptr && name->is_string()) {
        parsed.name = std::string(name->get_string());
    }
    if (parsed.name.empty()) {
        parsed.name = parsed.type;
    }

    const auto* code = definition.if_contains("executionCode");
    if (code == nullptr || !code->is_string() || code->get_string().empty()) {
        problem("executionCode is missing; a custom node needs the code that implements it");
    } else if (code->get_string().size() > engine::kMaxScriptCodeBytes) {
        problem("executionCode is " + std::to_string(code->get_string().size()) +
                " bytes; at most " + std::to_string(engine::kMaxScriptCodeBytes) +
                " bytes (100 KB) are allowed");
    } else {
        const std::string_view source = code->get_string();
        parsed.code = declares_execute(source)
                          ? std::string(source)
                          : "async function execute(inputs, properties, context) {\n" +
                                std::string(source) + "\n}";
    }

    parse_ports(definition, "inputs", parsed.type, parsed.inputs, diag);
    parse_ports(definition, "outputs", parsed.type, parsed.outputs, diag);
    parse_ports(definition, "properties", parsed.type, parsed.properties, diag);
    if (diag.errors.size() != errors_before) {
        return std::nullopt;
    }
    return parsed;
}

json::object custom_node_inputs(const CustomNodeDefinition& definition,
                                const engine::NodeInputs& inputs) {
    std::vector<std::pair<const CustomPort*, const json::value*>> values;
    for (const auto& port : definition.inputs) {
        const json::value* value = inputs.get(port.id);
        if (value == nullptr) {
            value = inputs.get(port.name);
        }
        if (value == nullptr && port.default_value) {
            value = &*port.default_value;
        }
        if (value != nullptr) {
            values.emplace_back(&port, value);
        }
    }
    // Ids first, so that a port's id is never hidden by another port's name.
    json::object out;
    for (const auto& [port, value] : values) {
        expose(out, port->id, *value);
    }
    for (const auto& [port, value] : values) {
        expose(out, port->name, *value);
        expose(out, ascii_lower(port->name), *value);
        expose(out, normalise_custom_name(port->name), *value);
    }
    return out;
}

json::object custom_node_properties(const CustomNodeDefinition& definition,
                                    const json::object& data) {
    const auto* nested = data.if_contains("properties");
    const json::object& source =
        nested != nullptr && nested->is_object() ? nested->get_object() : data;
    json::object out = source;  // extra keys pass through
    for (const auto& property : definition.properties) {
        const auto normalised = normalise_custom_name(property.name);
        const json::value* value = non_nullish(source, property.id);
        if (value == nullptr) {
            value = non_nullish(source, property.name);
        }
        if (value == nullptr) {
            value = non_nullish(source, normalised);
        }
        if (value == nullptr && property.default_value) {
            value = &*property.default_value;
        }
        if (value == nullptr) {
            continue;
        }
        out[property.id] = *value;
        out[property.name] = *value;
        out[normalised] = *value;
    }
    return out;
}

std::variant<json::object, std::string> custom_node_result(
    const CustomNodeDefinition& definition, const std::optional<json::value>& returned) {
    if (!returned) {
        return json::object{};  // undefined: no port has a value
    }
    if (!returned->is_object()) {
        if (definition.outputs.size() != 1) {
            return "execute returned a value that is not an object, so it needs exactly one "
                   "output port to go to, but the node has " +
                   std::to_string(definition.outputs.size());
        }
        json::object out;
        out[definition.outputs.front().id] = *returned;
        return out;
    }
    const auto& object = returned->get_object();
    json::object out;
    std::set<std::string, std::less<>> matched;
    for (const auto& port : definition.outputs) {
        const json::value* value = nullptr;
        std::string_view key;
        for (const auto& candidate :
             {port.id, port.name, ascii_lower(port.name), normalise_custom_name(port.name)}) {
            if (const auto* found = object.if_contains(candidate)) {
                value = found;
                key = object.find(candidate)->key();
                break;
            }
        }
        if (value == nullptr) {
            for (const auto& entry : object) {
                if (equals_ignoring_case(entry.key(), port.name)) {
                    value = &entry.value();
                    key = entry.key();
                    break;
                }
            }
        }
        if (value != nullptr) {
            out[port.id] = *value;
            matched.emplace(key);
        }
    }
    for (const auto& entry : object) {
        if (!matched.contains(entry.key()) && !out.contains(entry.key())) {
            out[entry.key()] = entry.value();
        }
    }
    return out;
}

}  // namespace clara::nodes
