#pragma once

#include "engine/workflow_document.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace clara::openapi::testing {

/// A node as the normaliser would produce it.
inline engine::NodeDecl make_node(std::string id,
                                  std::string type,
                                  boost::json::object data = {}) {
    engine::NodeDecl node;
    node.id = std::move(id);
    node.type = std::move(type);
    node.data = std::move(data);
    return node;
}

}  // namespace clara::openapi::testing
