#include "nodes/services/audio_mime.hpp"

namespace clara::nodes {
namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string_view sniff_audio_mime(std::string_view b) {
    const auto at = [&b](std::size_t i) { return static_cast<unsigned char>(b[i]); };
    if (b.size() >= 3 && b.substr(0, 3) == "ID3") {
        return "audio/mpeg";
    }
    if (b.size() >= 2 && at(0) == 0xFF && (at(1) & 0xF0) == 0xF0) {
        return "audio/mpeg";
    }
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WAVE") {
        return "audio/wav";
    }
    if (b.size() >= 4 && b.substr(0, 4) == "OggS") {
        return "audio/ogg";
    }
    if (b.size() >= 4 && b.substr(0, 4) == "\x1A\x45\xDF\xA3") {
        return "audio/webm";
    }
    if (b.size() >= 4 && b.substr(0, 4) == "fLaC") {
        return "audio/flac";
    }
    if (b.size() >= 8 && b.substr(4, 4) == "ftyp") {
        return "audio/mp4";
    }
    return {};
}

std::string audio_extension(std::string_view mime) {
    if (contains(mime, "mpeg") || contains(mime, "mp3")) {
        return "mp3";
    }
    if (contains(mime, "wav")) {
        return "wav";
    }
    if (contains(mime, "ogg")) {
        return "ogg";
    }
    if (contains(mime, "webm")) {
        return "webm";
    }
    if (contains(mime, "flac")) {
        return "flac";
    }
    if (contains(mime, "mp4") || contains(mime, "m4a") || contains(mime, "aac")) {
        return "mp4";
    }
    return "mp3";
}

}  // namespace clara::nodes
