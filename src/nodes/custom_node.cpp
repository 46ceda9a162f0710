// Custom nodes (nodes.md § 23): any type defined in `customNodes[]`, run in a ScriptSandbox.
#include "nodes/custom_node.hpp"

#include "engine/execution_context.hpp"
#include "nodes/custom_node_definition.hpp"

namespace clara::nodes {
namespace json = boost::json;

namespace {

/// A node of a custom type: properties are mapped once at compile time, inputs per run.
class CustomNode final : public engine::NodeInstance {
public:
    CustomNode(std::shared_ptr<const CustomNodeDefinition> definition,
               std::shared_ptr<engine::ScriptSandbox> sandbox, const engine::NodeDecl& decl)
        : definition_(std::move(definition)),
          sandbox_(std::move(sandbox)),
          node_id_(decl.id),
          node_name_(decl.name.empty() ? definition_->name : decl.name),
          properties_(custom_node_properties(*definition_, decl.data)) {}

    void start(engine::NodeRun& run) const override {
        engine::ScriptCall call{
            .code = definition_->code,
            .inputs = custom_node_inputs(*definition_, run.inputs()),
            .properties = properties_,
            .node_id = node_id_,
            .node_name = node_name_,
            .keep_alive = run.keep_alive(),
        };
        // The run outlives this call: keep_alive holds the execution that owns it.
        sandbox_->run(std::move(call), run.context(),
                      [definition = definition_, run = &run,
                       keep = run.keep_alive()](engine::ScriptOutcome outcome) {
                          const auto prefix =
                              "Custom node '" + definition->name + "' execution failed: ";
                          if (!outcome.ok) {
                              run->fail(prefix + outcome.error);
                              return;
                          }
                          auto mapped = custom_node_result(*definition, outcome.value);
                          if (auto* error = std::get_if<std::string>(&mapped)) {
                              run->fail(prefix + *error);
                              return;
                          }
                          run->succeed(std::move(std::get<json::object>(mapped)));
                      });
    }

private:
    std::shared_ptr<const CustomNodeDefinition> definition_;
    std::shared_ptr<engine::ScriptSandbox> sandbox_;
    std::string node_id_;
    std::string node_name_;
    json::object properties_;
};

/// The NodeType points into the definition's strings, so both live in one allocation.
struct CustomNodeType {
    std::shared_ptr<const CustomNodeDefinition> definition;
    engine::NodeType type;
};

}  // namespace

std::shared_ptr<const engine::NodeType> make_custom_node_type(
    const json::object& definition, std::shared_ptr<engine::ScriptSandbox> sandbox,
    engine::Diagnostics& diag) {
    auto parsed = parse_custom_node_definition(definition, diag);
    if (!parsed) {
        return nullptr;
    }
    if (sandbox == nullptr) {
        diag.errors.push_back("invalid_custom_node: " + parsed->type +
                              ": no sandbox to run custom node code in");
        return nullptr;
    }
    auto holder = std::make_shared<CustomNodeType>();
    holder->definition = std::make_shared<const CustomNodeDefinition>(std::move(*parsed));
    const auto& shared = *holder->definition;
    auto& type = holder->type;
    type.type = shared.type;
    for (const auto& port : shared.inputs) {
        type.inputs.push_back({port.id, port.name});
    }
    for (const auto& port : shared.outputs) {
        type.outputs.push_back({port.id, port.name});
    }
    if (!shared.outputs.empty()) {
        type.primary_output = shared.outputs.front().id;
    }
    // Captures the definition, not the holder: the holder owns this function.
    type.create = [definition = holder->definition, sandbox = std::move(sandbox)](
                      const engine::NodeDecl& decl, engine::Diagnostics&) {
        return std::make_unique<CustomNode>(definition, sandbox, decl);
    };
    return std::shared_ptr<const engine::NodeType>(holder, &holder->type);
}

}  // namespace clara::nodes
