#pragma once

#include "config/settings.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace clara::config {

/// `text` without surrounding spaces, tabs and line breaks.
std::string trim(std::string_view text);

/// Reads typed variables from an EnvLookup, collecting every problem (the target keeps its
/// default when a value is invalid).
class EnvReader {
public:
    EnvReader(const EnvLookup& env, std::vector<std::string>& problems)
        : env_(env), problems_(problems) {}

    /// The raw value; nullopt when unset or blank (blank means "use the default").
    std::optional<std::string> text(const std::string& name) const;
    void string(const std::string& name, std::string& target) const;
    void integer(const std::string& name, long long& target, long long min, long long max) const;
    void milliseconds(const std::string& name, std::chrono::milliseconds& target, long long min,
                      long long max) const;
    void boolean(const std::string& name, bool& target) const;
    /// A comma-separated list; blank entries are dropped.
    void list(const std::string& name, std::vector<std::string>& target) const;

    template <typename Int>
    void integer(const std::string& name, Int& target, long long min, long long max) const {
        long long value = static_cast<long long>(target);
        integer(name, value, min, max);
        target = static_cast<Int>(value);
    }

    void problem(std::string message) const { problems_.push_back(std::move(message)); }

private:
    const EnvLookup& env_;
    std::vector<std::string>& problems_;
};

}  // namespace clara::config
