#include "nodes/node_types.hpp"
#include "nodes/services/service_node_types.hpp"

namespace clara::nodes {

std::vector<engine::NodeType> service_node_types(const NodeServicesPtr& services) {
    std::vector<engine::NodeType> types;
    for (auto* make :
         {&api_request_node_type, &comfyui_image_node_type, &whisper_transcription_node_type,
          &speech_to_text_node_type, &text_to_speech_node_type, &notebook_writer_node_type,
          &notebook_chat_node_type}) {
        types.push_back((*make)(services));
    }
    return types;
}

}  // namespace clara::nodes
