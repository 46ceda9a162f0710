#pragma once

// The parts of ComfyUI's HTTP API the image node uses (nodes.md § 17), as pure functions: the
// text-to-image graph it submits, and what it reads from /object_info, /prompt and /history.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::nodes {

/// What one generation asks for.
struct ComfyUiGeneration {
    std::string model;  ///< checkpoint file name
    std::string prompt;
    std::string negative_prompt;
    std::int64_t steps = 20;
    double cfg = 7.5;
    double denoise = 1.0;
    std::string sampler = "euler";
    std::string scheduler = "normal";
    std::int64_t width = 512;
    std::int64_t height = 512;
    std::uint64_t seed = 0;
};

/// The id of the graph's SaveImage node, whose output carries the image.
inline constexpr std::string_view kComfyUiSaveNode = "7";

/// The text-to-image graph in ComfyUI's API format: checkpoint loader, two text encoders,
/// empty latent, KSampler, VAE decode, SaveImage.
boost::json::object comfyui_graph(const ComfyUiGeneration& generation);

/// The checkpoint names of a `/object_info/CheckpointLoaderSimple` answer, in order.
std::vector<std::string> comfyui_checkpoints(const boost::json::value& object_info);

/// The message of a rejected `/prompt` (`error.message`, plus `error.details` when set), or
/// nullopt when the answer carries none.
std::optional<std::string> comfyui_prompt_error(const boost::json::value& body);

/// Where ComfyUI stored an output image.
struct ComfyUiImageRef {
    std::string filename;
    std::string subfolder;
    std::string type = "output";
};

/// What a `/history/{prompt_id}` answer says about a prompt.
struct ComfyUiHistory {
    enum class State {
        kPending,  ///< no entry yet: queued or running
        kFailed,   ///< status_str "error"; see `error`
        kNoImage,  ///< finished without an image from the SaveImage node
        kImage,    ///< finished; see `image`
    };
    State state = State::kPending;
    std::string error;
    ComfyUiImageRef image;
};

/// Reads the entry for `prompt_id` from a `/history/{prompt_id}` answer.
ComfyUiHistory read_comfyui_history(const boost::json::value& body, std::string_view prompt_id);

/// The query of `/view` for an image: filename, subfolder and type, form-encoded.
std::string comfyui_view_query(const ComfyUiImageRef& image);

}  // namespace clara::nodes
