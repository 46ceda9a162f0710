#pragma once

// The model node types of this folder, each built with the services it calls.

#include "engine/node.hpp"
#include "nodes/node_services.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace clara::nodes::llm {

/// `llm` (alias `llm-chat`), nodes.md § 8.
engine::NodeType llm_node_type(const NodeServicesPtr& services);
/// `structured-llm`, nodes.md § 9.
engine::NodeType structured_llm_node_type(const NodeServicesPtr& services);
/// `agent-executor` (alias `agent`), nodes.md § 18.
engine::NodeType agent_node_type(const NodeServicesPtr& services);

/// Sampling settings of a model node's data.
struct ModelOptions {
    std::string model;
    double temperature = 0.7;
    std::int64_t max_tokens = 1000;
};

/// Reads `model_key` (default `default_model`), `temperature` (0.7; 0 is honoured) and
/// `maxTokens` (`default_max_tokens`); numbers may be JSON numbers or numeric strings.
ModelOptions read_model_options(const boost::json::object& data, std::string_view model_key,
                                std::string_view default_model, std::int64_t default_max_tokens);

}  // namespace clara::nodes::llm
