#pragma once

#include "engine/workflow_document.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clara::engine {

class ExecutionContext;

/// A canonical port of a node type (nodes.md § 26).
struct PortSpec {
    std::string_view id;
    std::string_view name;
};

/// What part a node type plays in a workflow.
enum class NodeRole {
    kProcessing,
    kEntry,   ///< receives a value from the API request (input, image-input, ...)
    kOutput,  ///< its bare result becomes one field of `outputs`
};

/// Why a node failed, which decides the HTTP status of the failed execution.
enum class FailureKind {
    kNode,             ///< the node's own error (bad input, configuration): 500
    kUpstream,         ///< a provider or service failed or answered an error: 502
    kUpstreamTimeout,  ///< a provider or service did not answer in time: 504
};

/// Thrown by a node to fail the execution; the message is the node's own text, and the
/// scheduler adds which node failed.
class NodeFailure : public std::runtime_error {
public:
    explicit NodeFailure(const std::string& message, FailureKind kind = FailureKind::kNode)
        : std::runtime_error(message), kind_(kind) {}

    FailureKind kind() const { return kind_; }

private:
    FailureKind kind_;
};

/// The live inputs of one node run, in connection order (workflow-format § 5.3).
/// Keys point into the compiled plan and values into results owned by the execution, so
/// gathering copies nothing.
class NodeInputs {
public:
    /// Sets `key`; a later connection into the same key replaces the earlier value.
    void set(std::string_view key, const boost::json::value* value);

    /// The value under `key`, or nullptr when no live edge delivered it.
    const boost::json::value* get(std::string_view key) const;

    /// The first key of `keys` that is present (the per-node alias read lists of nodes.md).
    const boost::json::value* read(std::initializer_list<std::string_view> keys) const;

    /// The first live input in connection order, or nullptr.
    const boost::json::value* first() const;

    /// read(keys), else the first live input: the read order of single-input nodes.
    const boost::json::value* read_or_first(std::initializer_list<std::string_view> keys) const;

    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }

private:
    std::vector<std::pair<std::string_view, const boost::json::value*>> entries_;
};

/// One run of one node. The node reads its inputs and finishes by calling exactly one of
/// succeed() / fail(), inline or later from another thread (for nodes that wait on I/O).
class NodeRun {
public:
    virtual ~NodeRun() = default;

    virtual const NodeInputs& inputs() const = 0;
    /// For entry nodes: the API value for this node, or nullptr if the request did not carry it.
    virtual const boost::json::value* external_value() const = 0;
    virtual ExecutionContext& context() = 0;

    virtual void succeed(boost::json::value result) = 0;
    virtual void fail(std::string message, FailureKind kind) = 0;
    void fail(std::string message) { fail(std::move(message), FailureKind::kNode); }

    /// Keeps the execution (and this run) alive; a node that finishes later holds it until then.
    virtual std::shared_ptr<void> keep_alive() = 0;
};

/// A node of a compiled workflow, with its configuration already parsed. Immutable and shared
/// by every execution of the workflow.
class NodeInstance {
public:
    virtual ~NodeInstance() = default;

    /// Starts the node; see NodeRun for the completion contract.
    virtual void start(NodeRun& run) const = 0;
};

/// A node whose work is pure computation: compute() runs inline on the caller's thread.
class SyncNode : public NodeInstance {
public:
    void start(NodeRun& run) const final;

protected:
    /// Returns the node's result, or throws NodeFailure.
    virtual boost::json::value compute(NodeRun& run) const = 0;
};

/// Everything the compiler needs to know about a node type, declared next to its code.
struct NodeType {
    std::string_view type;
    std::vector<std::string_view> aliases;
    NodeRole role = NodeRole::kProcessing;
    std::vector<PortSpec> inputs;
    std::vector<PortSpec> outputs;
    /// Output used for an edge from `output` or an undeclared handle (workflow-format § 5.4).
    /// Empty: the first key the node emitted (if-else emits exactly one).
    std::string_view primary_output;
    /// Parses `node.data` once at compile time. Problems go to `diag` (errors reject the
    /// workflow; a null return is allowed only together with an error).
    std::function<std::unique_ptr<NodeInstance>(const NodeDecl&, Diagnostics&)> create;
};

/// The set of node types a compiler may use.
class NodeCatalog {
public:
    virtual ~NodeCatalog() = default;

    /// The type for a type string or alias, or nullptr.
    virtual const NodeType* find(std::string_view type) const = 0;

    /// Why `type` cannot be deployed (for a clear rejection), when find() returned nullptr.
    virtual std::string unsupported_reason(std::string_view type) const = 0;

    /// The type of a custom node definition (one `customNodes[]` entry, nodes.md § 23). Null
    /// when this catalog does not run custom nodes (the default: they are disabled), or when
    /// the definition is invalid, which is then reported in `diag.errors` naming the type.
    virtual std::shared_ptr<const NodeType> custom_type(const boost::json::object& definition,
                                                        Diagnostics& diag) const {
        return nullptr;
    }
};

}  // namespace clara::engine
