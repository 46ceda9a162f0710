#pragma once

// The node types of this folder, each built with the services it calls (service_catalog.cpp
// lists them).

#include "engine/node.hpp"
#include "nodes/node_services.hpp"

namespace clara::nodes {

/// `api-request` (nodes.md § 13).
engine::NodeType api_request_node_type(const NodeServicesPtr& services);
/// `comfyui-image-gen`, `comfyui-image-generator`, `comfyui` (nodes.md § 17).
engine::NodeType comfyui_image_node_type(const NodeServicesPtr& services);
/// `whisper-transcription` (nodes.md § 14).
engine::NodeType whisper_transcription_node_type(const NodeServicesPtr& services);
/// `speech-to-text` (nodes.md § 15).
engine::NodeType speech_to_text_node_type(const NodeServicesPtr& services);
/// `text-to-speech`, `tts` (nodes.md § 16).
engine::NodeType text_to_speech_node_type(const NodeServicesPtr& services);
/// `notebook-writer` (nodes.md § 19).
engine::NodeType notebook_writer_node_type(const NodeServicesPtr& services);
/// `notebook-chat` (nodes.md § 20).
engine::NodeType notebook_chat_node_type(const NodeServicesPtr& services);

}  // namespace clara::nodes
