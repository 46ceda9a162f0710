// `pdf-input` (nodes.md § 11): extracts the text of a PDF from the request or the saved file.
// Failures are soft (empty text plus an error in metadata) unless STRICT_NODE_ERRORS is set.
#include "engine/execution_context.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"
#include "util/base64.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr double kLineBreakThreshold = 5.0;  // baseline shift that starts a new line

/// Poppler reports recoverable parse problems on stderr; they reach the user as metadata.error.
void silence_poppler() {
    static const bool kSilenced = [] {
        poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
        return true;
    }();
    (void)kSilenced;
}

std::string collapse_whitespace(const std::string& text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out.push_back(' ');
            space = false;
        }
        out.push_back(c);
    }
    return out;
}

std::string trim(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r\n\f\v");
    if (begin == std::string::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t\r\n\f\v");
    return text.substr(begin, end - begin + 1);
}

std::size_t count_words(const std::string& text) {
    std::size_t words = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = std::isspace(static_cast<unsigned char>(c));
        if (!space && !in_word) {
            ++words;
        }
        in_word = !space;
    }
    return words;
}

std::string page_text(const poppler::page& page, bool preserve_formatting) {
    std::string text;
    bool first = true;
    double last_baseline = 0;
    for (const auto& box : page.text_list()) {
        const double baseline = box.bbox().bottom();
        if (preserve_formatting && !first && std::fabs(baseline - last_baseline) > kLineBreakThreshold) {
            text.push_back('\n');
        }
        const auto utf8 = box.text().to_utf8();
        text.append(utf8.begin(), utf8.end());
        text.push_back(' ');
        last_baseline = baseline;
        first = false;
    }
    return trim(text);
}

class PdfInputNode final : public engine::SyncNode {
public:
    explicit PdfInputNode(const engine::NodeDecl& decl)
        : node_id_(decl.id),
          saved_(string_or(decl.data, "pdfFile", "")),
          max_pages_(static_cast<int>(std::clamp(number_field(decl.data, "maxPages").value_or(50), 1.0, 200.0))),
          preserve_formatting_(bool_or(decl.data, "preserveFormatting", false)) {}

protected:
    json::value compute(NodeRun& run) const override {
        std::string_view pdf = saved_;
        if (const auto* external = run.external_value()) {
            if (!external->is_string()) {
                return soft_failure(run, 0, "the PDF must be a base64 string or data URL");
            }
            pdf = external->get_string();
        }
        if (pdf.empty()) {
            return json::object{
                {"text", ""},
                {"metadata", json::object{{"pageCount", 0}, {"size", 0}, {"error", "No PDF file provided"}}}};
        }
        const auto size = utf16_length(pdf);
        std::string_view payload = pdf;
        if (const auto url = util::parse_data_url(pdf)) {
            payload = url->payload;
        }
        const auto bytes = util::base64_decode(payload);
        if (!bytes) {
            return soft_failure(run, size, "the PDF is not valid base64");
        }
        silence_poppler();
        std::unique_ptr<poppler::document> document(
            poppler::document::load_from_raw_data(bytes->data(), static_cast<int>(bytes->size())));
        if (!document) {
            return soft_failure(run, size, "the file could not be read as a PDF");
        }
        if (document->is_locked()) {
            return soft_failure(run, size, "the PDF is encrypted");
        }
        const int total = document->pages();
        const int processed = std::min(total, max_pages_);
        std::string text;
        for (int i = 0; i < processed; ++i) {
            std::unique_ptr<poppler::page> page(document->create_page(i));
            if (!page) {
                continue;
            }
            const auto content = page_text(*page, preserve_formatting_);
            if (content.empty()) {
                continue;
            }
            if (!text.empty()) {
                text += "\n\n";
            }
            text += "Page " + std::to_string(i + 1) + ":\n" + content;
        }
        if (!preserve_formatting_) {
            text = collapse_whitespace(text);
        }
        json::object metadata{{"pageCount", processed},
                              {"totalPagesInDocument", total},
                              {"size", size},
                              {"extractedCharacters", utf16_length(text)},
                              {"extractedWords", count_words(text)},
                              {"preserveFormatting", preserve_formatting_},
                              {"maxPages", max_pages_}};
        return json::object{{"text", std::move(text)}, {"metadata", std::move(metadata)}};
    }

private:
    json::value soft_failure(NodeRun& run, std::size_t size, const std::string& reason) const {
        const auto message = "PDF processing failed: " + reason;
        if (run.context().limits().strict_node_errors) {
            throw NodeFailure(message);
        }
        run.context().warn(node_id_, message);
        return json::object{
            {"text", ""},
            {"metadata", json::object{{"pageCount", 0}, {"size", size}, {"error", message}}}};
    }

    std::string node_id_;
    std::string saved_;
    int max_pages_;
    bool preserve_formatting_;
};

}  // namespace

const engine::NodeType& pdf_input_node_type() {
    static const engine::NodeType kType{
        .type = "pdf-input",
        .role = engine::NodeRole::kEntry,
        .outputs = {{"text", "Extracted Text"}, {"metadata", "Metadata"}},
        .primary_output = "text",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<PdfInputNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
