#include "engine/node.hpp"

namespace clara::engine {

void NodeInputs::set(std::string_view key, const boost::json::value* value) {
    for (auto& entry : entries_) {
        if (entry.first == key) {
            // Last connection wins, but the key keeps its first position (connection order of
            // first arrival), which is what "first live input" reads.
            entry.second = value;
            return;
        }
    }
    entries_.emplace_back(key, value);
}

const boost::json::value* NodeInputs::get(std::string_view key) const {
    for (const auto& entry : entries_) {
        if (entry.first == key) {
            return entry.second;
        }
    }
    return nullptr;
}

const boost::json::value* NodeInputs::read(std::initializer_list<std::string_view> keys) const {
    for (const auto key : keys) {
        if (const auto* value = get(key)) {
            return value;
        }
    }
    return nullptr;
}

const boost::json::value* NodeInputs::first() const {
    return entries_.empty() ? nullptr : entries_.front().second;
}

const boost::json::value* NodeInputs::read_or_first(
    std::initializer_list<std::string_view> keys) const {
    const auto* value = read(keys);
    return value != nullptr ? value : first();
}

void SyncNode::start(NodeRun& run) const {
    boost::json::value result;
    try {
        result = compute(run);
    } catch (const NodeFailure& failure) {
        run.fail(failure.what(), failure.kind());
        return;
    }
    run.succeed(std::move(result));
}

}  // namespace clara::engine
