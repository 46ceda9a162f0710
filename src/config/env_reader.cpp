#include "config/env_reader.hpp"

#include <charconv>

namespace clara::config {

std::string trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::string> EnvReader::text(const std::string& name) const {
    auto value = env_(name);
    if (value && trim(*value).empty()) {
        return std::nullopt;
    }
    return value;
}

void EnvReader::string(const std::string& name, std::string& target) const {
    if (auto value = text(name)) {
        target = trim(*value);
    }
}

void EnvReader::integer(const std::string& name, long long& target, long long min,
                        long long max) const {
    const auto value = text(name);
    if (!value) {
        return;
    }
    const auto trimmed = trim(*value);
    long long parsed = 0;
    const auto* end = trimmed.data() + trimmed.size();
    const auto [ptr, ec] = std::from_chars(trimmed.data(), end, parsed);
    if (ec != std::errc() || ptr != end || parsed < min || parsed > max) {
        problems_.push_back(name + " must be a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max) + " (got '" + trimmed + "')");
        return;
    }
    target = parsed;
}

void EnvReader::milliseconds(const std::string& name, std::chrono::milliseconds& target,
                             long long min, long long max) const {
    long long value = target.count();
    integer(name, value, min, max);
    target = std::chrono::milliseconds(value);
}

void EnvReader::boolean(const std::string& name, bool& target) const {
    const auto value = text(name);
    if (!value) {
        return;
    }
    const auto trimmed = trim(*value);
    if (trimmed == "true" || trimmed == "1" || trimmed == "yes") {
        target = true;
    } else if (trimmed == "false" || trimmed == "0" || trimmed == "no") {
        target = false;
    } else {
        problems_.push_back(name + " must be true or false (got '" + trimmed + "')");
    }
}

void EnvReader::list(const std::string& name, std::vector<std::string>& target) const {
    const auto value = text(name);
    if (!value) {
        return;
    }
    target.clear();
    std::string_view rest = *value;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        auto item = trim(rest.substr(0, comma));
        if (!item.empty()) {
            target.push_back(std::move(item));
        }
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
}

}  // namespace clara::config
