#include "nodes/node_types.hpp"

namespace clara::nodes {

std::vector<engine::NodeType> service_node_types(const NodeServicesPtr& services) {
    return {};
}

}  // namespace clara::nodes
