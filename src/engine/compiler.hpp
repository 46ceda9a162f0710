#pragma once

#include "engine/field_map.hpp"
#include "engine/node.hpp"
#include "engine/workflow.hpp"

#include <boost/json/value.hpp>

#include <optional>

namespace clara::engine {

/// What compile_workflow checks beyond the structure.
struct CompileOptions {
    /// Deploy-time requirements of the user's guide: at least one output node (error) and at
    /// least one entry node (warning). Off when loading stored rows.
    bool deploy_checks = true;
};

/// The outcome of compiling: a workflow when diag.ok(), and every problem found.
struct CompileResult {
    WorkflowPtr workflow;
    Diagnostics diag;
};

/// Validates (workflow-format § 5.1) and compiles a normalised document. `stored_fields`, when
/// given, is the field map saved at deploy and is used instead of recomputing it from labels.
CompileResult compile_workflow(WorkflowDocument document, const NodeCatalog& catalog,
                               const CompileOptions& options,
                               const std::optional<FieldMap>& stored_fields = std::nullopt);

/// Normalises any accepted envelope and compiles it.
CompileResult compile_envelope(const boost::json::value& envelope, const NodeCatalog& catalog,
                               const CompileOptions& options);

}  // namespace clara::engine
