// `image-input` (nodes.md § 10): an image from the request (data URL or raw base64), else the
// saved one, normalised to a data URL with metadata read from the image header.
#include "nodes/image_probe.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"
#include "engine/execution_context.hpp"
#include "util/base64.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

class ImageInputNode final : public engine::SyncNode {
public:
    explicit ImageInputNode(const engine::NodeDecl& decl)
        : saved_(string_or(decl.data, "imageFile", "")) {}

protected:
    json::value compute(NodeRun& run) const override {
        std::string_view image = saved_;
        if (const auto* external = run.external_value()) {
            if (!external->is_string()) {
                throw NodeFailure("Invalid image data");
            }
            image = external->get_string();
        }
        if (image.empty()) {
            return json::object{{"base64", ""}, {"metadata", json::object{}}};
        }
        std::string mime;
        std::string_view payload = image;
        if (const auto url = util::parse_data_url(image)) {
            if (url->mime.rfind("image/", 0) != 0) {
                throw NodeFailure("Invalid image data");
            }
            mime = url->mime;
            payload = url->payload;
        }
        const auto bytes = util::base64_decode(payload);
        if (!bytes || bytes->empty()) {
            throw NodeFailure("Invalid image data");
        }
        const auto limit = run.context().limits().max_input_size;
        if (bytes->size() > limit) {
            throw NodeFailure("Image is larger than the limit of " + std::to_string(limit) + " bytes");
        }
        std::string data_url;
        if (mime.empty()) {
            const auto sniffed = sniff_image_mime(*bytes);
            mime = sniffed.empty() ? "image/jpeg" : std::string(sniffed);
            data_url = "data:" + mime + ";base64," + std::string(payload);
        } else {
            data_url = std::string(image);
        }
        json::object metadata{{"width", nullptr}, {"height", nullptr}, {"type", mime},
                              {"size", bytes->size()}};
        if (const auto size = probe_image_size(*bytes)) {
            metadata["width"] = size->width;
            metadata["height"] = size->height;
        }
        return json::object{{"base64", std::move(data_url)}, {"metadata", std::move(metadata)}};
    }

private:
    std::string saved_;
};

}  // namespace

const engine::NodeType& image_input_node_type() {
    static const engine::NodeType kType{
        .type = "image-input",
        .role = engine::NodeRole::kEntry,
        .outputs = {{"base64", "Base64 Data"}, {"metadata", "Image Metadata"}},
        .primary_output = "base64",
        .create = [](const engine::NodeDecl& decl, engine::Diagnostics&) {
            return std::make_unique<ImageInputNode>(decl);
        },
    };
    return kType;
}

}  // namespace clara::nodes
