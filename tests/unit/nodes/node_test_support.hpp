#pragma once

#include "engine/execution_context.hpp"
#include "engine/node.hpp"
#include "nodes/builtin_catalog.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>

namespace clara::nodes::testing {

/// Runs one node of a built-in type outside any workflow: data, inputs and the API value are
/// given directly, and the outcome is captured.
class NodeHarness final : public engine::NodeRun {
public:
    NodeHarness(std::string_view type, std::string_view data_json = "{}")
        : context_(limits_) {
        const auto* node_type = builtin_catalog().find(type);
        EXPECT_NE(node_type, nullptr) << type;
        decl_.id = "node-under-test";
        decl_.type = std::string(type);
        decl_.data = boost::json::parse(data_json).as_object();
        instance_ = node_type->create(decl_, diag_);
    }

    const engine::Diagnostics& diagnostics() const { return diag_; }
    bool built() const { return instance_ != nullptr; }
    engine::ExecutionLimits& limits() { return limits_; }

    NodeHarness& input(std::string_view key, boost::json::value value) {
        values_.push_back(std::move(value));
        keys_.emplace_back(key);
        inputs_.set(keys_.back(), &values_.back());
        return *this;
    }

    NodeHarness& external(boost::json::value value) {
        external_ = std::move(value);
        return *this;
    }

    /// Runs the node; returns the result, or nullopt when it failed (see error()).
    std::optional<boost::json::value> run() {
        result_.reset();
        error_.clear();
        instance_->start(*this);
        return result_;
    }

    const std::string& error() const { return error_; }
    engine::FailureKind failure_kind() const { return failure_kind_; }
    std::vector<engine::ExecutionLogEntry> logs() const { return context_.logs(); }

    // NodeRun
    const engine::NodeInputs& inputs() const override { return inputs_; }
    const boost::json::value* external_value() const override {
        return external_ ? &*external_ : nullptr;
    }
    engine::ExecutionContext& context() override { return context_; }
    void succeed(boost::json::value result) override { result_ = std::move(result); }
    void fail(std::string message, engine::FailureKind kind) override {
        error_ = std::move(message);
        failure_kind_ = kind;
    }
    std::shared_ptr<void> keep_alive() override { return nullptr; }

private:
    engine::ExecutionLimits limits_;
    engine::ExecutionContext context_;
    engine::NodeDecl decl_;
    engine::Diagnostics diag_;
    std::unique_ptr<engine::NodeInstance> instance_;
    std::deque<boost::json::value> values_;
    std::deque<std::string> keys_;
    engine::NodeInputs inputs_;
    std::optional<boost::json::value> external_;
    std::optional<boost::json::value> result_;
    std::string error_;
    engine::FailureKind failure_kind_ = engine::FailureKind::kNode;
};

inline boost::json::value json(std::string_view text) { return boost::json::parse(text); }

}  // namespace clara::nodes::testing
