#include "nodes/llm/model_nodes.hpp"
#include "nodes/node_types.hpp"

namespace clara::nodes {

std::vector<engine::NodeType> model_node_types(const NodeServicesPtr& services) {
    return {llm::llm_node_type(services), llm::structured_llm_node_type(services),
            llm::agent_node_type(services)};
}

}  // namespace clara::nodes
