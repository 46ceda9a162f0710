#pragma once

#include "engine/compiler.hpp"
#include "engine/execution.hpp"
#include "nodes/builtin_catalog.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string_view>

namespace clara::engine::testing {

/// Compiles a workflow written inline as JSON with the built-in catalog (without the deploy-only
/// requirements, so small graphs can be exercised); fails the test when it
/// does not compile.
inline WorkflowPtr compile_or_fail(std::string_view json_text) {
    auto result = compile_envelope(boost::json::parse(json_text), nodes::builtin_catalog(),
                                   CompileOptions{.deploy_checks = false});
    for (const auto& error : result.diag.errors) {
        ADD_FAILURE() << "compile error: " << error;
    }
    return result.workflow;
}

/// Runs a workflow with the given request body (JSON object text).
inline ExecutionResult run(const WorkflowPtr& workflow, std::string_view body = "{}") {
    static const ExecutionLimits kLimits{};
    return execute_sync(workflow, boost::json::parse(body).as_object(), kLimits);
}

}  // namespace clara::engine::testing
