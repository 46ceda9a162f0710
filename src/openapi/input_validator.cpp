#include "openapi/input_validator.hpp"

#include "util/base64.hpp"
#include "util/utf8.hpp"

#include <boost/json/serialize.hpp>

// Schema errors surface as exceptions (caught in from_schema) instead of valijson's abort().
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

namespace clara::openapi {
namespace {

namespace json = boost::json;
using Kind = InputValidator::Kind;

constexpr std::size_t kWhitespaceCheckLength = 1'000'000;
constexpr std::size_t kMaxEchoedDefaultBytes = 4096;
constexpr int kMaxSchemaDepth = 64;  // as deep as a request body may be (api/request_parsing.cpp)

// The valijson 1.0 error descriptions that are told apart (valijson/validation_visitor.hpp).
constexpr std::string_view kTypeMismatch = "Value type not permitted by 'type' constraint";
constexpr std::string_view kMissingMember = "Missing required property '";
constexpr std::string_view kUnknownMember =
    "Object contains a property that could not be validated using 'properties' or "
    "'additionalProperties' constraints: '";
constexpr std::string_view kAmbiguous = "Failed to validate against exactly one child schema";

constexpr std::array<std::string_view, 7> kTypeNames{"string", "number",  "integer", "boolean",
                                                     "object", "array", "null"};

std::string quoted(std::string_view field) {
    return "Field '" + std::string(field) + "'";
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

/// A data URL whose payload decodes, or raw base64; `image_only` demands `data:image/<x>`.
bool is_base64_content(std::string_view text, bool image_only) {
    if (const auto url = util::parse_data_url(text)) {
        if (image_only && !starts_with_ci(url->mime, "image/")) {
            return false;
        }
        return util::base64_decode(url->payload).has_value();
    }
    return util::base64_decode(text).has_value();
}

const json::value* present(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

std::string_view string_member(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                  : std::string_view();
}

/// The schema builder's file upload: `oneOf` a binary string and an object.
bool is_file_upload(const json::object& property) {
    const auto* branches = property.if_contains("oneOf");
    if (branches == nullptr || !branches->is_array()) {
        return false;
    }
    bool binary = false;
    bool object = false;
    for (const auto& branch : branches->get_array()) {
        if (!branch.is_object()) {
            continue;
        }
        const auto type = string_member(branch.get_object(), "type");
        binary = binary || (type == "string" && string_member(branch.get_object(), "format") ==
                                                    "binary");
        object = object || type == "object";
    }
    return binary && object;
}

Kind kind_from_property(const json::object& property) {
    if (is_file_upload(property)) {
        return Kind::kFileUpload;
    }
    const auto type = string_member(property, "type");
    if (type == "string") {
        const auto format = string_member(property, "format");
        if (format == "base64") {
            return Kind::kImage;
        }
        if (format == "binary") {
            return Kind::kBinary;
        }
        return Kind::kString;
    }
    if (type == "number" || type == "integer") {
        return Kind::kNumber;
    }
    if (type == "boolean") {
        return Kind::kBoolean;
    }
    if (type == "object") {
        return Kind::kObject;
    }
    if (type == "array") {
        return Kind::kArray;
    }
    return Kind::kAny;
}

// --- the schema valijson parses ----------------------------------------------------------------

bool is_type_name(std::string_view name) {
    return std::find(kTypeNames.begin(), kTypeNames.end(), name) != kTypeNames.end();
}

/// The assertions of one schema node that valijson enforces: the keywords the schema builder
/// writes (type, properties, required, additionalProperties, items, allOf/anyOf/oneOf), with
/// malformed values left out so that parsing cannot fail. Annotations are dropped, and so is
/// `format`: valijson 1.0 copies every value a format applies to into a string (and throws
/// for non-empty objects) and knows none of the runner's formats, which are checked after it.
/// A member of `properties` also accepts null: null counts as absent.
json::object assertion_schema(const json::value& node, bool nullable, int depth) {
    json::object out;
    if (!node.is_object() || depth > kMaxSchemaDepth) {
        return out;  // anything goes
    }
    const auto& schema = node.get_object();
    if (const auto* type = schema.if_contains("type")) {
        json::array types;
        const auto add = [&types](const json::value& name) {
            if (name.is_string() && is_type_name(name.get_string()) &&
                std::find(types.begin(), types.end(), name) == types.end()) {
                types.push_back(name);
            }
        };
        if (type->is_array()) {
            std::for_each(type->get_array().begin(), type->get_array().end(), add);
        } else {
            add(*type);
        }
        if (!types.empty() && nullable) {
            add(json::value("null"));
        }
        if (!types.empty()) {
            out["type"] = std::move(types);
        }
    }
    if (const auto* properties = schema.if_contains("properties");
        properties != nullptr && properties->is_object()) {
        json::object members;
        for (const auto& [name, member] : properties->get_object()) {
            members[name] = assertion_schema(member, true, depth + 1);
        }
        out["properties"] = std::move(members);
    }
    if (const auto* required = schema.if_contains("required");
        required != nullptr && required->is_array()) {
        json::array names;
        for (const auto& name : required->get_array()) {
            if (name.is_string() && std::find(names.begin(), names.end(), name) == names.end()) {
                names.push_back(name);
            }
        }
        if (!names.empty()) {
            out["required"] = std::move(names);
        }
    }
    if (const auto* additional = schema.if_contains("additionalProperties")) {
        if (additional->is_bool()) {
            out["additionalProperties"] = *additional;
        } else if (additional->is_object()) {
            out["additionalProperties"] = assertion_schema(*additional, false, depth + 1);
        }
    }
    if (const auto* items = schema.if_contains("items"); items != nullptr && items->is_object()) {
        out["items"] = assertion_schema(*items, false, depth + 1);
    }
    for (const std::string_view keyword : {"allOf", "anyOf", "oneOf"}) {
        const auto* branches = schema.if_contains(keyword);
        if (branches == nullptr || !branches->is_array() || branches->get_array().empty()) {
            continue;
        }
        json::array parsed;
        for (const auto& branch : branches->get_array()) {
            parsed.push_back(assertion_schema(branch, false, depth + 1));
        }
        out[keyword] = std::move(parsed);
    }
    return out;
}

/// The subschema of each top-level property, as parsed into `schema`.
std::unordered_map<std::string, const valijson::Subschema*> property_subschemas(
    const valijson::Schema& schema) {
    std::unordered_map<std::string, const valijson::Subschema*> found;
    valijson::Subschema::ApplyFunction collect = [&found](const auto& constraint) {
        using valijson::constraints::PropertiesConstraint;
        if (const auto* properties = dynamic_cast<const PropertiesConstraint*>(&constraint)) {
            properties->applyToProperties([&found](const auto& name, const auto* subschema) {
                found.emplace(std::string(name.data(), name.size()), subschema);
                return true;
            });
        }
        return true;
    };
    schema.apply(collect);
    return found;
}

// --- the words of a type mismatch --------------------------------------------------------------

/// The JSON types a value at one place of the schema may have (null aside), merged over
/// allOf/anyOf/oneOf, with the places below it: "must be a string or an object".
struct TypeNode {
    std::vector<std::string> types;
    std::map<std::string, std::unique_ptr<TypeNode>, std::less<>> members;
    std::unique_ptr<TypeNode> additional;  ///< members `properties` does not name
    std::unique_ptr<TypeNode> items;
};

TypeNode& child(std::unique_ptr<TypeNode>& slot) {
    if (!slot) {
        slot = std::make_unique<TypeNode>();
    }
    return *slot;
}

/// Adds an assertion schema to `node` (its `type` is always an array).
void merge_types(TypeNode& node, const json::object& schema) {
    if (const auto* type = schema.if_contains("type"); type != nullptr && type->is_array()) {
        for (const auto& name : type->get_array()) {
            const std::string_view text = name.get_string();
            if (text != "null" &&
                std::find(node.types.begin(), node.types.end(), text) == node.types.end()) {
                node.types.emplace_back(text);
            }
        }
    }
    if (const auto* properties = schema.if_contains("properties")) {
        for (const auto& [name, member] : properties->get_object()) {
            merge_types(child(node.members[std::string(name)]), member.get_object());
        }
    }
    if (const auto* additional = schema.if_contains("additionalProperties");
        additional != nullptr && additional->is_object()) {
        merge_types(child(node.additional), additional->get_object());
    }
    if (const auto* items = schema.if_contains("items")) {
        merge_types(child(node.items), items->get_object());
    }
    for (const std::string_view keyword : {"allOf", "anyOf", "oneOf"}) {
        if (const auto* branches = schema.if_contains(keyword)) {
            for (const auto& branch : branches->get_array()) {
                merge_types(node, branch.get_object());
            }
        }
    }
}

const TypeNode* member_types(const TypeNode* node, std::string_view name) {
    if (node == nullptr) {
        return nullptr;
    }
    const auto found = node->members.find(name);
    return found != node->members.end() ? found->second.get() : node->additional.get();
}

std::string type_phrase(const TypeNode* node) {
    if (node == nullptr) {
        return "of another type";
    }
    if (node->types.empty()) {
        return "null";
    }
    std::string phrase;
    for (std::size_t i = 0; i < node->types.size(); ++i) {
        if (i > 0) {
            phrase += i + 1 == node->types.size() ? " or " : ", ";
        }
        const auto& type = node->types[i];
        phrase += type == "integer" || type == "object" || type == "array" ? "an " : "a ";
        phrase += type;
    }
    return phrase;
}

// --- problems of one field ---------------------------------------------------------------------

/// One problem of a field's value. `at` locates the value it is about: the 1-based position of
/// each member or item from the field down, 0 for a member that is missing. It orders the
/// problems as the body is written and tells which value lies below which.
struct Finding {
    enum Rank {
        kSummary,    ///< valijson's "failed against oneOf/anyOf/items/...": cascades from below
        kAmbiguous,  ///< more than one `oneOf` branch matched
        kType,       ///< wrong JSON type (may be a `oneOf` branch that does not apply)
        kMember,     ///< a missing or unknown member
        kRule,       ///< a runner rule (formats, file uploads): owns the value it is about
    };
    std::vector<std::size_t> at;
    std::string path;  ///< the field the message names: `upload.name`, `list[2]`
    std::string message;
    Rank rank = kSummary;
};

/// Where a valijson error context (`<root>`, `[member]`, `[index]`, ...) points in the value.
struct Location {
    std::vector<std::size_t> at;
    std::string path;
    const json::value* value = nullptr;
    const TypeNode* types = nullptr;
};

Location locate(std::string_view field, const json::value& root, const TypeNode* types,
                const std::vector<std::string>& context) {
    Location location{{}, std::string(field), &root, types};
    for (std::size_t i = 1; i < context.size(); ++i) {  // [0] is "<root>": the field itself
        std::string_view segment = context[i];
        if (segment.size() >= 2 && segment.front() == '[' && segment.back() == ']') {
            segment = segment.substr(1, segment.size() - 2);
        }
        const json::value& current = *location.value;
        if (current.is_object()) {
            const auto& object = current.get_object();
            const auto found = object.find(segment);
            if (found == object.end()) {
                break;
            }
            location.at.push_back(static_cast<std::size_t>(found - object.begin()) + 1);
            location.path += "." + std::string(segment);
            location.value = &found->value();
            location.types = member_types(location.types, segment);
        } else if (current.is_array()) {
            std::size_t index = 0;
            const auto* end = segment.data() + segment.size();
            const auto [ptr, ec] = std::from_chars(segment.data(), end, index);
            if (ec != std::errc() || ptr != end || index >= current.get_array().size()) {
                break;
            }
            location.at.push_back(index + 1);
            location.path += "[" + std::to_string(index) + "]";
            location.value = &current.get_array()[index];
            location.types = location.types != nullptr ? location.types->items.get() : nullptr;
        } else {
            break;
        }
    }
    return location;
}

/// The member name quoted in a valijson description that starts with `prefix` and ends `'.`.
std::string_view quoted_member(std::string_view description, std::string_view prefix) {
    auto name = description.substr(prefix.size());
    if (name.size() >= 2 && name.substr(name.size() - 2) == "'.") {
        name.remove_suffix(2);
    }
    return name;
}

/// A valijson error as a finding about the value it points at.
Finding schema_finding(const valijson::ValidationResults::Error& error, std::string_view field,
                       const json::value& value, const TypeNode* types) {
    auto location = locate(field, value, types, error.context);
    const std::string_view description = error.description;
    Finding finding{std::move(location.at), std::move(location.path), {}, Finding::kSummary};
    if (description.starts_with(kTypeMismatch)) {
        finding.rank = Finding::kType;
        finding.message = quoted(finding.path) + " must be " + type_phrase(location.types);
    } else if (description.starts_with(kMissingMember)) {
        finding.rank = Finding::kMember;
        finding.at.push_back(0);
        finding.path += "." + std::string(quoted_member(description, kMissingMember));
        finding.message = "Missing required field: " + finding.path;
    } else if (description.starts_with(kUnknownMember)) {
        const auto name = quoted_member(description, kUnknownMember);
        finding.rank = Finding::kMember;
        if (const auto* object = location.value->if_object()) {
            if (const auto found = object->find(name); found != object->end()) {
                finding.at.push_back(static_cast<std::size_t>(found - object->begin()) + 1);
            }
        }
        finding.path += "." + std::string(name);
        finding.message = "Unknown field: " + finding.path;
    } else if (description.starts_with(kAmbiguous)) {
        finding.rank = Finding::kAmbiguous;
        finding.message = quoted(finding.path) + " must match exactly one of its allowed forms";
    } else {
        finding.message = quoted(finding.path) + " is invalid";
    }
    return finding;
}

/// The `{data|file, name?, type?, size?}` form of a file upload: which content member is used
/// and whether it decodes (the member types are the schema's).
void check_file_object(std::string_view field, const json::object& file,
                       std::vector<Finding>& findings) {
    const char* content_key = present(file, "data") != nullptr ? "data" : "file";
    const auto* content = present(file, content_key);
    if (content == nullptr) {
        findings.push_back({{}, std::string(field),
                            quoted(field) + " must have a 'data' or 'file' property",
                            Finding::kRule});
    } else if (!content->is_string() || !is_base64_content(content->get_string(), false)) {
        const auto position = static_cast<std::size_t>(file.find(content_key) - file.begin());
        const auto path = std::string(field) + "." + content_key;
        findings.push_back({{position + 1}, path,
                            quoted(path) + " must be a base64 string or data URL",
                            Finding::kRule});
    }
}

/// The runner rules the schema cannot express: base64 and data-URL content, file uploads.
void check_runner_rules(Kind kind, std::string_view field, const json::value& value,
                        std::vector<Finding>& findings) {
    const auto content_problem = [&] {
        findings.push_back({{}, std::string(field),
                            quoted(field) + " must be a base64 string or data URL",
                            Finding::kRule});
    };
    switch (kind) {
        case Kind::kImage:
        case Kind::kBinary:
            // A non-string is the schema's type mismatch.
            if (value.is_string() &&
                !is_base64_content(value.get_string(), kind == Kind::kImage)) {
                content_problem();
            }
            return;
        case Kind::kFileUpload:
            if (value.is_string()) {
                if (!is_base64_content(value.get_string(), false)) {
                    content_problem();
                }
            } else if (value.is_object()) {
                check_file_object(field, value.get_object(), findings);
            } else {
                findings.push_back({{}, std::string(field),
                                    quoted(field) +
                                        " must be a base64 string, data URL or file object",
                                    Finding::kRule});
            }
            return;
        default:
            return;
    }
}

bool is_strictly_below(const std::vector<std::size_t>& above,
                       const std::vector<std::size_t>& below) {
    return above.size() < below.size() && std::equal(above.begin(), above.end(), below.begin());
}

/// Appends one message per invalid place of a field, the most specific one, in body order.
/// valijson reports a mismatch once per `oneOf` branch and repeats it in summaries on every
/// enclosing value, so: a type or summary error gives way to any problem below it; a runner
/// rule replaces what valijson says about the same value and its missing members; and one
/// message per path remains, the highest ranked.
void append_problems(std::vector<Finding>& findings, std::vector<std::string>& problems) {
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& a, const Finding& b) { return a.at < b.at; });
    std::set<std::vector<std::size_t>> ruled;
    for (const auto& finding : findings) {
        if (finding.rank == Finding::kRule) {
            ruled.insert(finding.at);
        }
    }
    std::vector<const Finding*> kept;
    std::unordered_map<std::string_view, std::size_t> by_path;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& finding = findings[i];
        if (finding.rank != Finding::kRule) {
            if (ruled.contains(finding.at)) {
                continue;
            }
            const bool missing = !finding.at.empty() && finding.at.back() == 0;
            if (missing && ruled.contains(std::vector<std::size_t>(finding.at.begin(),
                                                                   finding.at.end() - 1))) {
                continue;
            }
            if (finding.rank <= Finding::kType) {
                // Sorted by position: anything below comes right after the findings here.
                auto next = i + 1;
                while (next < findings.size() && findings[next].at == finding.at) {
                    ++next;
                }
                if (next < findings.size() && is_strictly_below(finding.at, findings[next].at)) {
                    continue;
                }
            }
        }
        const auto [slot, inserted] = by_path.try_emplace(finding.path, kept.size());
        if (inserted) {
            kept.push_back(&finding);
        } else if (finding.rank > kept[slot->second]->rank) {
            kept[slot->second] = &finding;
        }
    }
    for (const auto* finding : kept) {
        problems.push_back(finding->message);
    }
}

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
        return std::hash<std::string_view>{}(text);
    }
};

// --- sanitiser ---------------------------------------------------------------------------------

/// Whether a string longer than 1,000,000 characters (UTF-16 units, as JavaScript counts) has
/// fewer than 10 % non-whitespace characters.
bool has_excessive_whitespace(std::string_view text) {
    if (text.size() <= kWhitespaceCheckLength) {
        return false;  // UTF-16 length never exceeds the UTF-8 byte count
    }
    std::size_t length = 0;
    std::size_t non_whitespace = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = util::next_code_point(text, i);
        const std::size_t units = c >= 0x10000 ? 2 : 1;  // astral characters are surrogate pairs
        length += units;
        if (!util::is_js_whitespace(c)) {
            non_whitespace += units;
        }
    }
    return length > kWhitespaceCheckLength && non_whitespace * 10 < length;
}

std::optional<std::string> sanitize_value(json::value& value, const std::string& path) {
    if (value.is_string()) {
        auto& text = value.get_string();
        const auto end = std::remove(text.begin(), text.end(), '\0');
        text.erase(end, text.end());
        if (has_excessive_whitespace(text)) {
            return quoted(path) + " contains excessive whitespace";
        }
    } else if (value.is_object()) {
        for (auto& entry : value.get_object()) {
            if (auto error = sanitize_value(entry.value(), path + "." + std::string(entry.key()))) {
                return error;
            }
        }
    } else if (value.is_array()) {
        auto& items = value.get_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (auto error = sanitize_value(items[i], path + "[" + std::to_string(i) + "]")) {
                return error;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

/// The deployment's schema parsed once, and what the runner checks besides.
struct InputValidator::Compiled {
    struct Field {
        Kind kind = Kind::kAny;
        bool required = false;
        const valijson::Subschema* subschema = nullptr;  ///< in `schema`; nullptr: unchecked
        const TypeNode* types = nullptr;
    };

    valijson::Schema schema;  // read-only once built: validation only reads it
    TypeNode types;
    std::unordered_map<std::string, Field, StringHash, std::equal_to<>> fields;
    std::vector<std::string> required;
};

InputValidator::InputValidator() {
    static const auto empty = std::make_shared<const Compiled>();
    compiled_ = empty;
}

InputValidator::InputValidator(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

InputValidator InputValidator::from_schema(const json::object& input_schema) {
    const json::object* schema = &input_schema;
    const auto* nested = input_schema.if_contains("input");
    if (!input_schema.contains("properties") && nested != nullptr && nested->is_object()) {
        schema = &nested->get_object();
    }
    auto compiled = std::make_shared<Compiled>();
    const json::value assertions = assertion_schema(*schema, false, 0);
    std::unordered_map<std::string, const valijson::Subschema*> subschemas;
    try {
        valijson::SchemaParser parser;
        parser.populateSchema(valijson::adapters::BoostJsonAdapter(assertions), compiled->schema);
        subschemas = property_subschemas(compiled->schema);
    } catch (const std::exception&) {
        subschemas.clear();  // the runner rules and the top-level checks still apply
    }
    merge_types(compiled->types, assertions.get_object());

    if (const auto* properties = schema->if_contains("properties");
        properties != nullptr && properties->is_object()) {
        for (const auto& [name, property] : properties->get_object()) {
            Compiled::Field field;
            field.kind = property.is_object() ? kind_from_property(property.get_object())
                                              : Kind::kAny;
            const auto found = subschemas.find(std::string(name));
            field.subschema = found != subschemas.end() ? found->second : nullptr;
            field.types = member_types(&compiled->types, name);
            compiled->fields.emplace(std::string(name), field);
        }
    }
    if (const auto* required = schema->if_contains("required");
        required != nullptr && required->is_array()) {
        for (const auto& name : required->get_array()) {
            if (!name.is_string()) {
                continue;
            }
            compiled->required.emplace_back(name.get_string());
            if (const auto found = compiled->fields.find(name.get_string());
                found != compiled->fields.end()) {
                found->second.required = true;
            }
        }
    }
    return InputValidator(std::move(compiled));
}

std::optional<InputValidator::Kind> InputValidator::kind_of(std::string_view field) const {
    const auto found = compiled_->fields.find(field);
    if (found == compiled_->fields.end()) {
        return std::nullopt;
    }
    return found->second.kind;
}

std::vector<std::string> InputValidator::validate(const json::object& body) const {
    std::vector<std::string> problems;
    for (const auto& name : compiled_->required) {
        const auto* value = present(body, name);
        if (value == nullptr || (value->is_string() && value->get_string().empty())) {
            problems.push_back("Missing required field: " + name);
        }
    }
    // The validator caches regexes while it runs: one per call, never shared between threads.
    valijson::Validator validator;
    std::vector<Finding> findings;
    for (const auto& [key, value] : body) {
        const auto found = compiled_->fields.find(std::string_view(key));
        if (found == compiled_->fields.end()) {
            problems.push_back("Unknown field: " + std::string(key));
            continue;
        }
        const auto& field = found->second;
        // null means "absent"; a required field reported missing gets no second message.
        if (value.is_null() ||
            (field.required && value.is_string() && value.get_string().empty())) {
            continue;
        }
        findings.clear();
        if (field.subschema != nullptr) {
            valijson::ValidationResults results;
            validator.validate(*field.subschema, valijson::adapters::BoostJsonAdapter(value),
                               &results);
            for (const auto& error : results) {
                findings.push_back(schema_finding(error, key, value, field.types));
            }
        }
        check_runner_rules(field.kind, key, value, findings);
        append_problems(findings, problems);
    }
    return problems;
}

std::optional<std::string> sanitize_inputs(json::object& body) {
    for (auto& entry : body) {
        if (auto error = sanitize_value(entry.value(), std::string(entry.key()))) {
            return error;
        }
    }
    return std::nullopt;
}

std::optional<json::object> echoable_properties(const json::object& input_schema) {
    const auto* properties = input_schema.if_contains("properties");
    if (properties == nullptr || !properties->is_object()) {
        return json::object{};
    }
    for (const auto& entry : properties->get_object()) {
        if (!entry.value().is_object()) {
            continue;
        }
        const auto* fallback = entry.value().get_object().if_contains("default");
        if (fallback != nullptr && json::serialize(*fallback).size() > kMaxEchoedDefaultBytes) {
            return std::nullopt;
        }
    }
    return properties->get_object();
}

}  // namespace clara::openapi
