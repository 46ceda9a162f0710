#include "nodes/services/comfyui_api.hpp"

#include "nodes/node_data.hpp"
#include "nodes/services/url_encoding.hpp"

namespace clara::nodes {
namespace json = boost::json;

namespace {

json::array link(std::string_view node, int output) { return json::array{node, output}; }

const json::value* member(const json::value* value, std::string_view key) {
    if (value == nullptr || !value->is_object()) {
        return nullptr;
    }
    return value->get_object().if_contains(key);
}

std::string text_member(const json::value* value, std::string_view key) {
    const auto* found = member(value, key);
    return found != nullptr && found->is_string() ? std::string(found->get_string())
                                                  : std::string();
}

/// The exception message of an `execution_error` entry in `status.messages`.
std::string execution_error(const json::value* status) {
    const auto* messages = member(status, "messages");
    if (messages == nullptr || !messages->is_array()) {
        return {};
    }
    for (const auto& message : messages->get_array()) {
        if (!message.is_array() || message.get_array().size() < 2) {
            continue;
        }
        const auto& pair = message.get_array();
        if (pair[0].is_string() && pair[0].get_string() == "execution_error") {
            auto text = text_member(&pair[1], "exception_message");
            const auto node_type = text_member(&pair[1], "node_type");
            if (!text.empty() && !node_type.empty()) {
                text = node_type + ": " + text;
            }
            return text;
        }
    }
    return {};
}

}  // namespace

json::object comfyui_graph(const ComfyUiGeneration& g) {
    json::object graph;
    graph["1"] = json::object{{"class_type", "CheckpointLoaderSimple"},
                              {"inputs", json::object{{"ckpt_name", g.model}}}};
    graph["2"] = json::object{{"class_type", "CLIPTextEncode"},
                              {"inputs", json::object{{"text", g.prompt}, {"clip", link("1", 1)}}}};
    graph["3"] =
        json::object{{"class_type", "CLIPTextEncode"},
                     {"inputs", json::object{{"text", g.negative_prompt}, {"clip", link("1", 1)}}}};
    graph["4"] = json::object{
        {"class_type", "EmptyLatentImage"},
        {"inputs", json::object{{"width", g.width}, {"height", g.height}, {"batch_size", 1}}}};
    graph["5"] = json::object{{"class_type", "KSampler"},
                              {"inputs", json::object{{"seed", g.seed},
                                                      {"steps", g.steps},
                                                      {"cfg", json_number_value(g.cfg)},
                                                      {"sampler_name", g.sampler},
                                                      {"scheduler", g.scheduler},
                                                      {"denoise", json_number_value(g.denoise)},
                                                      {"model", link("1", 0)},
                                                      {"positive", link("2", 0)},
                                                      {"negative", link("3", 0)},
                                                      {"latent_image", link("4", 0)}}}};
    graph["6"] =
        json::object{{"class_type", "VAEDecode"},
                     {"inputs", json::object{{"samples", link("5", 0)}, {"vae", link("1", 2)}}}};
    graph[kComfyUiSaveNode] = json::object{
        {"class_type", "SaveImage"},
        {"inputs", json::object{{"filename_prefix", "clara_runner"}, {"images", link("6", 0)}}}};
    return graph;
}

std::vector<std::string> comfyui_checkpoints(const json::value& object_info) {
    const auto* ckpt =
        member(member(member(member(&object_info, "CheckpointLoaderSimple"), "input"), "required"),
               "ckpt_name");
    std::vector<std::string> out;
    if (ckpt == nullptr || !ckpt->is_array() || ckpt->get_array().empty()) {
        return out;
    }
    // Classic answers list the options first; newer ones write ["COMBO", {"options": [...]}].
    const auto& spec = ckpt->get_array();
    const json::value* options = spec[0].is_array() ? &spec[0] : nullptr;
    if (options == nullptr && spec.size() > 1) {
        options = member(&spec[1], "options");
    }
    if (options == nullptr || !options->is_array()) {
        return out;
    }
    for (const auto& name : options->get_array()) {
        if (name.is_string() && !name.get_string().empty()) {
            out.emplace_back(name.get_string());
        }
    }
    return out;
}

std::optional<std::string> comfyui_prompt_error(const json::value& body) {
    const auto* error = member(&body, "error");
    if (error != nullptr && error->is_string() && !error->get_string().empty()) {
        return std::string(error->get_string());
    }
    auto message = text_member(error, "message");
    if (message.empty()) {
        return std::nullopt;
    }
    if (const auto details = text_member(error, "details"); !details.empty()) {
        message += ": " + details;
    }
    return message;
}

ComfyUiHistory read_comfyui_history(const json::value& body, std::string_view prompt_id) {
    ComfyUiHistory history;
    const auto* entry = member(&body, prompt_id);
    if (entry == nullptr || !entry->is_object()) {
        return history;
    }
    const auto* status = member(entry, "status");
    if (text_member(status, "status_str") == "error") {
        history.state = ComfyUiHistory::State::kFailed;
        history.error = execution_error(status);
        return history;
    }
    const auto* images = member(member(member(entry, "outputs"), kComfyUiSaveNode), "images");
    if (images == nullptr || !images->is_array() || images->get_array().empty()) {
        history.state = ComfyUiHistory::State::kNoImage;
        return history;
    }
    const auto& first = images->get_array()[0];
    history.image.filename = text_member(&first, "filename");
    history.image.subfolder = text_member(&first, "subfolder");
    if (auto type = text_member(&first, "type"); !type.empty()) {
        history.image.type = std::move(type);
    }
    history.state = history.image.filename.empty() ? ComfyUiHistory::State::kNoImage
                                                   : ComfyUiHistory::State::kImage;
    return history;
}

std::string comfyui_view_query(const ComfyUiImageRef& image) {
    return "filename=" + form_urlencode(image.filename) +
           "&subfolder=" + form_urlencode(image.subfolder) + "&type=" + form_urlencode(image.type);
}

}  // namespace clara::nodes
