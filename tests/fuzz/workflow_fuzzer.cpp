// Workflow documents from a deploy request: normalise, compile against the built-in node types
// and, when that succeeds, execute with an empty body. The first byte picks the compile
// options: odd (e.g. '{') compiles with the deploy checks, even (e.g. a leading space) without,
// as stored rows are loaded.

#include "engine/compiler.hpp"
#include "engine/execution.hpp"
#include "engine/workflow_document.hpp"
#include "nodes/builtin_catalog.hpp"
#include "support/fuzz_json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>

using namespace clara;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto envelope = fuzz::parse_json(text);
    if (!envelope) {
        return 0;
    }

    engine::Diagnostics diag;
    const engine::WorkflowDocument document = engine::normalize_workflow(*envelope, diag);
    if (diag.ok()) {
        // The stored form must read back as a valid document (workflow_document.hpp).
        engine::Diagnostics again;
        engine::normalize_workflow(boost::json::value(engine::to_json(document)), again);
        if (!again.ok()) {
            std::fprintf(stderr, "normalised document does not read back: %s\n",
                         again.errors.front().c_str());
            std::abort();
        }
    }

    const engine::CompileOptions options{.deploy_checks = (data[0] & 1) != 0};
    const engine::CompileResult compiled =
        engine::compile_envelope(*envelope, nodes::builtin_catalog(), options);
    if (!compiled.diag.ok() || !compiled.workflow) {
        return 0;
    }
    // Every built-in node completes inline, so execute_sync must not throw here.
    const engine::ExecutionResult result =
        engine::execute_sync(compiled.workflow, boost::json::object{}, engine::ExecutionLimits{});
    (void)result.outputs.size();
    return 0;
}
