#pragma once

#include "engine/node.hpp"
#include "nodes/node_services.hpp"

#include <vector>

namespace clara::nodes {

/// One accessor per built-in node type; each lives in its own <type>_node.cpp.
const engine::NodeType& input_node_type();
const engine::NodeType& output_node_type();
const engine::NodeType& static_text_node_type();
const engine::NodeType& combine_text_node_type();
const engine::NodeType& json_parse_node_type();
const engine::NodeType& json_stringify_node_type();
const engine::NodeType& if_else_node_type();
const engine::NodeType& image_input_node_type();
const engine::NodeType& pdf_input_node_type();
const engine::NodeType& file_upload_node_type();

/// Node types that call models and services, built per server with the services they use.
/// llm, structured-llm, agent-executor (src/nodes/llm/).
std::vector<engine::NodeType> model_node_types(const NodeServicesPtr& services);
/// api-request, comfyui-image-gen, whisper-transcription, speech-to-text, text-to-speech,
/// notebook-writer, notebook-chat (src/nodes/services/).
std::vector<engine::NodeType> service_node_types(const NodeServicesPtr& services);

}  // namespace clara::nodes
