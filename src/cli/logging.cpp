#include "cli/logging.hpp"

#include "util/time_format.hpp"

#include <boost/json/string.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace clara::cli {
namespace {

/// One JSON object per line: {"time", "level", "message"}, the message escaped as JSON.
class JsonLineFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            msg.time.time_since_epoch())
                            .count();
        std::string line = "{\"time\":\"" + util::iso8601_ms(ms) + "\",\"level\":\"";
        const auto level = spdlog::level::to_string_view(msg.level);
        line.append(level.data(), level.size());
        line += "\",\"message\":";
        append_escaped(line, std::string_view(msg.payload.data(), msg.payload.size()));
        line += "}\n";
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonLineFormatter>();
    }

private:
    static void append_escaped(std::string& out, std::string_view text) {
        static constexpr char kHex[] = "0123456789abcdef";
        out.push_back('"');
        for (const char c : text) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(c);
            } else if (u < 0x20) {
                out += "\\u00";
                out.push_back(kHex[u >> 4]);
                out.push_back(kHex[u & 15]);
            } else {
                out.push_back(c);
            }
        }
        out.push_back('"');
    }
};

}  // namespace

void configure_logging(const config::Settings& settings) {
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stdout_sink_mt>()};
    if (!settings.log_file.empty()) {
        sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.log_file));
    }
    auto logger = std::make_shared<spdlog::logger>("clara", sinks.begin(), sinks.end());
    if (settings.log_format == "json") {
        logger->set_formatter(std::make_unique<JsonLineFormatter>());
    } else {
        logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    }
    logger->set_level(spdlog::level::from_str(settings.log_level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace clara::cli
