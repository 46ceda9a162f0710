#pragma once

#include "engine/node.hpp"

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

}  // namespace clara::nodes
