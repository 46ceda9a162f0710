// `file-upload` (nodes.md § 12): a file from the request (data URL, raw base64 or an object with
// name and type), checked against size and type limits and emitted in the configured format.
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"
#include "util/base64.hpp"
#include "util/json_text.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr double kMegabyte = 1024.0 * 1024.0;

/// Replaces invalid UTF-8 sequences with U+FFFD, as a browser's TextDecoder does.
std::string decode_utf8_lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                                : (lead >> 3) == 0x1E ? 4 : 0;
        bool valid = length > 0 && i + length <= bytes.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
        }
        if (valid && length == 1) {
            out.push_back(bytes[i]);
        } else if (valid) {
            out.append(bytes.substr(i, length));
        } else {
            out += "\xEF\xBF\xBD";
            length = 1;
        }
        i += length;
    }
    return out;
}

struct UploadedFile {
    std::string bytes;
    std::string name = "uploaded_file";
    std::string mime = "application/octet-stream";
};

std::optional<std::string> decode_payload(std::string_view text, std::string& mime_out) {
    if (const auto url = util::parse_data_url(text)) {
        if (!url->mime.empty()) {
            mime_out = url->mime;
        }
        return util::base64_decode(url->payload);
    }
    return util::base64_decode(text);
}

UploadedFile read_upload(const json::value& value) {
    UploadedFile file;
    std::string data_url_mime;
    std::optional<std::string> bytes;
    if (value.is_string()) {
        bytes = decode_payload(value.get_string(), data_url_mime);
    } else if (value.is_object()) {
        const auto& object = value.get_object();
        const auto* data = object.if_contains("data");
        if (data == nullptr || !data->is_string()) {
            data = object.if_contains("file");
        }
        if (data != nullptr && data->is_string()) {
            bytes = decode_payload(data->get_string(), data_url_mime);
        }
        file.name = string_or(object, "name", file.name);
        file.mime = string_or(object, "type", file.mime);
    }
    if (!bytes) {
        throw NodeFailure("Invalid file data: expected a data URL, base64 text, or an object "
                          "with a base64 'data' field");
    }
    if (!data_url_mime.empty()) {
        file.mime = data_url_mime;
    }
    file.bytes = std::move(*bytes);
    return file;
}

bool type_accepted(const std::vector<std::string>& accepted, const UploadedFile& file) {
    const auto mime = boost::algorithm::to_lower_copy(file.mime);
    const auto name = boost::algorithm::to_lower_copy(file.name);
    for (const auto& entry : accepted) {
        if (entry == "*/*" || entry == "*") {
            return true;
        }
        if (entry.front() == '.') {
            if (name.size() >= entry.size() && name.compare(name.size() - entry.size(), entry.size(), entry) == 0) {
                return true;
            }
        } else if (entry.size() > 2 && entry.compare(entry.size() - 2, 2, "/*") == 0) {
            if (mime.rfind(entry.substr(0, entry.size() - 1), 0) == 0) {
                return true;
            }
        } else if (entry == mime) {
            return true;
        }
    }
    return false;
}

class FileUploadNode final : public engine::SyncNode {
public:
    explicit FileUploadNode(const engine::NodeDecl& decl)
        : format_(string_or(decl.data, "outputFormat", "base64")),
          accepted_text_(string_or(decl.data, "acceptedTypes", "*/*")) {
        std::string_view list = accepted_text_;
        while (!list.empty()) {
            const auto comma = list.find(',');
            auto entry = boost::algorithm::trim_copy(std::string(list.substr(0, comma)));
            if (!entry.empty()) {
                accepted_.push_back(boost::algorithm::to_lower_copy(entry));
            }
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
        const double max_size = number_field(decl.data, "maxSize").value_or(10);
        // The Studio stores megabytes; the SDK stored bytes (values above 1024).
        max_bytes_ = max_size > 1024 ? max_size : max_size * kMegabyte;
        max_size_label_ = util::format_js_number(max_size > 1024 ? max_size / kMegabyte : max_size);
        if (const auto* allowed = decl.data.if_contains("allowedTypes"); allowed && allowed->is_array()) {
            for (const auto& entry : allowed->get_array()) {
                if (entry.is_string() && !entry.get_string().empty()) {
                    allowed_substrings_.emplace_back(entry.get_string());
                }
            }
        }
        if (const auto* saved = decl.data.if_contains("outputs"); saved && saved->is_object()) {
            const auto& object = saved->get_object();
            if (const auto* content = object.if_contains("content"); content && !content->is_null()) {
                saved_content_ = *content;
                const auto* metadata = object.if_contains("metadata");
                saved_metadata_ = metadata != nullptr ? *metadata : json::value(nullptr);
            }
        }
    }

protected:
    json::value compute(NodeRun& run) const override {
        const auto* external = run.external_value();
        if (external == nullptr) {
            if (saved_content_) {
                return json::object{{"content", *saved_content_}, {"metadata", saved_metadata_}};
            }
            return json::object{{"content", nullptr}, {"metadata", nullptr}};
        }
        const auto file = read_upload(*external);
        if (static_cast<double>(file.bytes.size()) > max_bytes_) {
            throw NodeFailure("File size exceeds " + max_size_label_ + "MB limit");
        }
        if (!type_accepted(accepted_, file) || !allowed_by_substring(file.mime)) {
            throw NodeFailure("File type not accepted. Accepted types: " + accepted_text_);
        }
        json::object metadata{{"name", file.name},
                              {"size", file.bytes.size()},
                              {"type", file.mime},
                              {"lastModified", nullptr},
                              {"format", format_}};
        return json::object{{"content", content_for(file, metadata)}, {"metadata", metadata}};
    }

private:
    bool allowed_by_substring(const std::string& mime) const {
        if (allowed_substrings_.empty()) {
            return true;
        }
        for (const auto& part : allowed_substrings_) {
            if (mime.find(part) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    json::value content_for(const UploadedFile& file, const json::object& metadata) const {
        if (format_ == "dataurl") {
            return json::string("data:" + file.mime + ";base64," + util::base64_encode(file.bytes));
        }
        if (format_ == "text") {
            return json::string(decode_utf8_lossy(file.bytes));
        }
        if (format_ == "binary") {
            json::array bytes;
            bytes.reserve(file.bytes.size());
            for (const char c : file.bytes) {
                bytes.push_back(static_cast<unsigned char>(c));
            }
            return bytes;
        }
        if (format_ == "file") {
            return json::object{{"name", metadata.at("name")},
                                {"size", metadata.at("size")},
                                {"type", metadata.at("type")},
                                {"lastModified", nullptr}};
        }
        if (format_ == "metadata") {
            return nullptr;
        }
        return json::string(util::base64_encode(file.bytes));  // base64, base64_raw, unknown
    }

    std::string format_;
    std::string accepted_text_;
    std::vector<std::string> accepted_;
    std::vector<std::string> allowed_substrings_;
    double max_bytes_ = 0;
    std::string max_size_label_;
    std::optional<json::value> saved_content_;
    json::value saved_metadata_;
};

}  // namespace

const engine::NodeType& file_upload_node_type() {
    static const engine::NodeType kType{
        .type = "file-upload",
        .role = engine::NodeRole::kEntry,
        .outputs = {{"content", "File Content"}, {"metadata", "File Metadata"}},
        .primary_output = "content",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<FileUploadNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
